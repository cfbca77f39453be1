/**
 * The quick start's data stays: `npm run serve` (scripts/serve.mjs, as `npm start` runs it without Electron) with its
 * embedded services keeps their data in <user data>/services. Changes made through the hub (a new repository, a
 * client's AutoPull) and the demo's commits survive Ctrl+C (SIGINT to the whole process group, as a terminal sends it)
 * and a restart on the same folder, which builds no second demo. A second host on a folder in use is refused in one
 * line. The Connection view shows the folder, opens it (with a stand-in xdg-open) and copies its path; so does an embedded
 * client's workspace. `--ephemeral` leaves nothing behind. The build is fresh here (scripts/e2e.mjs built it), so serve must not rebuild.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';

const SERVER = 'AssetHubServer';
const STAGE_A = 'STAGE-A-AssetHubClient';
const ALPHA = '%SYNCED_STORAGE%\\Projects\\Project Alpha';
const KEPT = '%SYNCED_STORAGE%\\KeptAcrossRestarts';
const URL_LINE = /Asset Hub Panel: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/;

const dirs: string[] = [];
const started: Serve[] = [];
/** What a host left in its temporary folder, but tsx's compile cache (`tsx-<uid>`, from start's and serve's option tables). */
const leftIn = (dir: string) => readdirSync(dir).filter((name) => !/^tsx-\d+$/.test(name));
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `assethub-e2e-${name}-`));
  dirs.push(dir);
  return dir;
};

interface Serve {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** `node scripts/serve.mjs …` in a process group of its own, as a terminal runs it. */
function serve(args: string[], env: NodeJS.ProcessEnv): Serve {
  const child = spawn(process.execPath, ['scripts/serve.mjs', '--port', '0', '--local-hub', 'none', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const host = { child, output: () => output, exited };
  started.push(host);
  return host;
}

async function pageUrl(host: Serve): Promise<string> {
  await expect.poll(() => URL_LINE.test(host.output()) || host.child.exitCode !== null, { timeout: 120_000 }).toBe(true);
  const url = URL_LINE.exec(host.output())?.[1];
  if (!url) throw new Error(`the host printed no URL; output:\n${host.output()}`);
  return url;
}

/** Ctrl+C: SIGINT to the host's whole process group; resolves once every process of it has ended. */
async function ctrlC(host: Serve): Promise<number | null> {
  const group = host.child.pid ?? 0;
  process.kill(-group, 'SIGINT');
  const code = await host.exited;
  await expect.poll(() => {
    try {
      process.kill(-group, 0);
      return 'still running';
    } catch {
      return 'gone';
    }
  }, { timeout: 15_000 }).toBe('gone');
  return code;
}

type Repositories = Array<{ Name: string; Branches: Array<{ Name: string; Commits: Array<{ ID: string }> }> }>;

/** Every repository's branches and commit ids, by name. */
async function history(bridge: BridgeClient): Promise<Record<string, Record<string, string[]>>> {
  const repos = (await bridge.call(SERVER, 'GetRepositories')) as Repositories;
  return Object.fromEntries(repos.map((r) => [r.Name, Object.fromEntries(r.Branches.map((b) => [b.Name, b.Commits.map((c) => c.ID)]))]));
}

async function autoPull(bridge: BridgeClient, ws: string): Promise<boolean | undefined> {
  const state = (await bridge.get(STAGE_A, ['State'])) as { Workspaces: Record<string, { AutoPull: boolean }> };
  return state.Workspaces[ws]?.AutoPull;
}

test.afterAll(() => {
  // A failed test leaves its hosts running: end their whole groups (host and services) before removing their folders.
  for (const host of started) {
    try {
      process.kill(-(host.child.pid ?? 0), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('the data survives Ctrl+C and a restart; a folder in use is refused in one line; the Connection view opens it', async ({ page }) => {
  test.setTimeout(300_000);
  // Shaped like the real default (~/.config/Asset Hub Panel): a dot and spaces in the workspaces' paths.
  const userData = path.join(tempDir('stays'), '.config', 'Asset Hub Panel');
  const hostTmp = tempDir('stays-tmp');
  // A stand-in for xdg-open that records what it was asked to open.
  const bin = tempDir('stays-bin');
  const opened = path.join(bin, 'opened.txt');
  writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  chmodSync(path.join(bin, 'xdg-open'), 0o755);
  const env = { TMPDIR: hostTmp, DISPLAY: ':99', PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
  const dataDir = path.join(userData, 'services');

  const first = serve(['--user-data', userData], env);
  const firstUrl = await pageUrl(first);
  expect(first.output()).not.toContain('rebuilding');
  expect(first.output()).toContain(`the embedded services' data: ${dataDir} (kept between runs; new: the demo show is built in it now)`);

  const bridge = await BridgeClient.open(firstUrl);
  const demo = await history(bridge);
  expect(Object.keys(demo).length).toBeGreaterThanOrEqual(3);
  // Changes through the hub: a repository on the server, AutoPull on a client (the demo turns it off on STAGE-A).
  await bridge.call(SERVER, 'CreateRepository', { Name: KEPT, Branch: 'Main' });
  const ws = await bridge.workspaceOf(STAGE_A, ALPHA);
  expect(await autoPull(bridge, ws)).toBe(false);
  await bridge.invoke('set', { service: STAGE_A, path: ['State', 'Workspaces', ws, 'AutoPull'], value: true });
  await expect.poll(() => autoPull(bridge, ws)).toBe(true);
  const before = await history(bridge);
  expect(Object.keys(before)).toContain(KEPT);

  // The Connection view: the folder, kept; "Open data folder" runs the opener with it; Copy puts it on the clipboard.
  await page.goto(firstUrl);
  await page.getByTestId('nav-connection').click();
  await expect(page.getByTestId('data-folder-path')).toHaveValue(dataDir);
  await expect(page.getByTestId('data-folder-kind')).toHaveText(/Kept between runs/);
  await expect(page.getByTestId('data-folder-how')).toContainText('xdg-open');
  await page.getByTestId('data-folder-open').click();
  await expect(page.getByTestId('data-folder-status')).toHaveText(/^Opened in the file manager on the machine running the panel host/);
  expect(readFileSync(opened, 'utf8')).toBe(dataDir);
  await page.getByTestId('data-folder-copy').click();
  await expect(page.getByTestId('data-folder-status')).toHaveText(/Copied the path|the path is selected/);

  // A workspace of an embedded client is on this disk: its detail opens its folder, the one the client reports.
  await page.getByTestId('nav-workspaces').click();
  await page.locator(`[data-testid="ws-row"][data-machine="STAGE-A"][data-workspace="${ws}"]`).getByRole('button', { name: /^Details of STAGE-A/ }).click();
  await expect(page.getByTestId('ws-folder-path')).toHaveValue(ws);
  expect(ws.startsWith(path.join(dataDir, 'clients', 'STAGE-A', 'Synced Storage'))).toBe(true);
  await expect(page.getByTestId('ws-folder-how')).toContainText('xdg-open');
  await page.getByTestId('ws-folder-open').click();
  await expect(page.getByTestId('ws-folder-status')).toHaveText(/^Opened in the file manager on the machine running the panel host/);
  expect(readFileSync(opened, 'utf8')).toBe(ws);
  bridge.close();

  // A second host on the same user-data folder: refused, in one line, before any services start.
  const second = serve(['--user-data', userData], env);
  expect(await second.exited).toBe(1);
  const refusal = second.output().trim().split('\n').filter((line) => !line.startsWith('connecting'));
  expect(refusal).toHaveLength(1);
  expect(refusal[0]).toMatch(new RegExp(`^The panel host could not start: the data folder ${dataDir} is in use by process \\d+ .*--ephemeral`));

  expect(await ctrlC(first)).toBe(0);
  expect(existsSync(path.join(dataDir, 'server'))).toBe(true);
  expect(existsSync(path.join(dataDir, 'server', 'owner.pid'))).toBe(false);
  expect(leftIn(hostTmp)).toEqual([]);

  // Again on the same folder: the same repositories and commits, the change kept, no second demo.
  const third = serve(['--user-data', userData, '--verbose'], env);
  const thirdUrl = await pageUrl(third);
  expect(third.output()).not.toContain('rebuilding');
  expect(third.output()).toContain(`the embedded services' data: ${dataDir} (kept between runs; reused as it is)`);
  expect(third.output()).toContain('demo show already built in this data folder');
  const again = await BridgeClient.open(thirdUrl);
  expect(await history(again)).toEqual(before);
  expect(await again.workspaceOf(STAGE_A, ALPHA)).toBe(ws);
  expect(await autoPull(again, ws)).toBe(true);
  again.close();
  expect(await ctrlC(third)).toBe(0);
});

test('--ephemeral keeps the data in a temporary folder, says so, and leaves nothing behind', async ({ page }) => {
  test.setTimeout(180_000);
  const userData = tempDir('ephemeral');
  const hostTmp = tempDir('ephemeral-tmp');
  const host = serve(['--user-data', userData, '--ephemeral'], { TMPDIR: hostTmp, DISPLAY: '', WAYLAND_DISPLAY: '' });
  const url = await pageUrl(host);
  const dataDir = /the embedded services' data: (\S+) \(temporary, --ephemeral: removed when the panel stops\)/.exec(host.output())?.[1] ?? '';
  expect(path.dirname(dataDir)).toBe(hostTmp);
  expect(existsSync(path.join(dataDir, 'server'))).toBe(true);

  // The Connection view says it is temporary; without a desktop session it offers the path to copy, no Open.
  await page.goto(url);
  await page.getByTestId('nav-connection').click();
  await expect(page.getByTestId('data-folder-path')).toHaveValue(dataDir);
  await expect(page.getByTestId('data-folder-kind')).toHaveText(/Temporary \(--ephemeral\)/);
  await expect(page.getByTestId('data-folder-open')).toHaveCount(0);
  await expect(page.getByTestId('data-folder-how')).toContainText('copy the path');
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.getByTestId('hub-card').screenshot({ path: 'test-results/screenshots/data-folder-ephemeral.png' });
  // The same for a workspace's folder: its path to copy, no Open.
  await page.getByTestId('nav-workspaces').click();
  await page.locator('[data-testid="ws-row"][data-machine="STAGE-A"]').first().getByRole('button', { name: /^Details of STAGE-A/ }).click();
  await expect(page.getByTestId('ws-folder-path')).toBeVisible();
  expect((await page.getByTestId('ws-folder-path').inputValue()).startsWith(path.join(dataDir, 'clients', 'STAGE-A', 'Synced Storage', path.sep))).toBe(true);
  await expect(page.getByTestId('ws-folder-open')).toHaveCount(0);
  await expect(page.getByTestId('ws-folder-how')).toHaveText('This panel host cannot open folders on your desktop: copy the path instead.');

  expect(await ctrlC(host)).toBe(0);
  expect(leftIn(hostTmp)).toEqual([]);
  expect(readdirSync(userData)).toEqual([]);
});
