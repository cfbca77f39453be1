import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium.ts';

/** The specs of what an operator does, run on both fabrics. */
const OPERATOR_FLOWS = ['assets', 'claims', 'conflicts', 'connection', 'integrations', 'repositories', 'shell', 'views', 'workspaces'].map((name) => `**/${name}.spec.ts`);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e-artifacts',
  globalSetup: './e2e/global-setup.ts',
  timeout: 60_000,
  // A bound on waiting for a state, not a speed target: a loaded 2-core machine can take longer than Playwright's 5 s
  // default to carry a change from the services through the hub and the host to the page.
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  // The JSON report feeds the CI's "N passed, N failed" line (scripts/count-results.mjs).
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  // The operator flows run twice: against the embedded services on this project's WebSocket hub (`ws`, which also
  // runs the host, flood and performance specs) and on a ZeroMQ Data Hub (`zmq`); see e2e/global-setup.ts. `electron`
  // launches the real desktop app with its own embedded services, where the Electron binary is installed (one skipped
  // test otherwise).
  projects: [
    { name: 'ws', testIgnore: ['**/electron.spec.ts', '**/pixotope-docs.spec.ts'] },
    { name: 'zmq', testMatch: OPERATOR_FLOWS },
    { name: 'electron', testMatch: '**/electron.spec.ts' },
    // The panel against services that answer only what Pixotope documents (`--compat pixotope-docs`) on a ZeroMQ hub.
    { name: 'pixotope-docs', testMatch: '**/pixotope-docs.spec.ts' },
  ],
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
