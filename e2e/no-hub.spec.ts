/**
 * A panel that cannot reach its hub says so on every view, with the reason and the way to change the hub: a browser
 * host started on a closed port (its URL printed at once, not after a wait), on an unknown host, with a wrong token
 * against a hub that has one, and on a hub that goes away mid-session and comes back.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { freePort } from '../services/testing/ports.ts';
import { seriousViolations } from './a11y.ts';
import { startServed, type Served } from './serve-process.ts';

const SHOTS = 'test-results/screenshots';
const VIEWS = ['overview', 'workspaces', 'repositories', 'assets', 'integrations', 'claims', 'conflicts', 'log', 'connection'];
const URL_LINE = /Asset Hub Panel: http:\/\/127\.0\.0\.1:\d+\//;

const running: Served[] = [];
const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `assethub-e2e-${name}-`));
  dirs.push(dir);
  return dir;
};
test.afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startHost(hubUrl: string, extra: string[] = []): Promise<Served> {
  const host = await startServed('app/dist/main/web.mjs', ['--port', '0', '--hub', hubUrl, '--user-data', tempDir('settings'), ...extra], 60_000);
  running.push(host);
  return host;
}

async function startServices(args: string[]): Promise<Served> {
  const services = await startServed('app/dist/services/cli.mjs', ['--storage-port', '0', '--clients', 'STAGE-A', ...args], 60_000, /Asset Hub services ready on (ws:\/\/\S+)/);
  running.push(services);
  return services;
}

/** Every view carries the banner with `headline`, and the change-hub control; the views' own content is `content`. */
async function expectEveryView(page: Page, headline: RegExp, content: 'nothing' | 'stale'): Promise<void> {
  for (const view of VIEWS) {
    await page.getByTestId(`nav-${view}`).click();
    const banner = page.getByTestId('not-connected');
    await expect(banner, view).toBeVisible();
    await expect(page.getByTestId('not-connected-headline'), view).toHaveText(headline);
    await expect(page.getByTestId('change-hub'), view).toBeVisible();
    if (view === 'connection') continue;
    if (content === 'nothing') {
      await expect(page.locator('main > :not([data-testid="not-connected"])'), view).toHaveCount(0);
    } else {
      await expect(page.getByTestId('stale-content'), view).toBeVisible();
    }
  }
}

test.beforeEach(() => {
  mkdirSync(SHOTS, { recursive: true });
});

test('a closed port: the URL comes at once, every view says the connection is refused, and leads to the hub form', async ({ page }) => {
  const closed = await freePort();
  const host = await startHost(`ws://127.0.0.1:${closed}`);
  // The URL line is the first thing said about the connection: no warning about a hub that did not answer before it.
  const beforeUrl = host.output().split(URL_LINE)[0] ?? '';
  expect(beforeUrl).not.toMatch(/Warning|not connected|connected to/i);

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(host.url);
  await expectEveryView(page, /cannot reach the hub: connection refused/i, 'nothing');
  await expect(page.getByTestId('not-connected-detail')).toContainText('ECONNREFUSED');
  await expect(page.getByTestId('not-connected-data')).toContainText('Nothing is known from this hub yet');
  await expect(page.getByTestId('connection-state')).not.toHaveText('Connected');
  // The status bar says why too, beside its countdown.
  await expect(page.getByTestId('connection-state')).toContainText(/Reconnecting.* · connection refused/);

  await page.getByTestId('nav-overview').click();
  await page.screenshot({ path: `${SHOTS}/no-hub-refused-overview.png` });
  await page.getByTestId('nav-assets').click();
  await page.screenshot({ path: `${SHOTS}/no-hub-refused-assets.png` });
  expect(await seriousViolations(page, 'no hub: refused')).toEqual([]);

  // The change-hub control, by keyboard: to the Connection view, the focus in the hub form.
  await page.getByTestId('change-hub').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('nav-connection')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('hub-kind-ws')).toBeFocused();
  await page.screenshot({ path: `${SHOTS}/no-hub-refused-connection-form.png` });
});

test('an unknown host: every view says so', async ({ page }) => {
  const host = await startHost('ws://no-such-host.invalid:1');
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(host.url);
  await expectEveryView(page, /cannot reach the hub: unknown host/i, 'nothing');
  await expect(page.getByTestId('not-connected-detail')).toContainText(/ENOTFOUND|EAI_AGAIN/);
  await page.getByTestId('nav-overview').click();
  await page.screenshot({ path: `${SHOTS}/no-hub-unknown-host.png` });
});

test('a wrong token against a hub with one: every view says the token was refused', async ({ page }) => {
  const port = await freePort();
  const services = await startServices(['--data', tempDir('services'), '--port', String(port), '--token', 'the-right-token']);
  const hubUrl = /ready on (ws:\/\/\S+)/.exec(services.output())?.[1] ?? '';
  const host = await startHost(hubUrl, ['--token', 'a-wrong-token']);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(host.url);
  await expectEveryView(page, /cannot reach the hub: the hub refused the token/i, 'nothing');
  await expect(page.getByTestId('not-connected-detail')).toContainText('HTTP 401');
  await expect(page.getByTestId('not-connected-retry')).toContainText('Not retrying');
  await page.getByTestId('nav-overview').click();
  await page.screenshot({ path: `${SHOTS}/no-hub-wrong-token.png` });
});

test('a hub that goes away mid-session: every view shows the lost connection over stale data, then fresh data when it is back', async ({ page }) => {
  test.setTimeout(180_000);
  const port = await freePort();
  const data = tempDir('services');
  const args = ['--data', data, '--port', String(port)];
  const services = await startServices(args);
  const host = await startHost(`ws://127.0.0.1:${port}`);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(host.url);
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 30_000 });
  await page.getByTestId('nav-connection').click();
  const server = page.locator('[data-testid="service-row"][data-service="AssetHubServer"]');
  await expect(server).toHaveAttribute('data-online', 'true', { timeout: 30_000 });
  const startedBefore = await server.getAttribute('data-started');
  await expect(page.getByTestId('not-connected')).toHaveCount(0);

  services.child.kill('SIGKILL');
  await services.stop();
  running.splice(running.indexOf(services), 1);
  await expectEveryView(page, /lost the connection to the hub: (connection refused|connection lost)/i, 'stale');
  await expect(page.getByTestId('not-connected-data')).toContainText('the last known data, from');
  await page.getByTestId('nav-overview').click();
  await page.screenshot({ path: `${SHOTS}/no-hub-lost-overview.png` });
  await page.getByTestId('nav-connection').click();
  await page.screenshot({ path: `${SHOTS}/no-hub-lost-connection.png` });

  await startServices(args);
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 60_000 });
  for (const view of VIEWS) {
    await page.getByTestId(`nav-${view}`).click();
    await expect(page.getByTestId('not-connected'), view).toHaveCount(0);
    await expect(page.getByTestId('stale-content'), view).toHaveCount(0);
  }
  // Fresh: the server row is the restarted server's, online.
  await page.getByTestId('nav-connection').click();
  await expect(server).toHaveAttribute('data-online', 'true', { timeout: 30_000 });
  await expect(server).not.toHaveAttribute('data-started', startedBefore ?? '', { timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/no-hub-back.png` });
});
