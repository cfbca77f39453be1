/**
 * The panel in an installation whose services answer only what Pixotope documents (the Playwright project
 * `pixotope-docs`): the reference services run with `--compat pixotope-docs` on a ZeroMQ Data Hub, on a data folder a
 * normal demo run filled first (the data stays between runs), and a browser host joins that hub. Every view loads,
 * AutoPull (a State Set) is confirmed, Create repository (a documented Call) works, Pull and Push are shown as not
 * offered with the reason, and no error toast appears, nothing stays pending.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { freePort } from '../services/testing/ports.ts';
import { BridgeClient } from './bridge-client.ts';
import { startServed, type Served } from './serve-process.ts';

const SHOTS = 'test-results/screenshots';
const SERVER = 'AssetHubServer';
const CLIENT_A = 'STAGE-A-AssetHubClient';
const VIEWS = ['overview', 'workspaces', 'repositories', 'assets', 'integrations', 'claims', 'conflicts', 'log', 'connection'] as const;
const DOCUMENTED_ONLY = "offers Pixotope's documented protocol only (no answer to GetCapabilities)";

const dirs: string[] = [];
let services: Served | undefined;
let host: Served | undefined;
let bridge: BridgeClient | undefined;
let pageUrl = '';

const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `assethub-e2e-${name}-`));
  dirs.push(dir);
  return dir;
};
const servicesArgs = (data: string, sub: number, pub: number) => ['--data', data, '--fabric', 'zmq', '--sub-port', String(sub), '--pub-port', String(pub), '--storage-port', '0'];
const READY = /Asset Hub services ready on (zmq:\/\/\S+)/;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const data = tempDir('docs-data');
  const sub = await freePort();
  const pub = await freePort();
  // A normal run builds the demo show by running the real operations, then stops.
  const demo = await startServed('app/dist/services/cli.mjs', [...servicesArgs(data, sub, pub), '--demo'], 120_000, READY);
  await demo.stop();
  // The same data, answered as a real Pixotope service would: the documented states and four Calls, nothing else.
  services = await startServed('app/dist/services/cli.mjs', [...servicesArgs(data, sub, pub), '--clients', 'STAGE-A,STAGE-B', '--compat', 'pixotope-docs'], 60_000, READY);
  host = await startServed('app/dist/main/web.mjs', ['--port', '0', '--hub', `zmq://127.0.0.1?sub=${sub}&pub=${pub}`, '--user-data', tempDir('docs-settings'), '--local-hub', 'none'], 60_000);
  pageUrl = host.url;
  bridge = await BridgeClient.open(pageUrl);
});

test.afterAll(async () => {
  bridge?.close();
  await host?.stop();
  await services?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The Methods of every Call the panel sent, from its message log (newest page first is enough: the log holds 10,000). */
async function sentCalls(): Promise<string[]> {
  const page = (await bridge?.invoke('logHistory', { limit: 500 })) as { entries: Array<{ direction: string; topic?: { Type?: string; Method?: string } }> };
  return page.entries.flatMap((e) => (e.direction === 'out' && e.topic?.Type === 'Call' && e.topic.Method ? [e.topic.Method] : []));
}

async function open(page: Page, view: string): Promise<void> {
  await page.getByTestId(`nav-${view}`).click();
  await expect(page.locator('main#main')).toHaveAttribute('data-view', view);
}

/** No error toast, no switch or row waiting for an answer, nobody still being asked what it offers. */
async function nothingPendingNoErrors(page: Page): Promise<void> {
  await expect(page.locator('.toast-error')).toHaveCount(0);
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await expect(page.getByText(/what it offers…/)).toHaveCount(0);
  await expect(page.getByText('pending…')).toHaveCount(0);
}

test('every view loads against documented-only services; extensions are shown as not offered, with the reason', async ({ page }) => {
  test.setTimeout(180_000);
  mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(pageUrl);
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 30_000 });

  // Workspaces: the states are shown; Pull, Push, Rescan and Revert are not offered, and the page says why.
  await open(page, 'workspaces');
  const rows = page.getByTestId('ws-row');
  await expect(rows.first()).toBeVisible({ timeout: 30_000 });
  const note = page.getByTestId('not-offered').filter({ hasText: CLIENT_A });
  await expect(note).toHaveText(`Not offered by ${CLIENT_A}: Pull, Push, Rescan, Revert — it ${DOCUMENTED_ONLY}.`, { timeout: 15_000 });
  const firstA = page.locator('[data-testid="ws-row"][data-machine="STAGE-A"]').first();
  for (const id of ['ws-pull', 'ws-push', 'ws-rescan', 'ws-revert']) await expect(firstA.getByTestId(id)).toBeDisabled();
  await expect(firstA.getByTestId('ws-pull')).toHaveAttribute('title', `${CLIENT_A} does not offer Pull: it ${DOCUMENTED_ONLY}`);
  await expect(firstA.getByTestId('ws-push')).toHaveAttribute('title', `${CLIENT_A} does not offer Push: it ${DOCUMENTED_ONLY}`);
  // What the row shows is the client's own state.
  const info = (await bridge?.get(CLIENT_A, ['PersistentState'])) as { Workspaces: Record<string, { Commit: string | null }> };
  const ws = (await firstA.getAttribute('data-workspace')) ?? '';
  expect(Object.keys(info.Workspaces)).toContain(ws);
  await page.screenshot({ path: `${SHOTS}/pixotope-docs-workspaces.png` });

  // Assets and Integrations need extensions: one line each, nothing asked of the server.
  await open(page, 'assets');
  await expect(page.getByTestId('feature-gate').getByRole('status')).toHaveText(`Not available here. ${SERVER} does not offer the asset catalogue: it ${DOCUMENTED_ONLY}.`);
  await page.screenshot({ path: `${SHOTS}/pixotope-docs-assets.png` });
  await open(page, 'integrations');
  await expect(page.getByTestId('feature-gate')).toContainText(`${SERVER} does not offer managed integrations: it ${DOCUMENTED_ONLY}.`);

  for (const view of VIEWS) {
    await open(page, view);
    await expect(page.locator('main#main')).not.toBeEmpty();
    await nothingPendingNoErrors(page);
    await page.screenshot({ path: `${SHOTS}/pixotope-docs-view-${view}.png` });
  }
  // The Connection view says what each service offers.
  await open(page, 'connection');
  for (const name of [SERVER, CLIENT_A]) {
    await expect(page.locator(`[data-testid="service-row"][data-service="${name}"]`).getByTestId('service-offer')).toHaveText('documented protocol only');
  }
  await page.locator('[data-testid="service-row"]').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/pixotope-docs-connection.png` });
  await open(page, 'repositories');
  await expect(page.getByTestId('repo-item').first()).toBeVisible();
  await expect(page.getByTestId('not-offered')).toContainText(`Not offered by ${SERVER}: Tag, Remove tag — it ${DOCUMENTED_ONLY}.`);
  await expect(page.getByTestId('repo-tag-add').first()).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/pixotope-docs-repositories.png` });
  // The panel sent no Call the services do not offer: GetCapabilities once per service (unanswered), nothing else.
  const methods = await sentCalls();
  expect(methods.filter((m) => m !== 'GetCapabilities')).toEqual([]);
  expect(methods.filter((m) => m === 'GetCapabilities').length).toBeLessThanOrEqual(3);
});

test('an AutoPull toggle is confirmed by the client, and a repository is created', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(pageUrl);
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 30_000 });

  await open(page, 'workspaces');
  const row = page.locator('[data-testid="ws-row"][data-machine="STAGE-A"]').first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  const ws = (await row.getAttribute('data-workspace')) ?? '';
  const toggle = row.getByTestId('autopull-toggle');
  await expect(toggle).toBeEnabled();
  const before = await toggle.isChecked();
  await toggle.click();
  await expect(toggle).toBeChecked({ checked: !before });
  await expect(row).not.toContainText('pending…');
  // Confirmed by the client itself: its State says so.
  await expect.poll(async () => ((await bridge?.get(CLIENT_A, ['State', 'Workspaces', ws, 'AutoPull'])) as boolean | null)).toBe(!before);

  const name = `%SYNCED_STORAGE%\\Projects\\Docs ${Date.now().toString(36)}`;
  await open(page, 'repositories');
  await page.getByTestId('repo-create').click();
  const dialog = page.getByTestId('repo-create-dialog');
  await dialog.getByTestId('repo-create-name').fill(name);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: `Created ${name}` })).toBeVisible();
  await expect(page.getByTestId('repo-item').filter({ has: page.locator('.repo-name', { hasText: name }) })).toHaveCount(1);
  const persistent = (await bridge?.get(SERVER, ['PersistentState'])) as { Repositories: Record<string, { Name: string }> };
  expect(Object.values(persistent.Repositories).map((r) => r.Name)).toContain(name);
  await nothingPendingNoErrors(page);
  await page.screenshot({ path: `${SHOTS}/pixotope-docs-created.png` });
});
