// npm start -- [--hub zmq://host | ws://host:port] [--token <hub token>] [--data <dir>] [--ephemeral] [--fabric ws|zmq]
// [--verbose]: the desktop panel. Rebuilds app/dist when it is missing or older than its sources
// (scripts/build-freshness.mjs), then launches Electron on the project. Where the Electron binary is not installed (its
// download is disabled on machines without network access), it says so in one line and runs the browser panel instead
// (scripts/serve.mjs, which does the same check) with the same arguments.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './build-freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const args = process.argv.slice(2);

/** The Electron binary's path, or null when it is not installed (electron's install script did not run). */
function electronBinary() {
  try {
    const binary = createRequire(path.join(root, 'package.json'))('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
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
  ensureBuilt(root, 'start');
  // ELECTRON_RUN_AS_NODE would turn Electron into plain Node and ignore the app.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  run(binary, ['.', ...args], env);
}
