/** Serves the built renderer (app/dist, built by scripts/e2e.mjs) for every e2e test; PANEL_URL tells them where. */
import { existsSync } from 'node:fs';
import { startServed } from './serve-process.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const script = 'app/dist/main/serve.mjs';
  if (!existsSync(script)) throw new Error(`${script} is missing: run "npm run build" first (npm run test:e2e does)`);
  const served = await startServed(script, ['--port', '0']);
  process.env.PANEL_URL = served.url;
  return () => served.stop();
}
