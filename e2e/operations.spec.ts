/**
 * Work that ends says it ended, and the record survives a reload. A push refused by the client (a file another
 * machine claims) ends "Push failed" on its row, in a toast and in the Overview's recent operations, with the refusal;
 * a pull of a workspace already up to date (work so short, and a Message so unchanged, that only the Status's
 * transitions tell it ran) ends "Pull done" with the client's words. Each is checked against the services' own state;
 * after a reload (and in a second page) the recent operations still list both, from the panel engine, and the message
 * log still holds frames sent before the page opened. The demo's workspaces are left as they were (other specs read
 * them).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';
import { panelUrl } from './panel-host.ts';

const A = 'STAGE-A-AssetHubClient';
const B = 'STAGE-B-AssetHubClient';
const COMMON = '%SYNCED_STORAGE%\\Common';
const SERVER = 'AssetHubServer';
const ALPHA = '%SYNCED_STORAGE%\\Projects\\Project Alpha';
const URI = 'FileSystem:/Content/OperationsTest/claimed-elsewhere.txt';

let bridge: BridgeClient;
let ws: string;
test.beforeAll(async () => {
  bridge = await BridgeClient.open();
  ws = await bridge.workspaceOf(A, ALPHA);
});
test.afterAll(async () => {
  await bridge.call(SERVER, 'ReleaseClaim', { Repository: ALPHA, Branch: 'Main', URI, Owner: 'STAGE-B', Force: true }).catch(() => undefined);
  rmSync(path.join(ws, 'Content', 'OperationsTest'), { recursive: true, force: true });
  bridge.close();
});

/** A client's own Status Message for a workspace, once it is idle. */
async function statusMessage(client: string, workspace: string): Promise<string> {
  const info = (await bridge.get(client, ['WorkspaceInfo'])) as { Workspaces: Record<string, { Status: { Activity: string; Message: string } }> };
  const status = info.Workspaces[workspace]?.Status;
  return status && status.Activity === 'Idle' ? status.Message : '';
}

const row = (page: Page, machine = 'STAGE-A', workspace = ws) => page.locator(`[data-testid="ws-row"][data-machine="${machine}"][data-workspace="${workspace}"]`);

test('a refused push and a pull end on their row, in a toast and in the recent operations, which a reload keeps', async ({ page, context }) => {
  test.setTimeout(120_000);
  // STAGE-B claims a file; STAGE-A makes it locally.
  await bridge.call(SERVER, 'Claim', { Repository: ALPHA, Branch: 'Main', URI, Owner: 'STAGE-B' });
  const file = path.join(ws, 'Content', 'OperationsTest', 'claimed-elsewhere.txt');
  rmSync(path.dirname(file), { recursive: true, force: true });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `made at ${Date.now()}\n`);
  await expect.poll(async () => (await bridge.assetsOf(A, ws)).LocalChanges.some((c) => c.URI === URI), { timeout: 30_000 }).toBe(true);

  await page.goto(panelUrl());
  await page.getByTestId('nav-workspaces').click();
  await row(page).getByTestId('ws-push').click();
  await page.getByTestId('push-comment').fill('operations test: refused');
  await page.getByTestId('push-dialog').getByRole('button', { name: 'Push', exact: true }).click();

  // The row: "Push failed" with the client's refusal; the services' own state agrees: STAGE-B holds the claim, the
  // change is still local, the branch did not move.
  const failure = `CLAIMED_BY_OTHER: ${URI} is claimed by STAGE-B`;
  const op = row(page).getByTestId('ws-op');
  await expect(op).toHaveAttribute('data-state', 'failed', { timeout: 30_000 });
  await expect(op).toHaveAttribute('data-method', 'Push');
  await expect(op.getByTestId('ws-op-outcome')).toHaveText(failure);
  const claims = (await bridge.get(SERVER, ['AssetInfo'])) as { Repositories: Record<string, { Branches: Array<{ Claims: Array<{ URI: string; Owner: string }> }> }> };
  expect(claims.Repositories[ALPHA]?.Branches[0]?.Claims).toContainEqual(expect.objectContaining({ URI, Owner: 'STAGE-B' }));
  expect((await bridge.assetsOf(A, ws)).LocalChanges.map((c) => c.URI)).toContain(URI);
  // A toast says it too, where the operator is looking, and stays (a failure).
  await expect(page.getByTestId('toast').filter({ hasText: 'Push of STAGE-A' })).toContainText('CLAIMED_BY_OTHER');

  // The file goes again (nothing of it was pushed): STAGE-A's workspace is as the demo left it.
  rmSync(path.dirname(file), { recursive: true, force: true });
  await expect.poll(async () => (await bridge.assetsOf(A, ws)).LocalChanges.some((c) => c.URI.startsWith('FileSystem:/Content/OperationsTest')), { timeout: 30_000 }).toBe(false);

  // A pull of STAGE-B's Common, already up to date: "Pull done" with the client's words, though its Message is the same.
  const common = await bridge.workspaceOf(B, COMMON);
  const before = await statusMessage(B, common);
  await row(page, 'STAGE-B', common).getByTestId('ws-pull').click();
  await page.getByTestId('pull-dialog').getByRole('button', { name: 'Pull', exact: true }).click();
  const pulled = row(page, 'STAGE-B', common).getByTestId('ws-op');
  await expect(pulled).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(pulled).toHaveAttribute('data-method', 'Pull');
  const upToDate = await statusMessage(B, common);
  expect(upToDate).toMatch(/^Up to date at [0-9a-f]{8}\.$/);
  expect(upToDate).toBe(before);
  await expect(pulled.getByTestId('ws-op-outcome')).toHaveText(upToDate);
  // "started" when the client accepted it, then "done" with the client's words.
  await expect(page.getByTestId('toast').filter({ hasText: 'Pull of STAGE-B' }).filter({ hasText: 'done' })).toContainText(upToDate);
  await page.screenshot({ path: 'test-results/screenshots/operations-row.png' });

  // The Overview's recent operations, after a reload and in a second page: kept by the engine, not the page.
  const recent = async (p: Page) => {
    await p.goto(panelUrl());
    await p.getByTestId('nav-overview').click();
    const list = p.getByTestId('recent-operations');
    const push = list.locator('[data-testid="op-row"][data-method="Push"][data-service="STAGE-A-AssetHubClient"]').first();
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
  await page.getByTestId('recent-operations').screenshot({ path: 'test-results/screenshots/recent-operations.png' });
  const second = await context.newPage();
  await recent(second);
  await second.close();
});

test('the message log keeps what came before a reload, and a second window has it', async ({ page, context }) => {
  // A Call no service has: its frame out and the refusal in are logged by the engine before any page is open.
  const marker = `HistoryMarker${Date.now()}`;
  await expect(bridge.call(A, marker)).rejects.toThrow(/UNKNOWN_METHOD|has no method/);
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
