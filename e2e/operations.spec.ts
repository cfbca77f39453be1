/**
 * Work that ends says it ended, and the record survives a reload. A push refused by the client (a file another
 * machine claims) ends "Push failed" on its row, in a toast and in the Overview's recent operations, with the refusal;
 * a pull of a workspace already up to date (work so short, and a Message so unchanged, that only the Status's
 * transitions tell it ran) ends "Pull done" with the client's words. Each is checked against the services' own state;
 * after a reload (and in a second page) the recent operations still list both, from the panel engine, and the message
 * log still holds frames sent before the page opened. The test works on a repository and a STAGE-B workspace of its
 * own: the demo's are where other specs left them (behind their branch, with conflicts), and other specs read them.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';
import { panelUrl } from './panel-host.ts';

const A = 'STAGE-A-AssetHubClient';
const B = 'STAGE-B-AssetHubClient';
const SERVER = 'AssetHubServer';
const REPO = `%SYNCED_STORAGE%\\Projects\\OperationsTest ${Date.now().toString(36)}`;
const URI = 'FileSystem:/Content/claimed-elsewhere.txt';

let bridge: BridgeClient;
let ws: string;
test.beforeAll(async () => {
  bridge = await BridgeClient.open();
  // Its own repository and a STAGE-B workspace of it, pulled to the branch head (the root commit).
  await bridge.call(SERVER, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  ({ Workspace: ws } = (await bridge.call(B, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' })) as { Workspace: string });
  await bridge.call(B, 'Pull', { Workspace: ws });
  await expect.poll(async () => {
    const p = (await bridge.get(B, ['PersistentState'])) as { Workspaces: Record<string, { Commit: string | null }> };
    return p.Workspaces[ws]?.Commit ?? null;
  }, { timeout: 30_000 }).not.toBeNull();
  await expect.poll(() => activity(B, ws), { timeout: 30_000 }).toBe('Idle');
});
test.afterAll(async () => {
  await bridge.call(SERVER, 'ReleaseClaim', { Repository: REPO, Branch: 'Main', URI, Owner: 'STAGE-A', Force: true }).catch(() => undefined);
  bridge.close();
});

async function status(client: string, workspace: string): Promise<{ Activity: string; Message: string } | undefined> {
  const info = (await bridge.get(client, ['WorkspaceInfo'])) as { Workspaces: Record<string, { Status: { Activity: string; Message: string } }> };
  return info.Workspaces[workspace]?.Status;
}
const activity = async (client: string, workspace: string) => (await status(client, workspace))?.Activity ?? 'unknown';
/** A client's own Status Message for a workspace, once it is idle. */
async function statusMessage(client: string, workspace: string): Promise<string> {
  const s = await status(client, workspace);
  return s && s.Activity === 'Idle' ? s.Message : '';
}

const row = (page: Page) => page.locator(`[data-testid="ws-row"][data-machine="STAGE-B"][data-workspace="${ws}"]`);

test('a refused push and a pull end on their row, in a toast and in the recent operations, which a reload keeps', async ({ page, context }) => {
  test.setTimeout(120_000);
  // STAGE-A claims a file; STAGE-B makes it locally.
  await bridge.call(SERVER, 'Claim', { Repository: REPO, Branch: 'Main', URI, Owner: 'STAGE-A' });
  const file = path.join(ws, 'Content', 'claimed-elsewhere.txt');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `made at ${Date.now()}\n`);
  await expect.poll(async () => (await bridge.assetsOf(B, ws)).LocalChanges.some((c) => c.URI === URI), { timeout: 30_000 }).toBe(true);

  await page.goto(panelUrl());
  await page.getByTestId('nav-workspaces').click();
  await row(page).getByTestId('ws-push').click();
  // Before committing, the dialog lists what it will push and warns that STAGE-A holds a claim on it.
  const dialog = page.getByTestId('push-dialog');
  await expect(dialog.getByTestId('push-changes').getByText(URI, { exact: true })).toBeVisible();
  await expect(dialog.getByTestId('push-claimed')).toContainText(`${URI} by STAGE-A`);
  await expect(dialog.getByTestId('push-claimed')).toContainText('will be refused (CLAIMED_BY_OTHER)');
  await page.screenshot({ path: 'test-results/screenshots/push-dialog-claimed.png' });
  await page.getByTestId('push-comment').fill('operations test: refused');
  await page.getByTestId('push-dialog').getByRole('button', { name: 'Push', exact: true }).click();

  // The row: "Push failed" with the client's refusal; the services' own state agrees: STAGE-A holds the claim, the
  // change is still local.
  const failure = `CLAIMED_BY_OTHER: ${URI} is claimed by STAGE-A`;
  const op = row(page).getByTestId('ws-op');
  await expect(op).toHaveAttribute('data-state', 'failed', { timeout: 30_000 });
  await expect(op).toHaveAttribute('data-method', 'Push');
  await expect(op.getByTestId('ws-op-outcome')).toHaveText(failure);
  const claims = (await bridge.get(SERVER, ['AssetInfo'])) as { Repositories: Record<string, { Branches: Array<{ Claims: Array<{ URI: string; Owner: string }> }> }> };
  expect(claims.Repositories[REPO]?.Branches[0]?.Claims).toContainEqual(expect.objectContaining({ URI, Owner: 'STAGE-A' }));
  expect((await bridge.assetsOf(B, ws)).LocalChanges.map((c) => c.URI)).toContain(URI);
  // A toast says it too, where the operator is looking, and stays (a failure).
  await expect(page.getByTestId('toast').filter({ hasText: 'Push of STAGE-B' })).toContainText('CLAIMED_BY_OTHER');

  // The file goes again (nothing of it was pushed).
  rmSync(path.join(ws, 'Content'), { recursive: true, force: true });
  await expect.poll(async () => (await bridge.assetsOf(B, ws)).LocalChanges.length, { timeout: 30_000 }).toBe(0);

  // A pull of the workspace, already up to date: "Pull done" with the client's words, though its Message is the same.
  const before = await statusMessage(B, ws);
  await row(page).getByTestId('ws-pull').click();
  await page.getByTestId('pull-dialog').getByRole('button', { name: 'Pull', exact: true }).click();
  await expect(op).toHaveAttribute('data-method', 'Pull', { timeout: 30_000 });
  await expect(op).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  const upToDate = await statusMessage(B, ws);
  expect(upToDate).toMatch(/^Up to date at [0-9a-f]{8}\.$/);
  expect(upToDate).toBe(before);
  await expect(op.getByTestId('ws-op-outcome')).toHaveText(upToDate);
  // "started" when the client accepted it, then "done" with the client's words.
  await expect(page.getByTestId('toast').filter({ hasText: 'Pull of STAGE-B' }).filter({ hasText: 'done' })).toContainText(upToDate);
  await page.screenshot({ path: 'test-results/screenshots/operations-row.png' });

  // The Overview's recent operations, after a reload and in a second page: kept by the engine, not the page.
  const recent = async (p: Page) => {
    await p.goto(panelUrl());
    await p.getByTestId('nav-overview').click();
    const list = p.getByTestId('recent-operations');
    const push = list.locator('[data-testid="op-row"][data-method="Push"][data-service="STAGE-B-AssetHubClient"]').first();
    const pull = list.locator('[data-testid="op-row"][data-method="Pull"][data-service="STAGE-B-AssetHubClient"]').first();
    await expect(push.getByTestId('op-state')).toHaveText('failed');
    await expect(push).toContainText(failure);
    await expect(pull.getByTestId('op-state')).toHaveText('done');
    await expect(pull).toContainText(upToDate);
    // Nothing started through the panel still says "started" once the services are idle.
    await expect(list.locator('[data-testid="op-row"][data-state="started"]')).toHaveCount(0);
  };
  await page.reload();
  await recent(page);
  await page.getByTestId('recent-operations').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/recent-operations.png' });
  const second = await context.newPage();
  await recent(second);
  await second.close();
});

test('the message log keeps what came before a reload, and a second window has it', async ({ page, context }) => {
  // A Call the client refuses (no such workspace): its frame out and the refusal in are logged by the engine before
  // any page is open. (A method the client does not offer would not be sent at all.)
  const marker = `HistoryMarker${Date.now()}`;
  await expect(bridge.call(A, 'Scan', { Workspace: marker })).rejects.toThrow(/UNKNOWN_WORKSPACE/);
  const framesOf = async (p: Page) => {
    await p.goto(panelUrl());
    await p.getByTestId('nav-log').click();
    await p.getByTestId('log-search').fill(marker.toLowerCase());
    const rows = p.getByTestId('log-row');
    await expect(rows).toHaveCount(2);
    expect((await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-type')))).sort()).toEqual(['Call', 'CallResult']);
  };
  await framesOf(page);
  await page.reload();
  await framesOf(page);
  const second = await context.newPage();
  await framesOf(second);
  await second.close();
});
