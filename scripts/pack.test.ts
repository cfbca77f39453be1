// Packaging: runs electron-builder (the same CLI and electron-builder.yml as `npm run dist`) for a Linux `dir` build
// with a STUB Electron runtime — a fake `electron` executable holding nothing but the fuse wire — so nothing is
// downloaded, then opens the produced app.asar and checks that it holds the bundles and the runtime dependencies and
// nothing of the source tree or the dev tooling, and that the security fuses were flipped in the executable.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireHere = createRequire(path.join(root, 'package.json'));

/** @electron/fuses' sentinel; the wire follows it: version byte, length byte, one byte per fuse ('0' off, '1' on). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** The order of FuseV1Options, with the state electron-builder.yml asks for. */
const EXPECTED_FUSES: Array<[string, '0' | '1']> = [
  ['runAsNode', '0'],
  ['enableCookieEncryption', '1'],
  ['enableNodeOptionsEnvironmentVariable', '0'],
  ['enableNodeCliInspectArguments', '0'],
  ['enableEmbeddedAsarIntegrityValidation', '1'],
  ['onlyLoadAppFromAsar', '1'],
  ['loadBrowserProcessSpecificV8Snapshot', '0'],
  ['grantFileProtocolExtraPrivileges', '0'],
];

/** Why electron-builder cannot run here, or null. */
function builderProblem(): string | null {
  try {
    requireHere.resolve('electron-builder/cli.js');
    requireHere.resolve('app-builder-lib');
  } catch (error) {
    return `electron-builder is not installed: ${(error as Error).message.split('\n')[0]}`;
  }
  const version = spawnSync(process.execPath, [requireHere.resolve('electron-builder/cli.js'), '--version'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (version.status !== 0) return `electron-builder does not run on Node ${process.version}: ${(version.stderr || version.stdout).trim().split('\n').slice(-3).join(' ')}`;
  return null;
}

/** Lists the files of an asar archive: @electron/asar when resolvable, otherwise its header read directly. */
function listAsar(file: string): string[] {
  try {
    const asar = requireHere('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[] };
    return asar.listPackage(file, { isPack: false }).map((p) => p.split(path.sep).join('/'));
  } catch {
    // Pickle layout: uint32 size of the size pickle (4), uint32 header pickle size, then the header pickle:
    // uint32 payload size, uint32 string length, JSON.
    const data = readFileSync(file);
    const length = data.readUInt32LE(12);
    const header = JSON.parse(data.subarray(16, 16 + length).toString('utf8')) as AsarNode;
    const files: string[] = [];
    const walk = (node: AsarNode, at: string) => {
      for (const [name, child] of Object.entries(node.files ?? {})) {
        files.push(`${at}/${name}`);
        if (child.files) walk(child, `${at}/${name}`);
      }
    };
    walk(header, '');
    return files;
  }
}
type AsarNode = { files?: Record<string, AsarNode> };

function readAsarFile(archive: string, inner: string): string | null {
  try {
    const asar = requireHere('@electron/asar') as { extractFile(archive: string, filename: string): Buffer };
    return asar.extractFile(archive, inner).toString('utf8');
  } catch {
    return null;
  }
}

const problem = builderProblem();
if (problem) console.log(`pack test skipped: ${problem}`);

describe('packaging (electron-builder, Linux dir, stub Electron)', () => {
  let work = '';
  let files: string[] = [];
  let archive = '';
  let executable = '';
  let log = '';

  beforeAll(async () => {
    if (problem) return;
    const outputs = ['app/dist/main/electron.cjs', 'app/dist/main/preload.cjs', 'app/dist/services/cli.mjs', 'app/dist/services/sender.worker.mjs', 'app/dist/renderer/index.html'];
    if (outputs.some((f) => !existsSync(path.join(root, f)))) {
      const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
    }
    const missing = outputs.filter((f) => !existsSync(path.join(root, f)));
    if (missing.length) throw new Error(`npm run build did not produce ${missing.join(', ')}: scripts/build.mjs must bundle main/electron/main.ts and preload.ts`);

    work = mkdtempSync(path.join(tmpdir(), 'panel-pack-'));
    const stub = path.join(work, 'electron-dist');
    mkdirSync(path.join(stub, 'resources'), { recursive: true });
    mkdirSync(path.join(stub, 'locales'), { recursive: true });
    writeFileSync(path.join(stub, 'locales', 'en-US.pak'), '');
    writeFileSync(path.join(stub, 'LICENSE'), 'stub');
    // Every fuse starts in the opposite state of the wanted one, so each must have been flipped.
    const start = EXPECTED_FUSES.map(([, want]) => (want === '1' ? '0' : '1')).join('');
    writeFileSync(path.join(stub, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\necho "stub electron"\n'), Buffer.from(FUSE_SENTINEL), Buffer.from([1, EXPECTED_FUSES.length]), Buffer.from(start)]), { mode: 0o755 });

    const electronVersion = (JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
    const out = path.join(work, 'out');
    const args = [
      requireHere.resolve('electron-builder/cli.js'),
      '--linux',
      'dir',
      '--publish',
      'never',
      `-c.directories.output=${out}`,
      `-c.electronDist=${stub}`,
      `-c.electronVersion=${electronVersion}`,
    ];
    log = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: root, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`electron-builder failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(`${stdout}\n${stderr}`);
      });
    });
    const unpacked = path.join(out, process.arch === 'arm64' ? 'linux-arm64-unpacked' : 'linux-unpacked');
    archive = path.join(unpacked, 'resources', 'app.asar');
    executable = path.join(unpacked, 'asset-hub-panel');
    files = listAsar(archive);
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.skipIf(problem !== null)(`packs app.asar with the bundles and the runtime dependencies${problem ? ` — SKIPPED: ${problem}` : ''}`, () => {
    expect(log).not.toMatch(/downloading|download started/i);
    for (const file of ['/package.json', '/app/dist/main/electron.cjs', '/app/dist/main/preload.cjs', '/app/dist/services/cli.mjs', '/app/dist/services/sender.worker.mjs', '/app/dist/renderer/index.html']) {
      expect(files, file).toContain(file);
    }
    for (const dependency of ['zod', 'ws', 'pino', 'node-sqlite3-wasm', 'zeromq']) expect(files, dependency).toContain(`/node_modules/${dependency}/package.json`);
    // The ZeroMQ fabric's native addon is unpacked beside the asar, where it can be loaded.
    const addon = path.join(path.dirname(archive), 'app.asar.unpacked', 'node_modules', 'zeromq', 'build', 'linux', process.arch, 'node');
    expect(existsSync(addon), addon).toBe(true);
    const pkg = JSON.parse(readAsarFile(archive, 'package.json') ?? '{}') as { main?: string };
    if (Object.keys(pkg).length) expect(pkg.main).toBe('app/dist/main/electron.cjs');
  });

  it.skipIf(problem !== null)(`leaves out sources, tests, maps and dev tooling${problem ? ` — SKIPPED: ${problem}` : ''}`, () => {
    const outsideModules = files.filter((f) => !f.startsWith('/node_modules/'));
    expect(outsideModules.filter((f) => /\.(ts|tsx|map)$/.test(f))).toEqual([]);
    expect(outsideModules.filter((f) => /\.test\.|\.spec\./.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') && f.startsWith('/app/'))).toEqual([]);
    for (const folder of ['/main', '/shared', '/services', '/renderer', '/e2e', '/bench', '/scripts', '/docs', '/test-results', '/app/build', '/app/release']) {
      expect(files.filter((f) => f === folder || f.startsWith(`${folder}/`)), folder).toEqual([]);
    }
    expect(files).not.toContain('/main/hub/engine.ts');
    for (const file of ['/tsconfig.json', '/eslint.config.js', '/vite.config.ts', '/vitest.config.ts', '/playwright.config.ts', '/electron-builder.yml', '/package-lock.json']) {
      expect(files, file).not.toContain(file);
    }
    const devDependencies = Object.keys((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
    expect(devDependencies).toEqual(expect.arrayContaining(['vitest', 'typescript', 'eslint', '@playwright/test', 'electron', 'electron-builder']));
    for (const dev of [...devDependencies, 'playwright', 'playwright-core', 'app-builder-lib', '@electron/asar', 'rollup']) {
      expect(files.filter((f) => f.startsWith(`/node_modules/${dev}/`)), dev).toEqual([]);
    }
  });

  it.skipIf(problem !== null)(`flips the Electron fuses of the security checklist${problem ? ` — SKIPPED: ${problem}` : ''}`, () => {
    const binary = readFileSync(executable);
    const at = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    expect(at).toBeGreaterThan(FUSE_SENTINEL.length);
    const wire = binary.subarray(at + 2, at + 2 + EXPECTED_FUSES.length).toString('latin1');
    expect(Object.fromEntries(EXPECTED_FUSES.map(([name], i) => [name, wire[i]]))).toEqual(Object.fromEntries(EXPECTED_FUSES));
  });
});
