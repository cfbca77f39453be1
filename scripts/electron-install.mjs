// @ts-check
// The Electron binary for `npm start` and `npm run dist`. package.json's allowScripts keeps electron's install script
// from running under `npm ci` (so installs work offline); where the binary is missing, this runs that same script
// (node_modules/electron/install.js) on demand, so every setting it knows applies: ELECTRON_MIRROR, ELECTRON_CUSTOM_DIR,
// electron_config_cache, electron_use_remote_checksums, ELECTRON_GET_USE_PROXY with the GLOBAL_AGENT_* proxy variables.
// It shows how far the download is (a line updated in place on a terminal, a line per step and every 10 s otherwise),
// stops the installer at a time limit, and otherwise says in one short phrase why it failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_TIMEOUT_S = 300;
const TIMEOUT_OPTION = '--electron-timeout';
const TIMEOUT_ENV = 'ASSETHUB_ELECTRON_TIMEOUT';

/**
 * The Electron binary of the package in `packageDir`, or null when it is not installed. Asks the package itself:
 * its index.js reads path.txt (written last by install.js) and honours ELECTRON_OVERRIDE_DIST_PATH.
 * @param {string} packageDir
 * @returns {string | null}
 */
export function electronBinary(packageDir) {
  try {
    const binary = createRequire(path.join(packageDir, 'package.json'))(packageDir);
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/**
 * Takes `--electron-timeout <seconds>` (or `=<seconds>`) out of `args`; without it ASSETHUB_ELECTRON_TIMEOUT, else
 * 300 s. 0 means: do not try to install. Throws on a value that is not a whole number of seconds.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ seconds: number, rest: string[] }}
 */
export function takeTimeoutOption(args, env) {
  const rest = [];
  /** @type {string | undefined} */
  let value = env[TIMEOUT_ENV];
  let from = TIMEOUT_ENV;
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === TIMEOUT_OPTION) {
      value = args[++i] ?? '';
      from = TIMEOUT_OPTION;
    } else if (arg.startsWith(`${TIMEOUT_OPTION}=`)) {
      value = arg.slice(TIMEOUT_OPTION.length + 1);
      from = TIMEOUT_OPTION;
    } else {
      rest.push(arg);
    }
  }
  if (value === undefined || (value === '' && from === TIMEOUT_ENV)) return { seconds: DEFAULT_TIMEOUT_S, rest };
  if (!/^\d+$/.test(value)) throw new Error(`${from} takes a whole number of seconds (0: do not install Electron), not "${value}"`);
  return { seconds: Number(value), rest };
}

/** Total size of the files under `dir` (the installer's temporary folder: the archive being downloaded). */
function bytesUnder(/** @type {string} */ dir) {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    try {
      const info = statSync(path.join(dir, entry));
      if (info.isFile()) total += info.size;
    } catch {
      // Removed while we looked: the installer moved it to its cache.
    }
  }
  return total;
}

/** The installer's own explanation: the first line of the error stack install.js prints, without the class name. */
function reasonFrom(/** @type {string} */ output, /** @type {number | null} */ code, /** @type {string | null} */ signal) {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  const error = lines.find((line) => /^[A-Za-z]*Error\b.*?:/.test(line)) ?? lines.find((line) => !line.startsWith('at '));
  const text = error?.replace(/^[A-Za-z]*Error(?: \[\w+\])?: /, '');
  if (text) return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  return signal ? `its installer was stopped by ${signal}` : `its installer exited with code ${code}`;
}

const mb = (/** @type {number} */ bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * The Electron binary, installing it first where it is missing.
 * @param {{ packageDir: string, seconds: number, label: string, output?: NodeJS.WriteStream, env?: NodeJS.ProcessEnv }} options
 *   packageDir: the electron package (node_modules/electron); label: the prefix of every line ("start", "dist").
 * @returns {Promise<{ binary: string } | { reason: string }>} the binary, or why there is none (one short phrase).
 */
export async function ensureElectron({ packageDir, seconds, label, output = process.stdout, env = process.env }) {
  const installed = electronBinary(packageDir);
  if (installed) return { binary: installed };
  const installer = path.join(packageDir, 'install.js');
  if (!existsSync(installer)) return { reason: `there is no electron package in ${packageDir}; run npm ci` };
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' };
  if (seconds === 0) return { reason: `installing it is off: ${TIMEOUT_OPTION} 0` };
  const version = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
  const source = env.npm_config_electron_mirror || env.NPM_CONFIG_ELECTRON_MIRROR || env.ELECTRON_MIRROR || 'github.com';

  // @electron/get downloads into os.tmpdir(): a folder of our own shows the bytes as they arrive, and is removed after.
  const temp = mkdtempSync(path.join(os.tmpdir(), 'panel-electron-install-'));
  const child = spawn(process.execPath, [installer], {
    cwd: packageDir,
    env: { ...env, TMPDIR: temp, TMP: temp, TEMP: temp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (/** @type {Buffer} */ chunk) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  const tty = output.isTTY === true;
  // On a terminal the line is rewritten in place, so it must not wrap.
  const fit = (/** @type {string} */ line) => (output.columns && line.length >= output.columns ? `${line.slice(0, output.columns - 2)}…` : line);
  const say = (/** @type {string} */ line) => output.write(tty ? `\r${fit(line)}\x1b[K` : `${line}\n`);
  let downloaded = 0;
  let unpacking = false;
  let lastLine = started;
  say(`${label}: downloading Electron v${version} from ${source} (time limit ${seconds} s)…`);
  const progress = setInterval(() => {
    const now = bytesUnder(temp);
    downloaded = Math.max(downloaded, now);
    // The archive leaves the temporary folder for the cache once downloaded and checked; install.js then unpacks it.
    if (!unpacking && downloaded > 0 && now === 0) {
      unpacking = true;
      say(`${label}: downloaded ${mb(downloaded)} in ${elapsed()}; unpacking Electron v${version}…`);
    } else if (tty) {
      say(unpacking
        ? `${label}: unpacking Electron v${version}… ${elapsed()}`
        : `${label}: downloading Electron v${version} from ${source}… ${mb(downloaded)}, ${elapsed()} (limit ${seconds} s)`);
    } else if (Date.now() - lastLine >= 10_000) {
      lastLine = Date.now();
      say(`${label}: ${unpacking ? 'unpacking' : `downloading… ${mb(downloaded)} so far,`} ${elapsed()}`);
    }
  }, 250);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  }, seconds * 1000);
  // Ctrl+C during the download stops the installer and start/dist with it (no browser panel after an interrupt).
  const interrupt = (/** @type {NodeJS.Signals} */ signal) => {
    child.kill(signal);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  /** @type {[number | null, NodeJS.Signals | null]} */
  const [code, signal] = await new Promise((resolve) => {
    child.on('error', (error) => {
      keep(Buffer.from(`Error: ${error.message}\n`));
      resolve([null, null]);
    });
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  clearInterval(progress);
  clearTimeout(timer);
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  rmSync(temp, { recursive: true, force: true });
  if (tty) output.write('\n');

  if (timedOut) {
    const got = downloaded > 0 ? `, ${mb(downloaded)} downloaded` : '';
    return { reason: `timed out after ${seconds} s${got}; allow longer with ${TIMEOUT_OPTION} <seconds> or ${TIMEOUT_ENV}` };
  }
  if (code !== 0) {
    const reason = reasonFrom(log, code, signal);
    // got adds the URL to an HTTP error's message after its stack (what install.js prints) was taken.
    return { reason: reason.startsWith('Response code') ? `${reason} from ${source}` : reason };
  }
  const binary = electronBinary(packageDir);
  if (!binary) return { reason: `its installer finished but left no binary in ${path.join(packageDir, 'dist')}` };
  output.write(`${label}: Electron v${version} installed in ${elapsed()}\n`);
  return { binary };
}
