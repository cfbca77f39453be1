// npm start -- [options] [-- <Electron or Chromium switches>] (`--help` lists them: main/electron/options.ts): the desktop panel.
// Builds app/dist when it is missing or older than the sources, then launches Electron on the project. Where the
// Electron binary is not installed (its download is disabled on machines without network access), it says so in one
// line and runs the browser panel instead (scripts/serve.mjs) with the same arguments.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
// Our options are the Electron host's (tsx: the table is .ts): --help and a wrong option are answered here, before a
// build or a window. What follows `--` goes to Electron and Chromium unchecked (--remote-debugging-port=…).
const { parseCommandLine } = await tsImport('../services/lib/command-line.ts', import.meta.url);
const { START_COMMAND } = await tsImport('../main/electron/options.ts', import.meta.url);
const given = process.argv.slice(2);
const split = given.indexOf('--');
const args = split < 0 ? given : given.slice(0, split);
const electronSwitches = split < 0 ? [] : given.slice(split + 1);
parseCommandLine(START_COMMAND, args);

/** The Electron binary's path, or null when it is not installed (electron's install script did not run). */
function electronBinary() {
  try {
    const binary = createRequire(path.join(root, 'package.json'))('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** What Electron loads; all of it must be newer than every source it is built from. */
const OUTPUTS = ['app/dist/main/electron.cjs', 'app/dist/main/preload.cjs', 'app/dist/services/cli.mjs', 'app/dist/renderer/index.html'];
const SOURCES = ['shared', 'services', 'main', 'renderer', 'vite.config.ts', 'scripts/build.mjs', 'package-lock.json'];

function newestMtime(entry) {
  let info;
  try {
    info = statSync(entry);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return /\.test\.tsx?$/.test(entry) ? 0 : info.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

function buildIsStale() {
  const outputs = OUTPUTS.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0));
  if (outputs.some((mtime) => mtime === 0)) return true;
  return Math.max(...SOURCES.map(newestMtime)) > Math.min(...outputs);
}

function run(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const binary = electronBinary();
if (binary === null) {
  console.log('Electron is not installed on this machine (its download is disabled here); starting the browser panel instead: npm run serve');
  run(process.execPath, [path.join(root, 'scripts/serve.mjs'), ...args]);
} else {
  if (buildIsStale()) {
    console.log('start: app/dist is missing or older than the sources; building it (npm run build)…');
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  // ELECTRON_RUN_AS_NODE would turn Electron into plain Node and ignore the app.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  run(binary, ['.', ...args, ...electronSwitches], env);
}
