// The real desktop app (Playwright project `electron`): Playwright's _electron launches the built app
// (app/dist/main/electron.cjs, the package's main) with its own user-data folder; the window shows app://panel/, the
// page has the panel API and nothing of Node, the panel connects to the embedded services and its Overview shows the
// server and both demo clients online. Runs only where the Electron binary exists (`npm start` or `npm run dist`
// install it where the network allows); otherwise its one test is skipped, with the reason in its title.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, expect, test } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron binary, or why there is none. */
function findElectron(): { binary: string } | { missing: string } {
  try {
    const binary = createRequire(path.join(root, 'package.json'))('electron') as unknown;
    if (typeof binary === 'string' && existsSync(binary)) return { binary };
    return { missing: `the Electron binary ${String(binary)} does not exist` };
  } catch {
    // electron's index.js throws while its install script has not run (no path.txt).
    return { missing: 'the Electron binary is not installed (npm start or npm run dist installs it where the network allows)' };
  }
}

const electron = findElectron();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = 'missing' in electron ? electron.missing : noDisplay ? 'there is no display (run under xvfb-run)' : null;

type PanelWindow = { assetHubPanel: { invoke(command: string, args: unknown): Promise<unknown> } };

test(`the desktop app opens isolated, connects to the embedded services and shows their machines${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`, async () => {
  test.skip(skipReason !== null, skipReason ?? '');
  if ('missing' in electron) return;
  test.setTimeout(240_000);
  const userData = mkdtempSync(path.join(tmpdir(), 'panel-electron-'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
  // Chromium refuses to run as root with its OS sandbox; the page's own sandbox (sandbox: true) is unaffected.
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const app = await _electron.launch({ executablePath: electron.binary, args: [...rootArgs, '.', '--data', userData], cwd: root, env, timeout: 60_000 });
  try {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    expect(page.url()).toMatch(/^app:\/\/panel\//);
    const surface = await page.evaluate(() => ({
      api: Object.keys((window as unknown as PanelWindow).assetHubPanel ?? {}).sort(),
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      opened: window.open('https://example.com/') === null,
    }));
    expect(surface).toEqual({ api: ['invoke', 'on'], require: 'undefined', process: 'undefined', opened: true });
    const failure = await page.evaluate(() => (window as unknown as PanelWindow).assetHubPanel.invoke('nope', {}).then(() => '', (e: Error) => e.message));
    expect(failure).toMatch(/^UNKNOWN_COMMAND: /);

    // The operator's first look: the embedded services (with the demo show) come up, the panel connects, and the
    // Overview shows the server and both demo clients online.
    await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 120_000 });
    await expect(page.getByTestId('nav-overview')).toHaveAttribute('aria-current', 'page');
    const cards = page.getByTestId('machine-card');
    await expect(cards).toHaveCount(3, { timeout: 60_000 });
    for (const name of ['AssetHubServer', 'STAGE-A-AssetHubClient', 'STAGE-B-AssetHubClient']) {
      await expect(page.locator(`[data-testid="machine-card"][data-service="${name}"]`)).toHaveAttribute('data-online', 'true', { timeout: 60_000 });
    }
  } finally {
    await app.close();
    rmSync(userData, { recursive: true, force: true });
  }
});
