// `npm start` where Electron's binary is missing: scripts/start.mjs runs Electron's own installer (install.js and
// @electron/get, unmodified) against a local mirror serving a stand-in release — a real zip named like Electron's asset
// holding a shell script called `electron` that records how it was launched — then launches what it installed; where
// the download fails or outlasts the time limit it says why in one line and runs the browser panel (a stand-in
// scripts/serve.mjs). Everything runs in a throwaway project: copies of start.mjs and electron-install.mjs, a copy of
// node_modules/electron (without a binary), the installer's dependencies linked from this project's node_modules, which
// are never modified.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { OUTPUTS, sourceFingerprint, writeBuildStamp } from './build-freshness.mjs';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { zip } from './testing/zip.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronPackage = path.join(root, 'node_modules/electron');
const version = (JSON.parse(readFileSync(path.join(electronPackage, 'package.json'), 'utf8')) as { version: string }).version;
const asset = `electron-v${version}-${process.platform}-${process.arch}.zip`;
const assetPath = `/v${version}/${asset}`;
/** Where install.js expects the executable inside the archive (its getPlatformPath). */
const platformPath = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';

/** The stand-in release: an `electron` that writes its working folder and arguments to $STANDIN_MARKER. */
const archive = zip([
  { name: platformPath, data: Buffer.from('#!/bin/sh\n{ pwd -P; printf "%s\\n" "$@"; } > "$STANDIN_MARKER"\n'), mode: 0o755 },
  { name: 'version', data: Buffer.from(`v${version}`) },
  // Enough bytes that the download takes a while and the progress has something to count.
  { name: 'resources/padding.bin', data: randomBytes(600_000) },
]);
const shasums = `${createHash('sha256').update(archive).digest('hex')} *${asset}\n`;

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return realpathSync(dir);
}

/** A throwaway project in which start.mjs finds a fresh build and an electron package without its binary. */
function project(): string {
  const dir = tempDir('panel-start-');
  mkdirSync(path.join(dir, 'scripts'));
  for (const file of ['scripts/start.mjs', 'scripts/electron-install.mjs', 'scripts/build-freshness.mjs', 'services/lib/command-line.ts', 'services/lib/gateway-options.ts', 'main/electron/options.ts']) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    copyFileSync(path.join(root, file), path.join(dir, file));
  }
  writeFileSync(
    path.join(dir, 'scripts/serve.mjs'),
    "import { writeFileSync } from 'node:fs';\nwriteFileSync(`${process.env.STANDIN_MARKER}.serve`, JSON.stringify(process.argv.slice(2)));\n",
  );
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'standin-panel', private: true }));
  // start.mjs builds when an output is missing or older than a source; here there are no sources.
  for (const file of OUTPUTS) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), '');
  }
  const modules = path.join(dir, 'node_modules');
  const skip = new Set(['node_modules', 'dist', 'path.txt'].map((name) => path.join(electronPackage, name)));
  cpSync(electronPackage, path.join(modules, 'electron'), { recursive: true, filter: (source) => !skip.has(source) });
  // install.js requires these; linked, they resolve their own dependencies from this project's node_modules.
  symlinkSync(path.join(root, 'node_modules/@electron'), path.join(modules, '@electron'), 'dir');
  symlinkSync(path.join(root, 'node_modules/extract-zip'), path.join(modules, 'extract-zip'), 'dir');
  // start.mjs reads its option table (.ts) with tsx.
  symlinkSync(path.join(root, 'node_modules/tsx'), path.join(modules, 'tsx'), 'dir');
  writeBuildStamp(dir, sourceFingerprint(dir)); // a build as fresh as its (few) sources
  return dir;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

async function mirror(handler: Handler): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Serves the stand-in release, the archive in slices over about 1.5 s, like a real (if small) download. */
const release: Handler = (request, response) => {
  if (request.url === `/v${version}/SHASUMS256.txt`) {
    response.end(shasums);
  } else if (request.url === assetPath) {
    response.writeHead(200, { 'content-type': 'application/zip', 'content-length': archive.length });
    const slices = 6;
    const size = Math.ceil(archive.length / slices);
    let sent = 0;
    const next = () => {
      response.write(archive.subarray(sent * size, (sent + 1) * size));
      if (++sent < slices) setTimeout(next, 250);
      else response.end();
    };
    next();
  } else {
    response.writeHead(404).end('Not Found');
  }
};

/** The environment of a user whose only Electron settings are these (none inherited from the test's own). */
function environment(settings: Record<string, string>, marker: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(electron_|npm_config_electron|npm_config_(arch|platform)$|force_no_cache$|ASSETHUB_ELECTRON_TIMEOUT$)/i.test(key)) env[key] = value;
  }
  return { ...env, electron_config_cache: tempDir('panel-electron-cache-'), STANDIN_MARKER: marker, ...settings };
}

type Run = { code: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const PANEL_ARGS = ['--hub', 'ws://127.0.0.1:1', '--verbose'];
const startScript = (dir: string) => path.join(dir, 'scripts/start.mjs');
const lines = (text: string, pattern: RegExp) => text.split(/[\r\n]+/).filter((line) => pattern.test(line));
/** The one line start prints when it falls back, and its reason. */
const FALLBACK = /^start: Electron could not be installed \((.+)\): opening the browser panel instead \(npm run serve\)$/;
const hasScriptCommand = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

describe.skipIf(process.platform === 'win32')('npm start installs Electron where it is missing', () => {
  it('downloads the release from the mirror with step lines, unpacks it and launches it on the project', async () => {
    const dir = project();
    const marker = path.join(dir, 'launched');
    const url = await mirror(release);
    const env = environment({ ELECTRON_MIRROR: url, electron_use_remote_checksums: '1' }, marker);
    const before = existsSync(path.join(electronPackage, 'path.txt'));
    const result = await run(process.execPath, [startScript(dir), ...PANEL_ARGS, '--electron-timeout', '30'], env);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(new RegExp(`^start: downloading Electron v${version} from ${url} \\(time limit 30 s\\)…$`, 'm'));
    // A step line once the archive is in and being unpacked, when a look at the disk falls between the two (a stand-in
    // this small unpacks in an instant): the bytes seen on disk so far.
    const unpacking = /^start: downloaded (\d+\.\d) MB in \d+ s; unpacking Electron v[\d.]+…$/m.exec(out);
    if (unpacking) expect(Number(unpacking[1])).toBeGreaterThan(0.1);
    expect(out).toMatch(new RegExp(`^start: Electron v${version} installed in \\d+ s$`, 'm'));
    expect(out).not.toMatch(/could not be installed/);
    // start launched what was installed, in the project, with the panel's arguments (not its own --electron-timeout).
    expect(readFileSync(marker, 'utf8').split('\n').filter(Boolean)).toEqual([dir, '.', ...PANEL_ARGS]);
    expect(existsSync(`${marker}.serve`)).toBe(false);
    expect(readFileSync(path.join(dir, 'node_modules/electron/path.txt'), 'utf8')).toBe(platformPath);
    // Installed once, it is used as it is: no second download.
    rmSync(marker);
    const again = await run(process.execPath, [startScript(dir), ...PANEL_ARGS], { ...env, ELECTRON_MIRROR: 'http://127.0.0.1:1/' });
    expect(again.stdout).toBe('');
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(path.join(electronPackage, 'path.txt'))).toBe(before);
  });

  it.skipIf(!hasScriptCommand)('on a terminal, shows the download as one line updated in place', async () => {
    const dir = project();
    const marker = path.join(dir, 'launched');
    const url = await mirror(release);
    const env = environment({ ELECTRON_MIRROR: url, electron_use_remote_checksums: '1' }, marker);
    // util-linux `script` gives start.mjs a pseudo-terminal for stdout.
    const command = [process.execPath, startScript(dir), ...PANEL_ARGS].map((word) => `'${word}'`).join(' ');
    const result = await run('script', ['-qefc', command, '/dev/null'], env);

    expect(result.code, result.stdout).toBe(0);
    const progress = lines(result.stdout, new RegExp(`^start: downloading Electron v${version} from \\S+… (\\d+\\.\\d) MB, \\d+ s \\(limit 300 s\\)`));
    expect(progress.length, result.stdout).toBeGreaterThan(1);
    expect(progress.some((line) => !line.includes(' 0.0 MB'))).toBe(true);
    // Updated in place: carriage returns and erase-to-end-of-line, not a new line per update.
    expect(result.stdout).toContain("\rstart: downloading");
    expect(result.stdout).toContain('\x1b[K');
    expect(result.stdout).toMatch(new RegExp(`start: Electron v${version} installed in \\d+ s`));
    expect(existsSync(marker)).toBe(true);
  });

  it.each([
    ['a mirror at a closed port', async () => `http://127.0.0.1:${await closedPort()}/`, {}, /^connect ECONNREFUSED 127\.0\.0\.1:\d+$/],
    ['a mirror without the release', () => mirror((_request, response) => response.writeHead(404).end()), { electron_use_remote_checksums: '1' }, /^Response code 404 \(Not Found\) from http:\/\/127\.0\.0\.1:\d+\/$/],
    // install.js checks the archive against the checksums electron publishes (its bundled checksums.json).
    ['an archive that is not the published one', () => mirror(release), {}, new RegExp(`^Generated checksum for "${asset.replace(/\./g, '\\.')}" did not match expected checksum\\.$`)],
  ])('with %s, says why in one line and opens the browser panel instead', async (_name, mirrorUrl, settings: Record<string, string>, reason) => {
    const dir = project();
    const marker = path.join(dir, 'launched');
    const env = environment({ ELECTRON_MIRROR: await mirrorUrl(), ...settings }, marker);
    const result = await run(process.execPath, [startScript(dir), ...PANEL_ARGS, '--electron-timeout=30'], env);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const fallback = lines(result.stdout, FALLBACK);
    expect(fallback, result.stdout).toHaveLength(1);
    expect(FALLBACK.exec(fallback[0] ?? '')?.[1]).toMatch(reason);
    expect(result.stdout).not.toMatch(/^\s+at /m);
    expect(JSON.parse(readFileSync(`${marker}.serve`, 'utf8'))).toEqual(PANEL_ARGS);
    expect(existsSync(marker)).toBe(false);
  });

  it('stops a download that outlasts the time limit and says it timed out', async () => {
    const dir = project();
    const marker = path.join(dir, 'launched');
    let closedAt = -1;
    const url = await mirror((request, response) => {
      if (request.url !== assetPath) return void response.writeHead(404).end();
      // Headers and a first part, then nothing: the installer waits for the rest for ever.
      request.socket.on('close', () => (closedAt = Date.now()));
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': archive.length });
      response.write(archive.subarray(0, 200_000));
    });
    const env = environment({ ELECTRON_MIRROR: url }, marker);
    const started = Date.now();
    const result = await run(process.execPath, [startScript(dir), ...PANEL_ARGS], { ...env, ASSETHUB_ELECTRON_TIMEOUT: '2' });

    expect(result.code).toBe(0);
    const fallback = lines(result.stdout, FALLBACK);
    expect(fallback, result.stdout).toHaveLength(1);
    expect(FALLBACK.exec(fallback[0] ?? '')?.[1]).toMatch(
      /^timed out after 2 s, 0\.2 MB downloaded; allow longer with --electron-timeout <seconds> or ASSETHUB_ELECTRON_TIMEOUT$/,
    );
    // The installer was killed at the limit (counted from start.mjs's start of it): its connection closed then, not
    // when the test ended.
    expect(closedAt - started).toBeGreaterThanOrEqual(2000);
    expect(closedAt - started).toBeLessThan(6000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(JSON.parse(readFileSync(`${marker}.serve`, 'utf8'))).toEqual(PANEL_ARGS);
  });

  it('refuses a time limit that is not a number of seconds', async () => {
    const dir = project();
    const result = await run(process.execPath, [startScript(dir), '--electron-timeout', 'soon'], environment({}, path.join(dir, 'launched')));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('start: --electron-timeout takes a whole number of seconds (0: do not install Electron), not "soon"');
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
