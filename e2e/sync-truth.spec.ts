/**
 * Sync all and re-sync tell the truth, against the real services: each test has its own repository (empty files
 * committed through the server) and its own integration posting to a receiver started here (services/receiver, its
 * failure rule driven through PUT /admin/rule). What the page says is compared with the server's own state (Get of
 * the integration, QueryIntegrationAssets) read through the tests' bridge line; every wait is on state.
 * - (a) a receiver that times out on some assets: Sync all ends not green, with the failed count and grouped reason
 *   of the server's Failed list;
 * - (b) an endpoint that refuses connections: Sync all ends saying nothing was delivered, and why;
 * - (c) a re-sync that fails again says so where it was clicked, with the reason (and, healed, that they are tracked);
 * - (d) all healthy: green, all tracked.
 * Screenshots: test-results/screenshots/sync-truth-*.png.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { silentLogger } from '../services/lib/log.ts';
import { startReceiver, type RunningReceiver } from '../services/receiver/receiver.ts';
import { BridgeClient } from './bridge-client.ts';
import { openPanel } from './panel-host.ts';

const SERVER = 'AssetHubServer';
const SHOTS = 'test-results/screenshots';
const SECRET = 'e2e-sync-truth';
// The receiver's 'timeout' rule never answers; a healthy answer on a loaded machine can take longer than 400 ms.
const TIMEOUT_MS = 2000;
// Where every answer is healthy, a slow one on a loaded machine must not read as a failure (it once took over 2 s).
const HEALTHY_TIMEOUT_MS = 30_000;

interface SyncEntry { Running: boolean; Outcome: string; Current: number; Total: number; Delivered: number; Failed: number; Pending: number; FailedReasons: Record<string, number> }
interface Entry { Tracked: number; Failed: number; Pending: number; Sync: SyncEntry | null }
interface Asset { assetId: string; uri: string; reason?: string }

let bridge: BridgeClient;
let receiver: RunningReceiver;
const stamp = Date.now();
const made: string[] = [];

const entry = async (name: string): Promise<Entry> => (await bridge.get(SERVER, ['Integrations', name])) as Entry;

const assetsOf = (name: string, status: 'Tracked' | 'Failed' | 'Pending'): Promise<Asset[]> =>
  bridge.allPages<Asset>(SERVER, 'QueryIntegrationAssets', { Integration: name, Status: status });

/** "3 × timed out after 400 ms, 1 × HTTP 500": the reasons of the server's Failed list, most frequent first. */
function grouped(assets: readonly Asset[]): string {
  const counts = new Map<string, number>();
  for (const a of assets) counts.set(a.reason ?? '', (counts.get(a.reason ?? '') ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, n]) => `${n} × ${r}`).join(', ');
}

const rule = async (value: unknown): Promise<void> => {
  const res = await fetch(`${receiver.baseUrl}/admin/rule`, { method: 'PUT', body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } });
  expect(res.ok).toBe(true);
};

/** A new repository with `count` empty files, and an integration following only it (created after the commit: nothing is sent before Sync all). */
async function setUp(label: string, count: number, endpoint = receiver.url, timeoutMs = TIMEOUT_MS): Promise<{ name: string; uris: string[] }> {
  const repo = `%SYNCED_STORAGE%\\Projects\\E2E SyncTruth ${label} ${stamp}`;
  const created = (await bridge.call(SERVER, 'CreateRepository', { Name: repo, Branch: 'Main' })) as { Commit: string };
  const uris = Array.from({ length: count }, (_, i) => `FileSystem:/Content/T_${String(i).padStart(2, '0')}.png`);
  const hash = createHash('sha256').update('').digest('hex');
  await bridge.call(SERVER, 'CreateCommit', {
    Repository: repo, Branch: 'Main', Parent: created.Commit, Author: 'E2E', Comment: `e2e: sync truth, ${count} files`,
    Changes: uris.map((uri) => ({ Type: 'PutFile', URI: uri, Size: 0, Hash: hash, Chunks: [] })),
  });
  const name = `E2E.SyncTruth ${label} ${stamp}`;
  // The host confirms a Set by the next Update covering it; another integration's live figures can come first and read
  // as a refusal (SET_REFUSED "shows nothing there"): the server's own state decides below.
  await bridge.invoke('set', {
    service: SERVER, path: ['Integrations', name], value: {
      Enabled: true, EndpointUrl: endpoint, Secret: SECRET, Filter: '', Configuration: {}, TenantId: 'e2e', BatchSize: 1, TimeoutMs: timeoutMs,
      Retry: { MaxAttempts: 1, InitialDelayMs: 100, Multiplier: 1 }, Repositories: [repo],
    },
  }).catch((e: unknown) => {
    if ((e as { code?: string }).code !== 'SET_REFUSED') throw e;
  });
  made.push(name);
  await expect.poll(async () => ((await entry(name).catch(() => null)) ?? null) !== null, { message: `the server holds ${name}` }).toBe(true);
  return { name, uris };
}

/** Opens the integration and starts Sync all from its dialog (typed name), as an operator does. */
async function syncAllFromUi(page: Page, name: string): Promise<void> {
  await openPanel(page, 'integrations');
  const row = page.locator(`[data-testid="int-row"][data-name="${name}"]`);
  await expect(row).toBeVisible({ timeout: 15_000 });
  await row.getByTestId('int-select-row').click();
  await expect(page.getByTestId('int-detail')).toHaveAttribute('data-name', name);
  // A receiver of the test's own, not the embedded services' demo receiver: no demo note, no button to heal it.
  await expect(page.getByTestId('int-demo-receiver')).toHaveCount(0);
  await page.getByTestId('int-tab-Tracked').click();
  await page.getByTestId('int-sync-all').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox').fill(name);
  await dialog.getByRole('button', { name: 'Sync all assets' }).click();
  await expect(dialog).toHaveCount(0);
}

/** Waits for the server's Sync all to end and its figures to hold still (nothing of it left Pending). */
async function syncEnded(name: string): Promise<Entry> {
  await expect.poll(async () => {
    const e = await entry(name);
    return e.Sync !== null && !e.Sync.Running && e.Pending === 0 ? e.Sync.Outcome : 'running';
  }, { timeout: 60_000 }).toBe('Completed');
  return entry(name);
}

test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  bridge = await BridgeClient.open();
  receiver = await startReceiver({ port: 0, secret: SECRET, logger: silentLogger() });
});

test.afterAll(async () => {
  for (const name of made) await bridge.invoke('set', { service: SERVER, path: ['Integrations', name], value: null }).catch(() => {});
  await receiver?.close();
  bridge?.close();
});

test('(a) a receiver timing out on some assets: Sync all ends not green, with the failed count and grouped reason of the server', async ({ page }) => {
  test.setTimeout(120_000);
  await rule({ mode: 'timeout', failUris: '/T_0[0-2]\\./' });
  const { name, uris } = await setUp('Timeout', 8);
  await syncAllFromUi(page, name);
  const server = await syncEnded(name);
  const failed = await assetsOf(name, 'Failed');
  const tracked = await assetsOf(name, 'Tracked');
  expect(failed.map((a) => a.uri).sort()).toEqual(uris.slice(0, 3));
  expect.soft(server.Sync, 'the server\'s own tally of this Sync all').toMatchObject({ Delivered: tracked.length, Failed: failed.length, Pending: 0 });

  const done = page.getByTestId('int-detail').getByTestId('int-sync-done');
  await expect(done).toHaveAttribute('data-failed', String(failed.length));
  await expect(done).toHaveAttribute('data-tone', 'bad');
  await expect(done.getByTestId('int-sync-headline')).toHaveText('Completed with failures');
  await expect(done.getByTestId('int-sync-headline')).not.toHaveClass(/int-ok/);
  await expect(done.getByTestId('int-sync-detail')).toHaveText(`${tracked.length} tracked · ${failed.length} failed: ${grouped(failed)}`);
  expect(grouped(failed)).toBe(`3 × timed out after ${TIMEOUT_MS} ms`);
  await page.screenshot({ path: `${SHOTS}/sync-truth-a-timeouts.png` });
});

test('(c) a re-sync that fails again says so where it was clicked, with the reason; healed, that it is tracked', async ({ page }) => {
  test.setTimeout(120_000);
  await rule({ mode: 'timeout', failUris: '/T_0[0-1]\\./' });
  const { name } = await setUp('Resync', 4);
  // Failed by a Sync all started through the server: this test is about the re-sync.
  await bridge.call(SERVER, 'SyncAllAssets', { Integration: name });
  await syncEnded(name);
  await openPanel(page, 'integrations');
  const row = page.locator(`[data-testid="int-row"][data-name="${name}"]`);
  await expect(row).toBeVisible({ timeout: 15_000 });
  await row.getByTestId('int-select-row').click();
  await page.getByTestId('int-tab-Failed').click();
  const failed = await assetsOf(name, 'Failed');
  expect(failed.length).toBe(2);
  const target = failed[0] as Asset;
  const item = page.locator(`[data-testid="int-asset"][data-asset="${target.assetId}"]`);
  await expect(item).toBeVisible();
  await item.getByTestId('int-resync-one').click();
  const result = page.getByTestId('int-resync-result');
  await expect(result).toHaveAttribute('data-phase', 'settled', { timeout: 30_000 });
  const again = (await assetsOf(name, 'Failed')).find((a) => a.assetId === target.assetId);
  expect(again?.reason, 'the server has it Failed again').toBe(`timed out after ${TIMEOUT_MS} ms`);
  await expect(result).toHaveAttribute('data-again', '1');
  await expect(result).toContainText(`0 tracked, 1 failed again: 1 × ${again?.reason ?? ''}`);
  await expect(item.getByTestId('int-failed-again')).toBeVisible();
  await item.scrollIntoViewIfNeeded(); // the row and the re-sync result above the list, both in the shot
  await page.screenshot({ path: `${SHOTS}/sync-truth-c-resync-failed-again.png` });

  // Healed, Re-sync all failed: the re-sync area says they are tracked now, as the server does.
  await rule(null);
  await page.getByTestId('int-resync-all-failed').click();
  await page.getByRole('dialog').getByRole('button', { name: /Re-sync 2 failed assets/ }).click();
  await expect(result).toHaveAttribute('data-phase', 'settled', { timeout: 30_000 });
  await expect(result).toHaveAttribute('data-again', '0');
  await expect(result).toContainText('2 tracked');
  expect((await assetsOf(name, 'Failed')).length).toBe(0);
  // The Sync all's own end stays what it was (2 failed); beside it, what the integration says now, as the server does.
  const now = await entry(name);
  expect(now).toMatchObject({ Failed: 0, Pending: 0 });
  const done = page.getByTestId('int-detail').getByTestId('int-sync-done');
  await expect(done.getByTestId('int-sync-headline')).toHaveText('Completed with failures');
  await expect(done.getByTestId('int-sync-since')).toHaveText(`Now, after later retries and re-syncs: ${now.Tracked} tracked · 0 failed`);
  await expect(done.getByTestId('int-sync-since')).toHaveAttribute('data-tone', 'ok');
  await page.screenshot({ path: `${SHOTS}/sync-truth-c-resync-tracked.png` });
});

test('(b) an endpoint that refuses connections: Sync all ends saying nothing was delivered, and why', async ({ page }) => {
  test.setTimeout(120_000);
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const { name, uris } = await setUp('Refused', 5, `http://127.0.0.1:${closed}/webhook`);
  await syncAllFromUi(page, name);
  const server = await syncEnded(name);
  const failed = await assetsOf(name, 'Failed');
  expect(failed).toHaveLength(uris.length);
  expect.soft(server.Sync, 'the server\'s own tally of this Sync all').toMatchObject({ Delivered: 0, Failed: uris.length });
  const done = page.getByTestId('int-detail').getByTestId('int-sync-done');
  await expect(done).toHaveAttribute('data-tone', 'bad');
  await expect(done.getByTestId('int-sync-headline')).toHaveText('Nothing delivered');
  await expect(done.getByTestId('int-sync-detail')).toHaveText(`${uris.length} failed: ${grouped(failed)}`);
  expect(grouped(failed)).toMatch(/ECONNREFUSED/);
  await page.screenshot({ path: `${SHOTS}/sync-truth-b-refused.png` });
});

test('(d) all healthy: Sync all ends green with every asset tracked', async ({ page }) => {
  test.setTimeout(120_000);
  await rule(null);
  const { name, uris } = await setUp('Healthy', 6, receiver.url, HEALTHY_TIMEOUT_MS);
  await syncAllFromUi(page, name);
  const server = await syncEnded(name);
  // The server's reasons first: a count alone does not say why an asset is missing.
  expect(grouped(await assetsOf(name, 'Failed')), 'the server\'s Failed list').toBe('');
  expect.soft(server.Sync, 'the server\'s own tally of this Sync all').toMatchObject({ Delivered: uris.length, Failed: 0, Pending: 0 });
  expect((await assetsOf(name, 'Tracked')).length).toBe(uris.length);
  const done = page.getByTestId('int-detail').getByTestId('int-sync-done');
  await expect(done).toHaveAttribute('data-tone', 'ok');
  await expect(done.getByTestId('int-sync-headline')).toHaveText('Completed');
  await expect(done.getByTestId('int-sync-headline')).toHaveClass(/int-ok/);
  await expect(done.getByTestId('int-sync-detail')).toHaveText(`all ${uris.length} tracked`);
  await page.screenshot({ path: `${SHOTS}/sync-truth-d-healthy.png` });
});
