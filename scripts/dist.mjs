// npm run dist -- [--electron-timeout <seconds>] [electron-builder options, e.g. --linux dir]: packs the desktop app
// with electron-builder for the current platform (electron-builder.yml: AppImage and deb on Linux, nsis on Windows, dmg
// on macOS) into app/release/.
//
// electron-builder needs the Electron runtime of the installed version: ELECTRON_DIST (an unpacked Electron folder or
// its zip) when set, otherwise node_modules/electron/dist, installed first where missing by Electron's own installer
// (scripts/electron-install.mjs: mirror, cache and proxy settings, a progress line, the time limit). Its packaging
// tools (appimagetool, fpm, NSIS…) electron-builder downloads into its own cache (ELECTRON_BUILDER_BINARIES_MIRROR,
// ELECTRON_BUILDER_CACHE). Where either cannot be had, this says what and why in one line and exits non-zero.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectron, takeTimeoutOption } from './electron-install.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

let options;
try {
  options = takeTimeoutOption(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`dist: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const builderArgs = options.rest;
const packageDir = path.join(root, 'node_modules/electron');
const electronVersion = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;

/** The Electron runtime electron-builder packs: first, so a machine that cannot have it hears so before a build. */
async function electronDist() {
  const fromEnv = process.env.ELECTRON_DIST;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      console.error(`dist: ELECTRON_DIST=${fromEnv} does not exist`);
      process.exit(1);
    }
    return path.resolve(fromEnv);
  }
  const electron = await ensureElectron({ packageDir, seconds: options.seconds, label: 'dist' });
  if ('reason' in electron) {
    console.error(
      `dist: Electron v${electronVersion} could not be installed (${electron.reason}), so there is no runtime to pack; ` +
        'pack where it can be downloaded (or set ELECTRON_MIRROR), or point ELECTRON_DIST at an unpacked Electron folder or its zip',
    );
    process.exit(1);
  }
  return path.join(packageDir, 'dist');
}

const dist = await electronDist();
console.log('dist: building app/dist (npm run build)…');
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
for (const file of ['app/dist/main/electron.cjs', 'app/dist/main/preload.cjs', 'app/dist/renderer/index.html']) {
  if (!existsSync(file)) {
    console.error(`dist: ${file} is missing after the build; scripts/build.mjs must bundle main/electron/main.ts and main/electron/preload.ts (CommonJS).`);
    process.exit(1);
  }
}

console.log(`dist: packing with Electron ${electronVersion} from ${dist}`);
const args = ['--publish', 'never', `-c.electronVersion=${electronVersion}`, `-c.electronDist=${dist}`, ...builderArgs];
const cli = path.join(root, 'node_modules/electron-builder/cli.js');
const child = spawn(process.execPath, [cli, ...args], { stdio: ['inherit', 'pipe', 'pipe'] });
let output = '';
const tee = (target) => (chunk) => {
  output = (output + chunk.toString()).slice(-20_000);
  target.write(chunk);
};
child.stdout.on('data', tee(process.stdout));
child.stderr.on('data', tee(process.stderr));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));

/** electron-builder's own words for what failed: its first "⨯" line (without the stack), else the last error line. */
function failure(text) {
  const lines = text.split('\n').map((line) => line.replace(/\x1b\[[0-9;]*m/g, '').trim()).filter(Boolean);
  const marked = lines.find((line) => line.startsWith('⨯'))?.slice(1).replace(/\s+(failedTask|stackTrace)=.*$/, '');
  const line = (marked ?? lines.findLast((l) => /error/i.test(l) && !l.startsWith('at ')) ?? '').trim().replace(/\s+/g, ' ');
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
}

child.on('exit', (code, signal) => {
  if (code === 0) {
    console.log('dist: done; the packages are in app/release/');
    process.exit(0);
  }
  const reason = failure(output) || (signal ? `stopped by ${signal}` : `exit code ${code}`);
  // The packaging tools come from GitHub (electron-builder-binaries) on first use.
  const network = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|no such host|socket hang up|dial tcp|download/i.test(output);
  const hint = network ? '; it downloads its packaging tools from GitHub on first use (or ELECTRON_BUILDER_BINARIES_MIRROR), "--linux dir" packs without them' : '';
  console.error(`\ndist: electron-builder could not pack the app (${reason})${hint}`);
  process.exit(code ?? 1);
});
