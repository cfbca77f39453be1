/**
 * The connection screen against the real embedded services: the server and both demo clients online; then the
 * services process is killed (SIGKILL), the panel says it is reconnecting, the host's supervisor starts the services
 * again in the same data folder, and everything is online again with values read afresh.
 */
import { mkdir } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { embeddedHubPattern, panelUrl, servicesPid } from './panel-host.ts';

const SERVER = 'AssetHubServer';
const CLIENTS = ['STAGE-A-AssetHubClient', 'STAGE-B-AssetHubClient'];

const row = (page: Page, service: string) => page.locator(`[data-testid="service-row"][data-service="${service}"]`);

async function expectAllOnline(page: Page, timeout = 15_000): Promise<void> {
  for (const service of [SERVER, ...CLIENTS]) {
    await expect(row(page, service)).toHaveAttribute('data-online', 'true', { timeout });
    await expect(row(page, service).getByTestId('service-status')).toHaveText('Online');
  }
  // Values read from the services, not only their presence: the demo show's repositories and workspaces.
  await expect(row(page, SERVER).getByTestId('service-summary')).toHaveText('3 repositories', { timeout });
  for (const client of CLIENTS) await expect(row(page, client).getByTestId('service-summary')).toHaveText('2 workspaces', { timeout });
}

test('sees the server and both clients online, and comes back after the services are killed', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(panelUrl());
  const state = page.getByTestId('connection-state');
  await expect(state).toHaveText('Connected');
  // The service table lives in the Connection view (the panel opens on the Overview).
  await page.getByTestId('nav-connection').click();
  await expect(page.getByTestId('hub-url')).toHaveText(embeddedHubPattern());
  await expectAllOnline(page);
  await expect(row(page, SERVER).getByTestId('service-last-seen')).toHaveText(/just now|\d+ s ago/);

  await mkdir('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/connection-live.png' });

  const startedBefore = await row(page, SERVER).getAttribute('data-started');
  const pid = servicesPid();
  process.kill(pid, 'SIGKILL');

  await expect(state).toContainText('Reconnecting', { timeout: 15_000 });
  // The countdown, then why (the hub's process is gone: refused or lost).
  await expect(state).toHaveText(/^Reconnecting (in \d+ s|now) \(attempt \d+\) · \S.*$/);
  await page.screenshot({ path: 'test-results/screenshots/connection-reconnecting.png' });

  // The host's supervisor restarts the services on the same data folder; the engine reconnects and reads again.
  await expect(state).toHaveText('Connected', { timeout: 60_000 });
  await expectAllOnline(page, 30_000);
  expect(servicesPid()).not.toBe(pid);
  await expect(row(page, SERVER)).not.toHaveAttribute('data-started', startedBefore ?? '', { timeout: 15_000 });
});
