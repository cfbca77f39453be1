/**
 * Every view in the navigation against the embedded demo services: opened, given time for its data, saved as a 1440×900
 * screenshot (test-results/screenshots/<view>.png, for people to look at) and checked with axe-core: no serious or
 * critical violations. Then the message log's own behaviour: live frames, pause, Type filter, search, expand.
 */
import { mkdir } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';
import { openPanel } from './panel-host.ts';
import { seriousViolations } from './a11y.ts';

const VIEW_IDS = ['overview', 'workspaces', 'repositories', 'assets', 'integrations', 'claims', 'conflicts', 'log', 'connection'] as const;
const SHOTS = 'test-results/screenshots';

const open = (page: Page): Promise<void> => openPanel(page);

async function openView(page: Page, id: string): Promise<void> {
  await page.getByTestId(`nav-${id}`).click();
  await expect(page.locator('main#main')).toHaveAttribute('data-view', id);
}

/** How many repositories the server reports, read from it (not from the page). */
async function serverRepositoryCount(): Promise<number> {
  const bridge = await BridgeClient.open();
  try {
    return ((await bridge.call('AssetHubServer', 'GetRepositories')) as unknown[]).length;
  } finally {
    bridge.close();
  }
}

/** Waits for what shows that a view has its data; for the others' views, that no loading text is left. */
async function waitForData(page: Page, id: string): Promise<void> {
  const main = page.locator('main#main');
  switch (id) {
    case 'overview':
      // As many as the server itself has (other specs may have added theirs to the demo's three).
      await expect(page.getByTestId('server-repositories')).toHaveText(String(await serverRepositoryCount()), { timeout: 15_000 });
      await expect(page.getByTestId('machine-card')).toHaveCount(3);
      for (const summary of await page.getByTestId('machine-summary').all()) await expect(summary).not.toHaveText('—', { timeout: 15_000 });
      break;
    case 'log':
      await expect.poll(async () => Number(await page.getByTestId('log-list').getAttribute('data-count').catch(() => '0')), { timeout: 15_000 }).toBeGreaterThan(0);
      break;
    case 'connection':
      await expect(page.locator('[data-testid="service-row"][data-service="AssetHubServer"]')).toHaveAttribute('data-online', 'true', { timeout: 15_000 });
      break;
    default:
      await expect(main).not.toContainText(/Loading/i, { timeout: 15_000 });
  }
  await expect(main).not.toBeEmpty();
  // Let the last patches land and the virtual lists measure themselves.
  await page.waitForTimeout(500);
}


test.describe('every view: screenshot and axe', () => {
  test.beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
  });

  for (const id of VIEW_IDS) {
    test(`${id}: opens with data, screenshot, no serious or critical axe violations`, async ({ page }) => {
      await open(page);
      await openView(page, id);
      await waitForData(page, id);
      await page.screenshot({ path: `${SHOTS}/${id}.png` });
      expect(await seriousViolations(page, id)).toEqual([]);
    });
  }

  test('overview in the light theme: screenshot, no serious or critical axe violations', async ({ page }) => {
    await open(page);
    await openView(page, 'overview');
    await page.getByRole('button', { name: /Switch to the light theme/ }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await waitForData(page, 'overview');
    await page.screenshot({ path: `${SHOTS}/overview-light.png` });
    expect(await seriousViolations(page, 'overview (light)')).toEqual([]);
  });
});

test('overview: the server and both clients with honest states', async ({ page }) => {
  await open(page);
  await waitForData(page, 'overview');
  const cards = page.getByTestId('machine-card');
  await expect(cards).toHaveCount(3);
  for (const card of await cards.all()) {
    await expect(card).toHaveAttribute('data-online', 'true');
    await expect(card.getByTestId('machine-summary')).toHaveText(/^(Up to date|Syncing \d+%|Out of sync|Conflicts)$/);
  }
  const client = page.locator('[data-testid="machine-card"][data-service="STAGE-A-AssetHubClient"]');
  await expect(client.getByTestId('overview-workspace')).toHaveCount(2);
  // The server says where it is out of sync (its clients' own Status), and an engine not running says what that means.
  const bridge = await BridgeClient.open();
  const info = (await bridge.get('AssetHubServer', ['WorkspaceInfo'])) as { Clients: Record<string, { Name: string; Status: { Outcoming: boolean } }> };
  bridge.close();
  const pushing = Object.values(info.Clients).filter((c) => c.Status.Outcoming).map((c) => c.Name.replace(/-AssetHubClient$/, '')).sort();
  expect(pushing.length).toBeGreaterThan(0);
  await expect(page.getByTestId('server-changes')).toContainText(`changes to push on ${pushing.join(', ')}`);
  await expect(client.getByTestId('machine-engine')).toHaveText(/^Not running · no editor, PIE or game session/);
  await expect(page.getByTestId('hub-stats')).toContainText(/\d+ peers/, { timeout: 15_000 });
  // The machine filter (typed, a machine's whole name) narrows the clients to that machine; the server stays.
  await page.getByTestId('machine-filter').fill('STAGE-B');
  await expect(cards).toHaveCount(2);
  await expect(page.locator('[data-testid="machine-card"][data-service="STAGE-B-AssetHubClient"]')).toBeVisible();
  // A reload keeps the filter (it is the operator's choice for this window).
  await page.reload();
  await expect(page.getByTestId('machine-filter')).toHaveValue('STAGE-B');
  await expect(cards).toHaveCount(2);
  await page.getByTestId('machine-filter').fill('');
  await expect(cards).toHaveCount(3);
});

test('message log: live frames, pause, Type filter, search and expand', async ({ page }) => {
  test.setTimeout(90_000);
  const bridge = await BridgeClient.open();
  const traffic = async (n = 3) => {
    for (let i = 0; i < n; i++) await bridge.get('AssetHubServer', ['State']);
  };
  const list = page.getByTestId('log-list');
  // The list is replaced by "No frames match." when empty: 0 then, without waiting for it to come back.
  const count = async () => ((await list.count()) === 0 ? 0 : Number((await list.getAttribute('data-count')) ?? '0'));
  try {
    await open(page);
    await page.keyboard.press('Alt+8');
    await expect(page.locator('main#main')).toHaveAttribute('data-view', 'log');

    // Live: frames appear, and more as traffic flows.
    await traffic();
    await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(0);
    const before = await count();
    await traffic();
    await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(before);
    await expect(page.getByTestId('log-row').first()).toBeVisible();

    // Pause: the list stops growing while traffic goes on.
    await page.getByTestId('log-pause').click();
    await expect(page.getByTestId('log-pause')).toHaveAttribute('aria-pressed', 'true');
    await page.waitForTimeout(500);
    const paused = await count();
    await traffic(5);
    await page.waitForTimeout(1500);
    expect(await count()).toBe(paused);
    await page.getByTestId('log-pause').click();
    await expect(page.getByTestId('log-pause')).toHaveAttribute('aria-pressed', 'false');
    await traffic();
    await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(paused);

    // Type filter: only Updates left (a Type seen for the first time meanwhile shows up checked: uncheck it too).
    const types = page.getByTestId('log-type');
    const onlyUpdates = async () => {
      for (const box of await types.all()) {
        if ((await box.getAttribute('data-type')) !== 'Update') await box.uncheck();
      }
      const shown = await page.getByTestId('log-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.filter((t) => t !== 'Update')).toEqual([]);
    };
    await expect(page.locator('[data-testid="log-type"][data-type="Update"]')).toBeVisible();
    await expect(onlyUpdates).toPass({ timeout: 10_000 });
    for (const box of await types.all()) await box.check();

    // Search narrows the list; nonsense leaves nothing.
    // Frames about one client among many about the server.
    await bridge.get('STAGE-A-AssetHubClient', ['State']);
    await traffic();
    await expect(page.getByTestId('log-row').filter({ hasText: 'STAGE-A-AssetHubClient' }).first()).toBeVisible();
    const all = await count();
    await page.getByTestId('log-search').fill('stage-a-assethubclient');
    await expect.poll(count).toBeLessThan(all);
    await expect.poll(count).toBeGreaterThan(0);
    // (A row may match by its Message alone, e.g. the server's WorkspaceInfo naming the client.)
    await expect(page.getByTestId('log-row').filter({ hasText: 'STAGE-A-AssetHubClient' }).first()).toBeVisible();
    await page.getByTestId('log-search').fill('no-such-frame-zz9');
    await expect(page.getByText('No frames match.')).toBeVisible();
    await page.getByTestId('log-search').fill('');

    // Expand: the full Topic and the Message as JSON. Paused first: on a live list the first row is a newer frame
    // by the time it is checked whenever traffic flows (integrations retrying, hub figures).
    await expect(onlyUpdates).toPass({ timeout: 10_000 });
    await page.getByTestId('log-pause').click();
    await expect(page.getByTestId('log-pause')).toHaveAttribute('aria-pressed', 'true');
    const first = page.getByTestId('log-row').first();
    await first.click();
    await expect(first).toHaveAttribute('aria-expanded', 'true');
    const detail = page.getByTestId('log-detail');
    await expect(detail).toBeVisible();
    const topic = JSON.parse(await detail.getByTestId('log-topic').innerText()) as Record<string, string>;
    expect(topic.Type).toBe('Update');
    const message = JSON.parse(await detail.getByTestId('log-message').innerText()) as Record<string, unknown>;
    expect(message).toHaveProperty('Value');
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/log-expanded.png` });
    await detail.getByTestId('log-copy').click();
    await expect(detail.getByTestId('log-copy-status')).toBeVisible();
  } finally {
    // The engine's log is shared by every page: never leave it paused.
    await bridge.invoke('logControl', { paused: false }).catch(() => {});
    bridge.close();
  }
});
