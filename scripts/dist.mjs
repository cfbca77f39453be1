// npm run dist -- [electron-builder options, e.g. --linux dir]: builds app/dist, then packs the desktop app with
// electron-builder for the current platform (targets from electron-builder.yml) into app/release/.
//
// electron-builder needs the Electron runtime of the installed version for the target platform. It takes, in order:
// ELECTRON_DIST (an unpacked Electron folder or its zip), node_modules/electron/dist when electron's install script
// ran, or electron-builder's download cache; only then does it download. Where none exists and nothing can be
// downloaded (as on the project's offline machines), this script says so plainly instead of a download stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const electronVersion = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version;
const builderArgs = process.argv.slice(2);

console.log('dist: building app/dist (npm run build)…');
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
for (const file of ['app/dist/main/electron.cjs', 'app/dist/main/preload.cjs', 'app/dist/renderer/index.html']) {
  if (!existsSync(file)) {
    console.error(`dist: ${file} is missing after the build; scripts/build.mjs must bundle main/electron/main.ts and main/electron/preload.ts (CommonJS).`);
    process.exit(1);
  }
}

/** A local Electron runtime for electron-builder, or null (it will try its cache, then the network). */
function localElectronDist() {
  const fromEnv = process.env.ELECTRON_DIST;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      console.error(`dist: ELECTRON_DIST=${fromEnv} does not exist`);
      process.exit(1);
    }
    return path.resolve(fromEnv);
  }
  const installed = path.join(root, 'node_modules/electron/dist');
  return existsSync(installed) ? installed : null;
}

const electronDist = localElectronDist();
const offlineMessage =
  `dist: electron-builder could not download the Electron ${electronVersion} runtime (or a packaging tool) — this machine has no network ` +
  'access to GitHub. Pack where it can be downloaded, or point ELECTRON_DIST at an unpacked Electron folder or its zip ' +
  "(e.g. from an install where electron's install script ran: node_modules/electron/dist).";

// Without a local runtime electron-builder downloads from GitHub (or ELECTRON_MIRROR); where that host does not even
// resolve, say so now rather than after a minute of retries.
if (!electronDist && !process.env.ELECTRON_MIRROR && !process.env.ELECTRON_BUILDER_BINARIES_MIRROR) {
  const resolves = await Promise.race([
    lookup('github.com').then(() => true, () => false),
    new Promise((resolve) => setTimeout(() => resolve(false), 5000).unref()),
  ]);
  if (!resolves) {
    console.error(offlineMessage.replace('could not download', 'cannot download'));
    process.exit(1);
  }
}
const args = ['--publish', 'never', `-c.electronVersion=${electronVersion}`, ...(electronDist ? [`-c.electronDist=${electronDist}`] : []), ...builderArgs];
if (electronDist) console.log(`dist: packing with the local Electron ${electronVersion} in ${electronDist}`);
else console.log(`dist: no local Electron ${electronVersion} runtime; electron-builder will use its cache or download it`);

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
child.on('exit', (code, signal) => {
  if (code === 0) {
    console.log('dist: done; the packages are in app/release/');
    process.exit(0);
  }
  const network = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|socket hang up|unable to download|Cannot download|download.*fail|github\.com/i;
  if (!electronDist && network.test(output)) {
    console.error(`\n${offlineMessage}`);
  } else if (network.test(output)) {
    console.error('\ndist: electron-builder needed a download (a packaging tool for this target) and this machine cannot reach it; "--linux dir" packs without one.');
  }
  process.exit(code ?? (signal ? 1 : 0));
});
