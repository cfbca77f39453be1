/**
 * The Integrations view against the real demo services: the demo's integration posts to a real receiver whose
 * failure rule fails one asset. Every flow is checked in the page and against the server's own answers (fresh Gets
 * and QueryIntegrationAssets through the test's bridge line) and the receiver's admin API:
 * - the failed asset is listed with its reason and attempt history; the note on the demo receiver names what its rule
 *   drops (the receiver's own rule); "Heal the demo receiver" clears that rule (GET /admin/rule says so) and Re-sync
 *   moves the asset to Tracked; "Break it again" puts the rule back;
 * - Sync all asks for the integration's name, states how many assets it sends (the server's Total), shows progress,
 *   can be cancelled, and completes, with the counts in the page equal to the server's;
 * - Enabled off pauses delivery (a new commit's assets stay Pending, the receiver gets nothing; the Pending list is
 *   paged with Load more, two are re-synced from a multi-select), on resumes it: all become Tracked;
 * - the configuration editor checks fields inline, creates, edits and deletes (typed name) an integration.
 * Screenshots go to test-results/screenshots/integrations-*.png; axe in both themes.
 */
import { mkdir } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';
import { breakAgainFromNote, healFromNote } from './demo-receiver-note.ts';
import { commitEmptyFiles } from './empty-commit.ts';
import { openPanel } from './panel-host.ts';
import { seriousViolations } from './a11y.ts';

const SERVER = 'AssetHubServer';
const SHOTS = 'test-results/screenshots';

interface Entry {
  Name: string;
  Enabled: boolean;
  EndpointUrl: string;
  Filter: string;
  Configuration: Record<string, unknown>;
  TenantId: string;
  SecretSet: boolean;
  Repositories: string[];
  Tracked: number;
  Failed: number;
  Pending: number;
  Sync: { Running: boolean; Current: number; Total: number; Outcome: string } | null;
}
interface Asset { assetId: string; status: string; reason?: string; attempts: Array<{ deliveryId: string }>; integrationState?: string; uri: string; repository: string; branch: string }
interface Received { seq: number; uri: string; outcome: string; deliveryId: string }

let bridge: BridgeClient;
/** The demo's integration, its receiver and the receiver's failure rule as the demo set it. */
let demo: { name: string; receiver: string; rule: unknown };

const integrations = async (): Promise<Record<string, Entry>> => (await bridge.get(SERVER, ['Integrations'])) as Record<string, Entry>;
const entry = async (name = demo.name): Promise<Entry> => {
  const e = (await integrations())[name];
  if (!e) throw new Error(`the server has no integration ${name}`);
  return e;
};

/** Every asset of a status, all pages, from the server. */
const assetsOf = (status: 'Tracked' | 'Failed' | 'Pending', name = demo.name): Promise<Asset[]> =>
  bridge.allPages<Asset>(SERVER, 'QueryIntegrationAssets', { Integration: name, Status: status });

async function receiver(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${demo.receiver}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}) });
  if (!res.ok) throw new Error(`receiver ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}
const received = async (): Promise<Received[]> => (await receiver('GET', '/admin/received?limit=100000')) as Received[];
const heal = async () => {
  await receiver('PUT', '/admin/rule', null);
  expect(await receiver('GET', '/admin/rule')).toBeNull();
};

async function openIntegrations(page: Page): Promise<void> {
  await openPanel(page, 'integrations');
  await expect(rowOf(page)).toBeVisible({ timeout: 15_000 });
  await rowOf(page).getByTestId('int-select-row').click();
  await expect(page.getByTestId('int-detail')).toHaveAttribute('data-name', demo.name);
}

const rowOf = (page: Page, name = demo.name): Locator => page.locator(`[data-testid="int-row"][data-name="${name}"]`);
const itemOf = (page: Page, assetId: string): Locator => page.locator(`[data-testid="int-asset"][data-asset="${assetId}"]`);

/** The counts the page shows for an integration, next to the server's. */
async function uiCounts(page: Page, name = demo.name): Promise<Record<string, number>> {
  const row = rowOf(page, name);
  const n = async (s: string) => Number(await row.getByTestId(`int-count-${s}`).getAttribute('data-count'));
  return { Tracked: await n('Tracked'), Failed: await n('Failed'), Pending: await n('Pending') };
}
const serverCounts = async (name = demo.name): Promise<Record<string, number>> => {
  const e = await entry(name);
  return { Tracked: e.Tracked, Failed: e.Failed, Pending: e.Pending };
};
/** The page's counts and the server's, read together: equal once the page has caught up. */
async function countsAgree(page: Page): Promise<string> {
  const [ui, server] = await Promise.all([uiCounts(page), serverCounts()]);
  return JSON.stringify(ui) === JSON.stringify(server) ? 'equal' : `page ${JSON.stringify(ui)} vs server ${JSON.stringify(server)}`;
}

/** Narrows the open list to one asset with the RSQL filter (lists are paged and virtualized). */
async function showOnly(page: Page, status: string, assetId: string): Promise<void> {
  const input = page.getByTestId(`int-list-filter-${status}`).getByTestId('rsql-input');
  await input.fill(`assetId==${assetId}`);
  await input.press('Enter');
  await expect(page.getByTestId('int-list-status')).toContainText(`assetId==${assetId}`);
}


/** Sets Enabled through the page's switch and waits for the server to hold it. */
async function setEnabledFromUi(page: Page, on: boolean): Promise<void> {
  const toggle = rowOf(page).getByTestId('int-enabled');
  await expect(toggle).toBeEnabled();
  if ((await toggle.isChecked()) === on) return;
  await toggle.click();
  await expect(toggle).toBeChecked({ checked: on });
  await expect.poll(async () => (await entry()).Enabled, { timeout: 15_000 }).toBe(on);
  await expect(rowOf(page).getByTestId('int-enabled-text')).toHaveText(on ? 'Enabled' : 'Paused');
  await expect(page.getByTestId('int-detail-enabled')).toHaveText(on ? 'Enabled' : 'Paused');
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await mkdir(SHOTS, { recursive: true });
  bridge = await BridgeClient.open();
  // The demo's integration (the demo creates it once its show is built): the first one, by name, that posts to a
  // receiver on this machine; the editor test's own integrations are not it.
  let found: Entry | undefined;
  await expect.poll(async () => {
    const all = await integrations().catch(() => ({} as Record<string, Entry>));
    found = Object.values(all)
      .filter((e) => !e.Name.startsWith('E2E') && new URL(e.EndpointUrl).hostname === '127.0.0.1')
      .sort((a, b) => a.Name.localeCompare(b.Name))[0];
    return found?.Name ?? null;
  }, { timeout: 90_000, intervals: [500, 1000, 2000] }).not.toBeNull();
  const name = (found as Entry).Name;
  demo = { name, receiver: new URL((found as Entry).EndpointUrl).origin, rule: null };
  demo.rule = await receiver('GET', '/admin/rule');
});

test.afterAll(async () => {
  // Leave the demo as it was found: deliveries on, the receiver's rule back.
  if (demo) {
    await bridge.invoke('set', { service: SERVER, path: ['Integrations', demo.name, 'Enabled'], value: true }).catch(() => {});
    await receiver('PUT', '/admin/rule', demo.rule).catch(() => {});
  }
  bridge?.close();
});

test('the failed asset is shown with its reason and attempts; healed, Re-sync moves it to Tracked', async ({ page }) => {
  test.setTimeout(240_000);
  // The receiver's rule fails one asset of the demo: it lands in Failed once the retries of the policy are used.
  await expect.poll(async () => (await entry()).Failed, { timeout: 150_000, intervals: [500, 1000, 2000] }).toBeGreaterThan(0);
  const failed = await assetsOf('Failed');
  expect(failed.length).toBeGreaterThan(0);
  const target = failed[0] as Asset;
  expect(target.reason, 'the server records why it failed').toBeTruthy();

  await openIntegrations(page);
  await expect.poll(() => countsAgree(page), { timeout: 15_000 }).toBe('equal');
  await rowOf(page).getByTestId('int-count-Failed').click();
  await expect(page.getByTestId('int-tab-Failed')).toHaveAttribute('aria-selected', 'true');
  const item = itemOf(page, target.assetId);
  await expect(item).toBeVisible();
  await expect(item.getByTestId('int-reason')).toHaveText(target.reason as string);
  await expect(item.getByTestId('int-attempt-count')).toHaveText(String(target.attempts.length));
  await expect(item.getByTestId('int-next-retry')).toHaveCount(0); // Failed: no more retries
  await item.getByTestId('int-expand').click();
  await expect(item.getByTestId('int-attempt')).toHaveCount(target.attempts.length);
  for (const a of target.attempts) await expect(item.getByTestId('int-attempts')).toContainText(a.deliveryId);
  await expect(item.getByTestId('int-attempt-result').first()).not.toBeEmpty();
  await item.getByTestId('int-attempts').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300); // let the measured row settle before the screenshot
  await page.screenshot({ path: `${SHOTS}/integrations-failed.png` });
  expect(await seriousViolations(page, 'integrations (failed)')).toEqual([]);

  // The note names what the receiver's rule drops; healed from the page (the engine calls the receiver), it has none.
  const { note, rule } = await healFromNote(page, () => receiver('GET', '/admin/rule'), target.uri, `${SHOTS}/integrations`);
  await item.getByTestId('int-resync-one').click();
  await expect.poll(async () => (await assetsOf('Tracked')).some((a) => a.assetId === target.assetId), { timeout: 60_000 }).toBe(true);
  expect((await assetsOf('Failed')).some((a) => a.assetId === target.assetId)).toBe(false);
  // The page follows: the asset leaves the Failed list by itself and is in Tracked with the receiver's state.
  await expect(itemOf(page, target.assetId)).toHaveCount(0, { timeout: 15_000 });
  await page.getByTestId('int-tab-Tracked').click();
  await showOnly(page, 'Tracked', target.assetId);
  const tracked = itemOf(page, target.assetId);
  await expect(tracked).toBeVisible();
  await tracked.getByTestId('int-expand').click();
  const state = (await assetsOf('Tracked')).find((a) => a.assetId === target.assetId)?.integrationState ?? '';
  expect(state).not.toBe('');
  await expect(tracked.getByTestId('int-state')).toHaveText(JSON.stringify(JSON.parse(state), null, 2));
  await expect(tracked.getByTestId('int-last-synced')).toBeVisible();
  await tracked.getByTestId('int-state').scrollIntoViewIfNeeded();
  await expect.poll(() => countsAgree(page), { timeout: 15_000 }).toBe('equal');
  await page.screenshot({ path: `${SHOTS}/integrations-tracked.png` });

  // Broken again from the page, for the next demo: the receiver has the rule it had.
  await breakAgainFromNote(note, () => receiver('GET', '/admin/rule'), rule);
});

/** Opens "Sync all assets…", checks the confirmation (typed name) and starts it; returns the count it stated. */
async function startSyncAll(page: Page, shot?: string): Promise<number> {
  await page.getByTestId('int-tab-Tracked').click();
  await page.getByTestId('int-sync-all').click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Sync all assets of ${demo.name}?`);
  const count = dialog.getByTestId('int-syncall-count');
  await expect(count).toHaveAttribute('data-phase', 'done', { timeout: 30_000 });
  const counted = Number(await count.getAttribute('data-total'));
  expect(counted).toBeGreaterThan(0);
  const confirm = dialog.getByRole('button', { name: 'Sync all assets' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox').fill(`${demo.name}x`);
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox').fill(demo.name);
  await expect(confirm).toBeEnabled();
  if (shot) await page.screenshot({ path: `${SHOTS}/${shot}.png` });
  await confirm.click();
  await expect(dialog).toHaveCount(0);
  // The server took it, with the Total the dialog stated.
  await expect.poll(async () => (await entry()).Sync?.Running ?? false).toBe(true);
  expect((await entry()).Sync?.Total).toBe(counted);
  return counted;
}

test('Sync all asks for the name, states what it sends, shows progress, cancels, and completes', async ({ page }) => {
  test.setTimeout(240_000);
  await heal();
  if ((await entry()).Failed > 0) await bridge.call(SERVER, 'ResyncAssets', { Integration: demo.name, AllFailed: true });
  await expect.poll(async () => {
    const e = await entry();
    return e.Failed + e.Pending;
  }, { timeout: 60_000 }).toBe(0);
  await openIntegrations(page);
  // Paused first, so the Sync all is seen from its start: it only sends while deliveries are on.
  await setEnabledFromUi(page, false);
  const detail = page.getByTestId('int-detail');

  // Started, seen at 0 while paused, then cancelled where it stands.
  const first = await startSyncAll(page, 'integrations-syncall-confirm');
  expect((await entry()).Sync?.Total).toBe(first);
  await expect(detail.getByTestId('int-sync-bar')).toHaveAttribute('aria-valuenow', '0');
  await expect(detail.getByTestId('int-sync-paused')).toBeVisible();
  await detail.getByTestId('int-sync-cancel').click();
  await expect.poll(async () => (await entry()).Sync?.Outcome).toBe('Cancelled');
  await expect(detail.getByTestId('int-sync-done')).toHaveAttribute('data-outcome', 'Cancelled');
  await expect(rowOf(page).getByTestId('int-sync-done')).toHaveAttribute('data-outcome', 'Cancelled');

  // Started again, and run to the end once deliveries are on.
  const counted = await startSyncAll(page);
  const bar = detail.getByTestId('int-sync-bar');
  await expect(bar).toHaveAttribute('aria-valuemax', String(counted));
  await expect(bar).toHaveAttribute('aria-valuenow', '0');
  await expect(detail.getByTestId('int-sync-amount')).toHaveText(`0 of ${counted.toLocaleString('en-US')}`);
  await expect(rowOf(page).getByTestId('int-sync-running')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/integrations-syncall-running.png` });
  await page.evaluate(() => {
    const w = window as unknown as { __progress: number[] };
    w.__progress = [];
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="int-detail"] [data-testid="int-sync-bar"]');
      const v = el?.getAttribute('aria-valuenow');
      if (v !== null && v !== undefined && w.__progress.at(-1) !== Number(v)) w.__progress.push(Number(v));
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
  const before = (await received()).at(-1)?.seq ?? 0;

  await setEnabledFromUi(page, true);
  await expect.poll(async () => (await entry()).Sync?.Outcome, { timeout: 120_000 }).toBe('Completed');
  expect((await entry()).Sync?.Current).toBe(counted);
  const outcome = detail.getByTestId('int-sync-done');
  await expect(outcome).toHaveAttribute('data-outcome', 'Completed', { timeout: 15_000 });
  await expect(outcome).toContainText(`${counted.toLocaleString('en-US')} of ${counted.toLocaleString('en-US')}`);
  // Progress only ever went forward.
  const seen = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
  expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  // Every asset went to the receiver again, and nothing is left failed or pending.
  await expect.poll(async () => (await received()).filter((r) => r.seq > before && (r.outcome === 'answered' || r.outcome === 'duplicate')).length, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(counted);
  await expect.poll(async () => {
    const e = await entry();
    return e.Failed + e.Pending;
  }, { timeout: 60_000 }).toBe(0);
  await expect.poll(() => countsAgree(page), { timeout: 15_000 }).toBe('equal');
  await page.screenshot({ path: `${SHOTS}/integrations-syncall-done.png` });
});

test('Enabled off pauses delivery (a new commit stays Pending, paged list, multi-select); on resumes it and all become Tracked', async ({ page }) => {
  test.setTimeout(240_000);
  await heal();
  const e = await entry();
  const repos = (await bridge.call(SERVER, 'GetRepositories', {})) as Array<{ Name: string; Branches: Array<{ Name: string }> }>;
  // Project Alpha, where the other specs push too, when the integration follows it.
  const followed = repos.filter((r) => e.Repositories.length === 0 || e.Repositories.includes(r.Name));
  const repo = followed.find((r) => r.Name.endsWith('\\Project Alpha')) ?? followed[0];
  if (!repo) throw new Error('the integration follows no repository');
  const branch = repo.Branches[0]?.Name ?? 'Main';
  // More than one page (100) of new assets, in one commit: textures, what a filter is most likely to take.
  const stamp = Date.now();
  const uris = Array.from({ length: 120 }, (_, i) => `FileSystem:/Content/E2E/Integration_${stamp}/T_${String(i).padStart(3, '0')}.png`);
  const mine = new Set(uris);

  await openIntegrations(page);
  await setEnabledFromUi(page, false);
  await commitEmptyFiles(bridge, repo.Name, branch, uris);
  // The commit is turned into work while paused, and nothing is sent.
  await expect.poll(async () => (await assetsOf('Pending')).filter((a) => mine.has(a.uri)).length, { timeout: 30_000 }).toBe(uris.length);
  const pendingIds = (await assetsOf('Pending')).filter((a) => mine.has(a.uri)).map((a) => a.assetId);
  expect((await received()).some((r) => mine.has(r.uri)), 'the receiver got nothing while paused').toBe(false);

  await page.getByTestId('int-tab-Pending').click();
  const list = page.getByTestId('int-list');
  await expect(list).toHaveAttribute('data-count', '100', { timeout: 15_000 });
  await expect(page.getByTestId('int-asset').first()).toContainText('paused');
  // Two selected and re-synced: queued again (still Pending while paused); the list is read again from the start.
  const checks = page.getByTestId('int-select');
  await checks.nth(0).check();
  await checks.nth(1).check();
  await expect(page.getByTestId('int-resync-selected')).toHaveText('Re-sync selected (2)');
  await page.getByTestId('int-resync-selected').click();
  await expect(page.getByText('2 assets queued for delivery')).toBeVisible();
  await expect(page.getByTestId('int-resync-selected')).toHaveText('Re-sync selected');
  expect((await received()).some((r) => mine.has(r.uri))).toBe(false);
  // The next page by cursor.
  await expect(list).toHaveAttribute('data-count', '100');
  await page.getByTestId('int-load-more').click();
  const pendingNow = (await entry()).Pending;
  expect(pendingNow).toBeGreaterThanOrEqual(uris.length);
  await expect(list).toHaveAttribute('data-count', String(pendingNow));
  await expect(page.getByTestId('int-all-loaded')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/integrations-paused.png` });

  await setEnabledFromUi(page, true);
  await expect.poll(async () => {
    const tracked = new Set((await assetsOf('Tracked')).map((a) => a.assetId));
    return pendingIds.filter((id) => !tracked.has(id)).length;
  }, { timeout: 120_000 }).toBe(0);
  const answered = new Set((await received()).filter((r) => r.outcome === 'answered').map((r) => r.uri));
  expect(uris.filter((u) => !answered.has(u))).toEqual([]);
  // A list of more than one page is not re-read under the operator's eyes: it says it is out of date.
  await expect(page.getByTestId('int-stale')).toBeVisible({ timeout: 15_000 });
  await page.getByTestId('int-stale').getByRole('button', { name: 'Read again' }).click();
  await expect(page.getByTestId('int-list-empty')).toBeVisible();
  await expect.poll(() => countsAgree(page), { timeout: 15_000 }).toBe('equal');
});

test('the configuration editor: inline checks, create (paused), edit, delete with the typed name', async ({ page }) => {
  test.setTimeout(120_000);
  const name = `E2E.Hook ${Date.now()}`;
  await openIntegrations(page);
  await page.getByTestId('int-new').click();
  const editor = page.getByTestId('int-editor');
  await expect(editor).toBeVisible();
  await editor.getByTestId('int-cfg-name').fill(name);
  await editor.getByTestId('int-cfg-endpoint').fill('localhost:9');
  await editor.getByTestId('int-cfg-configuration').fill('{"a": ');
  await editor.getByTestId('int-cfg-filter').getByTestId('rsql-input').fill('asset.nope==1');
  await editor.getByTestId('int-cfg-batch').fill('0');
  await editor.getByTestId('int-cfg-save').click();
  await expect(editor.getByTestId('int-cfg-EndpointUrl-error')).toContainText('start it with http:// or https://');
  await expect(editor.getByTestId('int-cfg-Configuration-error')).toBeVisible();
  await expect(editor.getByTestId('int-cfg-filter').getByTestId('rsql-error')).toBeVisible();
  await expect(editor.getByTestId('int-cfg-BatchSize-error')).toContainText('1 to 500');
  await expect(editor.getByTestId('int-cfg-Secret-error')).toContainText('needs a secret');
  await page.screenshot({ path: `${SHOTS}/integrations-editor.png` });
  expect(await seriousViolations(page, 'integrations (editor)')).toEqual([]);
  expect((await integrations())[name], 'nothing was sent').toBeUndefined();

  await editor.getByTestId('int-cfg-endpoint').fill(`${demo.receiver}/webhook`);
  await editor.getByTestId('int-cfg-configuration').fill('{"source": "e2e", "n": 1}');
  await editor.getByTestId('int-cfg-filter').getByTestId('rsql-input').fill('asset.type.name==texture');
  await editor.getByTestId('int-cfg-batch').fill('25');
  await editor.getByTestId('int-cfg-secret').fill('e2e-secret');
  await editor.getByTestId('int-cfg-enabled').uncheck();
  const repo = await editor.getByTestId('int-cfg-repo').first().getAttribute('data-repo');
  await editor.getByTestId('int-cfg-repo').first().check();
  await editor.getByTestId('int-cfg-save').click();
  await expect(editor).toHaveCount(0, { timeout: 15_000 });
  const created = (await integrations())[name] as Entry;
  expect(created).toMatchObject({ Enabled: false, SecretSet: true, Filter: 'asset.type.name==texture', Configuration: { source: 'e2e', n: 1 }, Repositories: [repo] });
  await expect(rowOf(page, name)).toBeVisible();
  await expect(page.getByTestId('int-detail')).toHaveAttribute('data-name', name);
  await expect(page.getByTestId('int-detail-enabled')).toHaveText('Paused');

  // Edit: the secret is kept when left empty.
  await rowOf(page, name).getByTestId('int-edit').click();
  await expect(editor.getByTestId('int-cfg-name')).toHaveAttribute('readonly', '');
  await expect(editor.getByTestId('int-cfg-secret')).toHaveValue('');
  await editor.getByTestId('int-cfg-tenant').fill('tenant-e2e');
  await editor.getByTestId('int-cfg-save').click();
  await expect(editor).toHaveCount(0, { timeout: 15_000 });
  expect((await integrations())[name]).toMatchObject({ TenantId: 'tenant-e2e', SecretSet: true });

  // Delete: only with the name typed.
  await page.getByTestId('int-delete').click();
  const dialog = page.getByRole('dialog');
  const confirm = dialog.getByRole('button', { name: 'Delete integration' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox').fill(name);
  await confirm.click();
  await expect(rowOf(page, name)).toHaveCount(0, { timeout: 15_000 });
  expect((await integrations())[name]).toBeUndefined();
});

test('light theme: screenshot, no serious or critical axe violations', async ({ page }) => {
  await openIntegrations(page);
  await page.getByRole('button', { name: /Switch to the light theme/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('int-tab-Tracked').click();
  await expect(page.getByTestId('int-list')).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: `${SHOTS}/integrations-light.png` });
  expect(await seriousViolations(page, 'integrations (light)')).toEqual([]);
  await page.getByRole('button', { name: /Switch to the dark theme/ }).click();
});
