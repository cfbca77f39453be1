/**
 * Starts the browser host (app/dist/main/web.mjs, built by scripts/e2e.mjs) twice, with its embedded services and the
 * demo show: once on this project's WebSocket hub and once on a ZeroMQ Data Hub, so the operator flows run on both
 * fabrics (the Playwright projects `ws` and `zmq`). Per fabric F (WS, ZMQ) the tests find, through e2e/panel-host.ts:
 * - PANEL_URL_F: the page URL with the session token (`http://127.0.0.1:<port>/#token=…`);
 * - PANEL_HOST_PID_F: the browser host's pid (its child is the embedded services process);
 * - PANEL_SERVICES_PID_F: the embedded services' pid at start (after a restart see e2e/panel-host.ts);
 * - PANEL_DATA_DIR_F: the embedded services' data folder (the demo clients' workspaces are under clients/<machine>/).
 * Each host has its own settings folder and never looks for a Data Hub on this machine's Pixotope ports.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServed, type Served } from './serve-process.ts';

const FABRICS = ['ws', 'zmq'] as const;

async function startHost(fabric: (typeof FABRICS)[number], script: string): Promise<{ served: Served; dirs: string[] }> {
  // A known data folder, so tests can edit the demo clients' workspaces on disk (clients/<machine>/Synced Storage/…).
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `assethub-e2e-${fabric}-`));
  const userData = mkdtempSync(path.join(os.tmpdir(), `assethub-e2e-settings-${fabric}-`));
  const served = await startServed(script, ['--port', '0', '--data', dataDir, '--fabric', fabric, '--user-data', userData, '--local-hub', 'none'], 120_000);
  const pid = /Asset Hub services \(pid (\d+)\)/.exec(served.output())?.[1];
  if (!pid) {
    await served.stop();
    throw new Error(`the browser host (${fabric}) did not print its services' pid; output:\n${served.output()}`);
  }
  const key = fabric.toUpperCase();
  process.env[`PANEL_URL_${key}`] = served.url;
  process.env[`PANEL_HOST_PID_${key}`] = String(served.child.pid);
  process.env[`PANEL_SERVICES_PID_${key}`] = pid;
  process.env[`PANEL_DATA_DIR_${key}`] = dataDir;
  return { served, dirs: [dataDir, userData] };
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const script = 'app/dist/main/web.mjs';
  for (const file of [script, 'app/dist/services/cli.mjs', 'app/dist/renderer/index.html']) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm run test:e2e does)`);
  }
  const started = await Promise.allSettled(FABRICS.map((fabric) => startHost(fabric, script)));
  const hosts = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(hosts.map((h) => h.served.stop()));
    for (const dir of hosts.flatMap((h) => h.dirs)) rmSync(dir, { recursive: true, force: true });
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return stop;
}
