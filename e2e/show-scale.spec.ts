// A whole show on one hub (issue 20): a private hub and browser host, and SHOW_MACHINES (default 200) client machines
// of 5 workspaces each, real hub peers under client names (e2e/show-clients.ts). The Overview and Workspaces keep a
// bounded number of cards and rows in the DOM, put the machines that need attention first and keep them in place
// while progress ticks, filter by state (with counts) and by typed machine name, redraw only the card whose machine
// changed, and a bulk AutoPull reports confirmed / refused / not answering per machine. Figures go to the console;
// SHOW_SCREENSHOTS=1 saves /tmp/showui-overview.png and /tmp/showui-workspaces.png.
import { expect, test, type Page } from '@playwright/test';
import { startHub, type Hub } from '../services/datahub/index.ts';
import { silentLogger } from '../services/lib/log.ts';
import { startServed, type Served } from './serve-process.ts';
import { BridgeClient } from './bridge-client.ts';
import type { Snapshot } from '../shared/panel/api.ts';
import { REPOSITORY, startShowClient, type ShowClient, type ShowMachine } from './show-clients.ts';

const MACHINES = Number(process.env.SHOW_MACHINES ?? 200);
const PER_MACHINE = 5;
const SCREENSHOTS = process.env.SHOW_SCREENSHOTS === '1';

const name = (i: number) => `STAGE-${String(i).padStart(3, '0')}`;
const plan: ShowMachine[] = Array.from({ length: MACHINES }, (_, i) => ({
  machine: name(i),
  service: `${name(i)}-AssetHubClient`,
  behaviour: i % 40 === 1 ? 'refuse' : i % 40 === 2 ? 'silent' : 'confirm',
  kind: i % 50 === 4 ? 'conflicts' : i % 10 === 3 ? 'syncing' : i % 10 === 5 ? 'outofsync' : 'uptodate',
  localChanges: i % 100 === 7 ? 3000 : i % 3,
}));
/** The machine that goes away: Offline, first of all. */
const GONE = MACHINES - 1;
const count = (pick: (m: ShowMachine, i: number) => boolean) => plan.filter((m, i) => i !== GONE && pick(m, i)).length;
const expected = {
  Offline: 1,
  Conflicts: count((m) => m.kind === 'conflicts'),
  Syncing: count((m) => m.kind === 'syncing'),
  'Out of sync': count((m) => m.kind === 'outofsync'),
  'Up to date': count((m) => m.kind === 'uptodate'),
};

let hub: Hub;
let host: Served;
const clients: ShowClient[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  hub = await startHub({ port: 0, logger: silentLogger(), maxFrameBytes: 64 * 1024 * 1024 });
  host = await startServed('app/dist/main/web.mjs', ['--port', '0', '--hub', hub.url], 60_000);
  for (let i = 0; i < plan.length; i += 50) clients.push(...(await Promise.all(plan.slice(i, i + 50).map((m) => startShowClient(hub.url, m, PER_MACHINE)))));
  // Gone after the panel's engine has heard it answer Identify (its Self gives the entry a version): a machine that
  // went away, which the panel keeps listing as Offline (one never identified would be forgotten as a name anyone can send).
  const bridge = await BridgeClient.open(host.url);
  const versionOf = async () => ((await bridge.invoke('hello', {})) as Snapshot).services.find((s) => s.name === plan[GONE]!.service)?.version ?? null;
  await expect.poll(versionOf, { timeout: 60_000 }).not.toBeNull();
  bridge.close();
  await clients[GONE]!.host.close();
});

test.afterAll(async () => {
  await Promise.all(clients.map((c) => c.host.close()));
  await host?.stop();
  await hub?.close();
});

async function open(page: Page, view: 'overview' | 'workspaces'): Promise<void> {
  await page.addInitScript((v) => sessionStorage.setItem('assethub.view', v), view);
  await page.goto(host.url);
  await expect(page.getByTestId('connection-state')).toContainText('Connected');
  // Every machine read: the counts per state are the plan's (the machine that went away shows Offline).
  for (const [state, n] of Object.entries(expected)) {
    await expect(page.locator(`[data-testid="state-count"][data-state="${state}"]`), state).toHaveAttribute('data-count', String(n), { timeout: 60_000 });
  }
}

const services = (page: Page, testId: string, attribute: string) =>
  page.getByTestId(testId).evaluateAll((els, a) => els.map((e) => e.getAttribute(a) ?? ''), attribute);

/** Attention first: Offline, Conflicts, then Syncing and Out of sync together, Up to date; by name within each. */
function attentionOrder(): string[] {
  const rank = (m: ShowMachine, i: number) => (i === GONE ? 0 : m.kind === 'conflicts' ? 1 : m.kind === 'syncing' || m.kind === 'outofsync' ? 2 : 3);
  return plan.map((m, i) => ({ m, r: rank(m, i) })).sort((a, b) => a.r - b.r || a.m.machine.localeCompare(b.m.machine)).map((x) => x.m.service);
}

test('Overview: a bounded number of cards, attention first and in place across progress ticks, state and machine filters, one card redrawn per Update', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page, 'overview');
  const cards = page.locator('[data-testid="machine-card"]:not([data-service="AssetHubServer"])');
  const shown = await cards.count();
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThanOrEqual(24);
  const order = attentionOrder();
  const first = (await services(page, 'machine-card', 'data-service')).filter((s) => s !== 'AssetHubServer');
  expect(first).toEqual(order.slice(0, first.length));
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);

  // Among the machines whose names contain STAGE-01: STAGE-013 syncing, STAGE-015 out of sync, then the rest.
  await page.getByTestId('machine-filter').fill('stage-01');
  await expect(page.getByTestId('ov-machines')).toHaveAttribute('data-count', '10');
  const some = async () => (await services(page, 'machine-card', 'data-service')).filter((s) => s !== 'AssetHubServer');
  const filtered = await some();
  expect(filtered).toEqual(attentionOrder().filter((s) => s.startsWith('STAGE-01')).slice(0, filtered.length));
  expect(filtered.slice(0, 2)).toEqual([plan[13]!.service, plan[15]!.service]);

  // A progress tick redraws the card of the machine that ticked, and no other.
  await page.evaluate(() => {
    const w = window as unknown as { __mutated: Set<string> };
    w.__mutated = new Set();
    new MutationObserver((records) => {
      for (const r of records) {
        const node = r.target instanceof Element ? r.target : r.target.parentElement;
        // "seen 3 s ago" follows the clock in every card; anything else is a redraw for an Update.
        if (!node || node.closest('.ov-live')) continue;
        const card = node.closest('[data-testid="machine-card"]');
        // The server's card follows the hub's own figures (messages per second).
        if (card && card.getAttribute('data-service') !== 'AssetHubServer') w.__mutated.add(card.getAttribute('data-service') ?? '');
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const summaryOf = (i: number) => page.locator(`[data-testid="machine-card"][data-service="${plan[i]!.service}"] [data-testid="machine-summary"]`);
  clients[13]!.tick(0.77);
  await expect(summaryOf(13)).toHaveText('Syncing 77%');
  expect(await page.evaluate(() => [...(window as unknown as { __mutated: Set<string> }).__mutated])).toEqual([plan[13]!.service]);

  // Syncing ↔ Out of sync, and percent changes, move no card: same rank, so by name.
  clients[13]!.tick(0, 'outofsync');
  clients[15]!.tick(0.12, 'syncing');
  await expect(summaryOf(13)).toHaveText('Out of sync');
  await expect(summaryOf(15)).toHaveText('Syncing 12%');
  expect(await some()).toEqual(filtered);
  clients[15]!.tick(0.93, 'syncing');
  await expect(summaryOf(15)).toHaveText('Syncing 93%');
  expect(await some()).toEqual(filtered);
  clients[13]!.tick(0.4, 'syncing');
  clients[15]!.tick(0, 'outofsync');
  await expect(summaryOf(15)).toHaveText('Out of sync');
  await page.getByTestId('machine-filter').fill('');

  // Filter by state.
  await page.getByTestId('state-filter').selectOption('Conflicts');
  await expect(page.getByTestId('ov-machines')).toHaveAttribute('data-count', String(expected.Conflicts));
  const conflicted = await cards.count();
  expect(conflicted).toBeGreaterThan(0);
  await expect(cards.getByTestId('machine-summary')).toHaveText(Array(conflicted).fill('Conflicts'));
  await page.locator('[data-testid="state-count"][data-state="Offline"]').click();
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toHaveAttribute('data-service', plan[GONE]!.service);
  await page.getByTestId('state-filter').selectOption('');

  // Type one whole name: that machine alone (not STAGE-0120…), remembered across a reload.
  await page.getByTestId('machine-filter').fill('STAGE-012');
  await expect(cards).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId('machine-filter')).toHaveValue('STAGE-012');
  await expect(cards).toHaveCount(1);
  await page.getByTestId('machine-filter').fill('');
  await expect(cards).toHaveCount(shown);
  console.log(`show-scale overview: ${MACHINES} machines, ${shown} cards in the DOM, ${domNodes} elements in the page`);
  if (SCREENSHOTS) await page.screenshot({ path: '/tmp/showui-overview.png' });
});

test('Workspaces: a bounded number of rows, attention first, and a bulk AutoPull with its outcome per machine', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page, 'workspaces');
  const rows = await page.getByTestId('ws-row').count();
  expect(rows).toBeGreaterThan(0);
  expect(rows).toBeLessThanOrEqual(40);
  const groups = (await services(page, 'ws-machine', 'data-machine')).map((m) => `${m}-AssetHubClient`);
  expect(groups).toEqual(attentionOrder().slice(0, groups.length));
  await page.getByTestId('state-filter').selectOption('Out of sync');
  await expect(page.getByTestId('ws-machine').first()).toHaveAttribute('data-machine', plan.find((m) => m.kind === 'outofsync')!.machine);
  await page.getByTestId('state-filter').selectOption('');
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  if (SCREENSHOTS) await page.screenshot({ path: '/tmp/showui-workspaces.png' });

  // Every machine that is up has a workspace of Show0: a Set to each, confirmed, refused or unanswered.
  const up = plan.filter((_, i) => i !== GONE);
  await page.getByTestId('bulk-repo').selectOption(REPOSITORY(0));
  await page.getByTestId('bulk-value').selectOption('on');
  const started = Date.now();
  await page.getByTestId('bulk-apply').click();
  const result = page.getByTestId('bulk-result');
  await expect(result).toHaveAttribute('data-total', String(MACHINES));
  await expect(result).toHaveAttribute('data-confirmed', String(up.filter((m) => m.behaviour === 'confirm').length), { timeout: 60_000 });
  const confirmedMs = Date.now() - started;
  await expect(result).toHaveAttribute('data-pending', '0', { timeout: 90_000 });
  const tookMs = Date.now() - started;
  // The machine that went away cannot confirm either: it is not answering, like the silent ones.
  await expect(result).toHaveAttribute('data-refused', String(up.filter((m) => m.behaviour === 'refuse').length));
  await expect(result).toHaveAttribute('data-silent', String(up.filter((m) => m.behaviour === 'silent').length + 1));
  // Failures first, in a virtualised list.
  const outcomes = page.getByTestId('bulk-outcome');
  await expect(outcomes.first()).toHaveAttribute('data-state', 'refused');
  await expect(outcomes.first()).toContainText(/SET_REFUSED .*no workspace/);
  expect(await outcomes.count()).toBeLessThan(40);
  await expect(page.getByTestId('bulk-progress')).toContainText(`of ${MACHINES} confirmed`);
  // A confirmed machine's own switch shows the value its client now holds.
  const confirmed = up.find((m) => m.behaviour === 'confirm' && groups.includes(m.service));
  if (confirmed) {
    const row = page.locator(`[data-testid="ws-row"][data-machine="${confirmed.machine}"]`).first();
    await expect(row.getByTestId('autopull-toggle')).toBeChecked();
  }
  console.log(`show-scale workspaces: ${MACHINES} machines, ${rows} rows in the DOM, ${domNodes} elements in the page; bulk AutoPull on ${MACHINES}: every confirmation in ${confirmedMs} ms, all answered in ${tookMs} ms (the silent ones wait for the engine's 5 s limit)`);
});

test('show traffic: the longest main-thread task while every syncing machine ticks (a figure, no assertion)', async ({ page }) => {
  test.setTimeout(120_000);
  const figures: Record<string, unknown> = {};
  await page.addInitScript(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  for (const view of ['overview', 'workspaces'] as const) {
    await open(page, view);
    await page.evaluate(() => void ((window as unknown as { __long: number[] }).__long = []));
    const syncing = clients.filter((c, i) => i !== GONE && c.machine.kind === 'syncing');
    const seconds = 10;
    for (let t = 0; t < seconds * 5; t++) {
      for (const c of syncing) c.tick(((t % 20) + 1) / 21);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
    figures[view] = { updatesPerSecond: syncing.length * 5, seconds, longTasks: long.length, longestMs: Math.round(Math.max(0, ...long)) };
  }
  console.log(`show-scale traffic (${MACHINES} machines): ${JSON.stringify(figures)}`);
});
