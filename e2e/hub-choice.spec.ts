/**
 * Choosing the hub from the UI, against real services on both fabrics: a ZeroMQ Data Hub answering on the "local
 * Pixotope ports" (here: free ports given to the host with --local-hub) makes the panel offer to join it instead of
 * starting the demo; the operator joins it, switches to the embedded demo (WebSocket) and back to the Data Hub by
 * host and ports, without a restart; a new host with the same settings folder comes back on the remembered hub.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { freePort } from '../services/testing/ports.ts';
import { startServed, type Served } from './serve-process.ts';

const SHOTS = 'test-results/screenshots';
const OFFER_CLIENT = 'OFFERA-AssetHubClient';

let pixotope: Served | null = null;
const hosts: Served[] = [];
const dirs: string[] = [];
let sub = 0;
let pub = 0;
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `assethub-e2e-${name}-`));
  dirs.push(dir);
  return dir;
};

test.beforeAll(async () => {
  sub = await freePort();
  pub = await freePort();
  // A Data Hub with a server and one client, as a Pixotope installation would have on this machine.
  pixotope = await startServed(
    'app/dist/services/cli.mjs',
    ['--data', tempDir('pixotope'), '--fabric', 'zmq', '--sub-port', String(sub), '--pub-port', String(pub), '--storage-port', '0', '--clients', 'OFFERA'],
    60_000,
    /Asset Hub services ready on (zmq:\/\/\S+)/,
  );
});
test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await pixotope?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const serviceRow = (page: Page, name: string) => page.locator(`[data-testid="service-row"][data-service="${name}"]`);

async function expectOnline(page: Page, name: string): Promise<void> {
  await expect(serviceRow(page, name)).toHaveAttribute('data-online', 'true', { timeout: 30_000 });
}

test('offered a Data Hub found on this machine: join it, switch to the demo and back without a restart; the choice is remembered', async ({ page }) => {
  test.setTimeout(180_000);
  mkdirSync(SHOTS, { recursive: true });
  const zmqUrl = `zmq://127.0.0.1?sub=${sub}&pub=${pub}`;
  const userData = tempDir('settings');
  const hostArgs = ['--port', '0', '--data', tempDir('demo'), '--user-data', userData, '--local-hub', zmqUrl];
  const first = await startServed('app/dist/main/web.mjs', hostArgs, 60_000);
  hosts.push(first);
  expect(first.output()).toContain('A Data Hub answers on this machine');
  expect(first.output()).not.toContain('Asset Hub services (pid');

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(first.url);
  // No demo: the offer, on the view the panel opens on.
  const offer = page.getByTestId('hub-offer');
  await expect(offer).toContainText(`Pixotope Data Hub (ZeroMQ) 127.0.0.1 (ports ${sub}/${pub})`);
  await page.screenshot({ path: `${SHOTS}/hub-offer.png` });
  await page.getByTestId('hub-offer-join').click();
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 15_000 });
  await expect(offer).toHaveCount(0);
  await expect(page.getByTestId('status-hub')).toContainText(`Pixotope Data Hub (ZeroMQ) 127.0.0.1 · ports ${sub}/${pub}`);
  await page.getByTestId('nav-connection').click();
  await expectOnline(page, OFFER_CLIENT);
  await expectOnline(page, 'AssetHubServer');
  await expect(page.getByTestId('hub-fabric')).toHaveText('Pixotope Data Hub (ZeroMQ)');
  await expect(page.getByTestId('hub-source')).toContainText('remembered for the next start');

  // A bad host and port are named beside their fields; nothing is switched.
  await page.getByTestId('hub-kind-zmq').check();
  await page.getByTestId('hub-host').fill('studio:16201');
  await page.getByTestId('hub-subPort').fill('99999');
  await page.getByTestId('hub-connect').click();
  await expect(page.getByTestId('hub-host-error')).toContainText('without a port');
  await expect(page.getByTestId('hub-subPort-error')).toContainText('1 to 65535');
  await page.screenshot({ path: `${SHOTS}/hub-form-errors.png` });

  // To the embedded demo (its WebSocket hub): confirmed first, then its machines show up.
  await page.getByTestId('hub-kind-embedded').check();
  await page.getByTestId('hub-connect').click();
  await expect(page.getByRole('dialog')).toContainText('Embedded demo services');
  await page.getByRole('dialog').getByRole('button', { name: 'Switch', exact: true }).click();
  await expect(page.getByTestId('status-hub')).toContainText('Asset Hub hub (WebSocket) ws://127.0.0.1:', { timeout: 60_000 });
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 30_000 });
  await expectOnline(page, 'STAGE-A-AssetHubClient');
  await expect(serviceRow(page, OFFER_CLIENT)).toHaveCount(0);
  await expect(page.getByTestId('hub-embedded')).toContainText('running');
  await page.screenshot({ path: `${SHOTS}/hub-switched-to-demo.png` });

  // And back to the Data Hub by host and ports; Enter in a field submits the form.
  await page.getByTestId('hub-kind-zmq').check();
  await page.getByTestId('hub-host').fill('127.0.0.1');
  await page.getByTestId('hub-subPort').fill(String(sub));
  await page.getByTestId('hub-pubPort').fill(String(pub));
  await page.getByTestId('hub-pubPort').press('Enter');
  await expect(page.getByTestId('hub-confirm-target')).toHaveText(`Pixotope Data Hub (ZeroMQ) 127.0.0.1 (ports ${sub}/${pub})`);
  await page.getByRole('dialog').getByRole('button', { name: 'Switch', exact: true }).click();
  await expect(page.getByTestId('status-hub')).toContainText('Pixotope Data Hub (ZeroMQ)', { timeout: 30_000 });
  await expectOnline(page, OFFER_CLIENT);
  await expect(page.getByTestId('hub-embedded')).toContainText('not running');
  await page.screenshot({ path: `${SHOTS}/hub-switched-back.png` });
  await first.stop();

  // A new host with the same settings folder: on the remembered Data Hub at once, no offer, no demo.
  const second = await startServed('app/dist/main/web.mjs', hostArgs, 60_000);
  hosts.push(second);
  expect(second.output()).not.toContain('A Data Hub answers on this machine');
  expect(second.output()).toContain(`connecting to ${zmqUrl}`);
  await page.goto(second.url);
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 15_000 });
  await expect(page.getByTestId('status-hub')).toContainText(`ports ${sub}/${pub}`);
  await expect(page.getByTestId('hub-offer')).toHaveCount(0);
});
