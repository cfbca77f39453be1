// npm start -- [options] [-- <Electron or Chromium switches>] (`--help` lists them: main/electron/options.ts): the
// desktop panel. Where the Electron binary is missing (npm ci does not run electron's install script, so installs work
// offline), it runs that installer now with a progress line and a time limit (scripts/electron-install.mjs). Then it
// rebuilds app/dist when it is missing or older than its sources (scripts/build-freshness.mjs) and launches Electron on
// the project. Where Electron cannot be installed (no network, a mirror without it, the time limit), it says why in one
// line and runs the browser panel instead (scripts/serve.mjs) with the same arguments.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { ensureBuilt } from './build-freshness.mjs';
import { ensureElectron, takeTimeoutOption } from './electron-install.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
// Our options are the Electron host's (tsx: the table is .ts): --help and a wrong option are answered here, before a
// download, a build or a window. What follows `--` goes to Electron and Chromium unchecked (--remote-debugging-port=…).
const { parseCommandLine } = await tsImport('../services/lib/command-line.ts', import.meta.url);
const { START_COMMAND } = await tsImport('../main/electron/options.ts', import.meta.url);
const given = process.argv.slice(2);
const split = given.indexOf('--');
const electronSwitches = split < 0 ? [] : given.slice(split + 1);
parseCommandLine(START_COMMAND, split < 0 ? given : given.slice(0, split));
/** @type {{ seconds: number, rest: string[] }} */
let options;
try {
  // --electron-timeout is start's own: taken out before the rest goes to Electron or the browser panel.
  options = takeTimeoutOption(split < 0 ? given : given.slice(0, split), process.env);
} catch (error) {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const args = options.rest;

function run(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = await ensureElectron({ packageDir: path.join(root, 'node_modules/electron'), seconds: options.seconds, label: 'start' });
if ('reason' in electron) {
  console.log(`start: Electron could not be installed (${electron.reason}): opening the browser panel instead (npm run serve)`);
  // The desktop app's --data is its user-data folder; the browser host calls that --user-data.
  const served = args.map((arg) => (arg === '--data' ? '--user-data' : arg.startsWith('--data=') ? `--user-data=${arg.slice(7)}` : arg));
  run(process.execPath, [path.join(root, 'scripts/serve.mjs'), ...served]);
} else {
  ensureBuilt(root, 'start');
  // ELECTRON_RUN_AS_NODE would turn Electron into plain Node and ignore the app.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  run(electron.binary, ['.', ...args, ...electronSwitches], env);
}
