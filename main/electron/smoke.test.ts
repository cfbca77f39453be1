// The real Electron app, through Playwright's _electron: the window shows app://panel/, the page has the panel API and
// nothing of Node, and the panel connects to the embedded services. Runs only where the Electron binary exists: on
// the project's machines electron's install script is disabled (no download possible), so it is skipped there, with
// the reason in the test's name.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Electron binary, or why there is none. */
function findElectron(): { binary: string } | { missing: string } {
  try {
    const binary = createRequire(path.join(root, 'package.json'))('electron') as unknown;
    if (typeof binary === 'string' && existsSync(binary)) return { binary };
    return { missing: `the Electron binary ${String(binary)} does not exist` };
  } catch (error) {
    return { missing: `the Electron binary is not installed (electron's install script is disabled here: ${(error as Error).message.split('\n')[0]})` };
  }
}

const electron = findElectron();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = 'missing' in electron ? electron.missing : noDisplay ? 'there is no display (run under xvfb-run)' : null;
const title = `launches the desktop panel, isolated, connected to the embedded services${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`;
if (skipReason) console.log(`Electron smoke test skipped: ${skipReason}`);

type PanelWindow = { assetHubPanel: { invoke(command: string, args: unknown): Promise<{ connection: { state: string } }> } };

describe('Electron smoke', () => {
  it.skipIf(skipReason !== null)(
    title,
    async () => {
      if ('missing' in electron) return;
      const outputs = ['app/dist/main/electron.cjs', 'app/dist/main/preload.cjs', 'app/dist/services/cli.mjs', 'app/dist/renderer/index.html'];
      if (outputs.some((file) => !existsSync(path.join(root, file)))) {
        const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
        expect(build.status).toBe(0);
      }
      const { _electron } = await import('@playwright/test');
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
        // The embedded services (with the demo show) come up and the engine connects to them.
        const deadline = Date.now() + 120_000;
        let state = '';
        while (Date.now() < deadline) {
          state = await page.evaluate(async () => (await (window as unknown as PanelWindow).assetHubPanel.invoke('hello', {})).connection.state);
          if (state === 'connected') break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(state).toBe('connected');
        const failure = await page.evaluate(() => (window as unknown as PanelWindow).assetHubPanel.invoke('nope', {}).then(() => '', (e: Error) => e.message));
        expect(failure).toMatch(/^UNKNOWN_COMMAND: /);
      } finally {
        await app.close();
        rmSync(userData, { recursive: true, force: true });
      }
    },
    240_000,
  );
});
