// The Repositories view against the server's own state (fresh Gets through the test's bridge line): the default
// AutoPull toggles and comes back, a name with a dot is shown decoded, a refused CreateRepository shows the Failure
// code, and a tag added from the UI is in the server's PersistentState (and is removed again).
import { expect, test, type Page } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';
import { panelUrl } from './panel-host.ts';

const SERVER = 'AssetHubServer';
const ALPHA = '%SYNCED_STORAGE%\\Projects\\Project Alpha';
const SHOW = '%SYNCED_STORAGE%\\Projects\\Show.2026';
const COMMON = '%SYNCED_STORAGE%\\Common';

let bridge: BridgeClient;
test.beforeAll(async () => {
  bridge = await BridgeClient.open();
});
test.afterAll(() => bridge?.close());

async function openRepositories(page: Page): Promise<void> {
  await page.goto(panelUrl());
  await expect(page.getByTestId('connection-state')).toHaveText('Connected');
  await page.getByTestId('nav-repositories').click();
  await expect(page.getByTestId('repo-item').first()).toBeVisible();
}

const repoItem = (page: Page, name: string) => page.getByTestId('repo-item').filter({ has: page.locator('.repo-name', { hasText: name }) });

interface Commit { ID: string; Tags: string[] }
/** The commits of a repository's branch in the server's own PersistentState (keys may come decoded or encoded). */
async function serverCommits(repo: string, branch: string): Promise<Commit[]> {
  const state = (await bridge.get(SERVER, ['PersistentState'])) as { Repositories: Record<string, { Name: string; Branches: Array<{ Name: string; Commits: Commit[] }> }> };
  const entry = Object.values(state.Repositories).find((r) => r.Name === repo) ?? state.Repositories[repo];
  return entry?.Branches.find((b) => b.Name === branch)?.Commits ?? [];
}

test("the server's default AutoPull toggles from the UI and back", async ({ page }) => {
  const path = ['State', 'Repositories', COMMON, 'AutoPull'];
  const before = (await bridge.get(SERVER, path)) as boolean;
  expect(typeof before).toBe('boolean');
  await openRepositories(page);
  const box = repoItem(page, COMMON).getByTestId('repo-autopull');
  await expect(box).toBeChecked({ checked: before });

  await box.click();
  await expect.poll(() => bridge.get(SERVER, path)).toBe(!before);
  await expect(box).toBeChecked({ checked: !before });
  await expect(box).toBeEnabled();
  await expect(repoItem(page, COMMON).getByTestId('repo-autopull-pending')).toHaveCount(0);

  await box.click();
  await expect.poll(() => bridge.get(SERVER, path)).toBe(before);
  await expect(box).toBeChecked({ checked: before });
});

test('Show.2026 is shown decoded in the Repositories view and in another view', async ({ page }) => {
  await openRepositories(page);
  await expect(repoItem(page, SHOW)).toHaveCount(1);
  await expect(page.getByTestId('repo-list')).toContainText(SHOW);
  expect(await page.locator('main').innerText()).not.toContain('[dot]');

  // Another view: whichever of these shows the show's name (the views are built in parallel and may change).
  const found: string[] = [];
  await expect
    .poll(async () => {
      for (const view of ['workspaces', 'overview', 'conflicts']) {
        await page.getByTestId(`nav-${view}`).click();
        await page.waitForTimeout(300);
        const text = await page.locator('main').innerText();
        expect(text, `the ${view} view shows an encoded name`).not.toContain('Show[dot]2026');
        if (text.includes('Show.2026')) found.push(view);
      }
      return found.length;
    }, { timeout: 15_000, message: 'no other view shows Show.2026' })
    .toBeGreaterThan(0);
  test.info().annotations.push({ type: 'views showing Show.2026', description: [...new Set(found)].join(', ') });
});

test('creating a repository that already exists shows REPOSITORY_ALREADY_EXISTS', async ({ page }) => {
  await openRepositories(page);
  await page.getByTestId('repo-create').click();
  const dialog = page.getByTestId('repo-create-dialog');
  await expect(dialog.getByTestId('repo-create-name')).toHaveValue('%SYNCED_STORAGE%\\Projects\\');
  await expect(dialog.getByTestId('repo-create-branch')).toHaveValue('Main');
  // Create waits for a name, and says so beside the button.
  await expect(dialog.getByRole('button', { name: 'Create' })).toBeDisabled();
  await expect(dialog.getByTestId('dialog-why')).toHaveText('Give the repository a name after Projects\\.');
  await dialog.getByTestId('repo-create-name').fill('%SYNCED_STORAGE%\\Projects\\bad:name');
  await expect(dialog.getByTestId('dialog-why')).toContainText('The name cannot be a folder on every machine');
  await dialog.getByTestId('repo-create-name').fill(SHOW);
  await expect(dialog.getByTestId('dialog-why')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId('toast-code').filter({ hasText: 'REPOSITORY_ALREADY_EXISTS' })).toBeVisible();
  await expect(dialog.getByTestId('dialog-error')).toContainText('REPOSITORY_ALREADY_EXISTS');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(repoItem(page, SHOW)).toHaveCount(1);
});

test("tagging a commit shows the chip and puts the tag in the server's PersistentState; removing it takes it out", async ({ page }) => {
  const tag = `e2e-${Date.now().toString(36)}`;
  await openRepositories(page);
  await repoItem(page, ALPHA).locator('.repo-select').click();
  await page.getByTestId('repo-branch').filter({ hasText: 'Main' }).click();
  const newest = page.getByTestId('repo-commit').first();
  await expect(newest).toBeVisible();
  const id = await newest.getAttribute('data-commit');
  expect(id).toBeTruthy();
  // Newest first: the first row is the server's head.
  expect((await serverCommits(ALPHA, 'Main')).at(-1)?.ID).toBe(id);
  // The tags shown are the server's.
  await expect(page.getByTestId('repo-commits')).toContainText('v1.0');

  await newest.getByTestId('repo-tag-add').click();
  const dialog = page.getByTestId('repo-tag-dialog');
  await dialog.getByTestId('repo-tag-name').fill(tag);
  await dialog.getByTestId('repo-tag-name').press('Enter');
  await expect(dialog).toHaveCount(0);
  const row = page.locator(`[data-testid="repo-commit"][data-commit="${id}"]`);
  await expect(row.getByTestId('repo-tag').filter({ hasText: tag })).toBeVisible();
  await expect.poll(async () => (await serverCommits(ALPHA, 'Main')).find((c) => c.ID === id)?.Tags ?? []).toContain(tag);

  await row.getByRole('button', { name: `Remove tag ${tag}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove tag' });
  await expect(confirm).toContainText(tag);
  await confirm.getByRole('button', { name: 'Remove tag' }).click();
  await expect(row.getByTestId('repo-tag').filter({ hasText: tag })).toHaveCount(0);
  await expect.poll(async () => (await serverCommits(ALPHA, 'Main')).find((c) => c.ID === id)?.Tags ?? []).not.toContain(tag);
});
