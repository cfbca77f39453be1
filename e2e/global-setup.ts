/**
 * Starts the browser host (app/dist/main/web.mjs, built by scripts/e2e.mjs) with its embedded services and the demo
 * show, once for every e2e test, and tells the tests where it is:
 * - PANEL_URL: the page URL with the session token (`http://127.0.0.1:<port>/#token=…`);
 * - PANEL_HOST_PID: the browser host's pid (its child is the embedded services process);
 * - PANEL_SERVICES_PID: the embedded services' pid at start (the host prints it; after a restart see e2e/panel-host.ts);
 * - PANEL_DATA_DIR: the embedded services' data folder (the demo clients' workspaces are under clients/<machine>/).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServed } from './serve-process.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const script = 'app/dist/main/web.mjs';
  for (const file of [script, 'app/dist/services/cli.mjs', 'app/dist/renderer/index.html']) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm run test:e2e does)`);
  }
  // A known data folder, so tests can edit the demo clients' workspaces on disk (clients/<machine>/Synced Storage/…).
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'assethub-e2e-'));
  process.env.PANEL_DATA_DIR = dataDir;
  const served = await startServed(script, ['--port', '0', '--data', dataDir], 120_000);
  const pid = /Asset Hub services \(pid (\d+)\)/.exec(served.output())?.[1];
  if (!pid) {
    await served.stop();
    throw new Error(`the browser host did not print its services' pid; output:\n${served.output()}`);
  }
  process.env.PANEL_URL = served.url;
  process.env.PANEL_HOST_PID = String(served.child.pid);
  process.env.PANEL_SERVICES_PID = pid;
  return async () => {
    await served.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
