/**
 * Push and pull of a 1 GiB file through real clients (each its own process), next to `cp` of the same file in the
 * same run, with each client's peak memory (VmHWM from /proc: the kernel's own high-water mark of its RSS).
 * Target: under 200 MB whatever the file size.
 *
 * Beside them, where the time goes: the CPU each side spent, and two costs no push or pull can avoid on top of what
 * `cp` does, measured here in the same run: a SHA-256 pass over the file (a push takes three: the whole file and its
 * chunks on the client, each chunk again on the server; a pull two or three) and the file's trip through loopback TCP.
 * Client and server share this machine's cores, so their sum bounds how close to `cp` either can come.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import net from 'node:net';
import { availableParallelism } from 'node:os';
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { build as esbuild } from 'esbuild';
import path from 'node:path';
import { STATE_SCHEMAS } from '../shared/assethub/states.ts';
import { SERVER_NAME } from '../shared/protocol/index.ts';
import { startHub } from '../services/datahub/index.ts';
import { silentLogger } from '../services/lib/log.ts';
import { startServer } from '../services/server/server.ts';
import { tempDir } from '../services/testing/cluster.ts';
import { Probe } from '../services/testing/probe.ts';
import { until } from '../services/testing/wait.ts';
import { processCpu } from './lib/cpu.ts';
import { printComparison } from './lib/measure.ts';

const SIZE = Number(process.env.TRANSFER_BYTES ?? 1024 ** 3);
const REPO = '%SYNCED_STORAGE%\\Projects\\Transfer';
const MB = 1e6;

const dir = await tempDir('assethub-transfer-');
const logger = silentLogger();
const hub = await startHub({ port: 0, logger });
const server = await startServer({ dataDir: path.join(dir, 'server'), hubUrl: hub.url, storagePort: 0, logger });
const panel = await Probe.connect(hub.url, { name: 'BENCH-AssetHubPanel' });

/**
 * The clients run as shipped: bundled like app/dist's services (scripts/build.mjs), without the TypeScript loader,
 * which alone costs a process tens of MB and would blur its peak memory. Built beside node_modules, whence the bundle
 * loads its packages.
 */
const bundleDir = path.resolve('node_modules/.cache/assethub-bench-client');
for (const [entry, out] of [['services/client/main.ts', 'client.mjs'], ['services/client/scan/scan.worker.ts', 'scan.worker.mjs']] as const) {
  await esbuild({ entryPoints: [entry], outfile: path.join(bundleDir, out), bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
}

function spawnClient(machine: string): ChildProcess {
  return spawn(process.execPath, [path.join(bundleDir, 'client.mjs'), '--machine', machine, '--data', path.join(dir, machine), '--hub', hub.url], {
    stdio: 'ignore', env: { ...process.env, ASSETHUB_LOG_LEVEL: 'warn' },
  });
}
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** CPU seconds of `child` and of this process (the server and the hub) while `work` runs. */
async function cpuOf(child: ChildProcess, work: () => Promise<void>): Promise<{ client: number; server: number }> {
  const [c, s] = [processCpu(child.pid ?? 0) ?? 0, ownCpuMs()];
  await work();
  return { client: ((processCpu(child.pid ?? 0) ?? 0) - c) / 1000, server: (ownCpuMs() - s) / 1000 };
}

/** CPU seconds to SHA-256 the file once (it is in the page cache) and to send it through loopback TCP (both ends). */
async function unavoidableCpu(file: string): Promise<{ sha: number; tcp: number }> {
  const piece = Buffer.allocUnsafe(8 * 1024 * 1024);
  let t = ownCpuMs();
  const fd = openSync(file, 'r');
  const hash = createHash('sha256');
  for (let n; (n = readSync(fd, piece, 0, piece.length, null)) > 0;) hash.update(piece.subarray(0, n));
  closeSync(fd);
  hash.digest();
  const sha = (ownCpuMs() - t) / 1000;
  t = ownCpuMs();
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer((socket) => {
      let received = 0;
      socket.on('data', (d: Buffer) => {
        received += d.length;
        if (received >= SIZE) {
          socket.destroy();
          server.close();
          resolve();
        }
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', async () => {
        for (let sent = 0; sent < SIZE; sent += piece.length) {
          if (!socket.write(piece.subarray(0, Math.min(piece.length, SIZE - sent)))) await new Promise((r) => socket.once('drain', r));
        }
      });
      socket.on('error', reject);
    });
  });
  return { sha, tcp: (ownCpuMs() - t) / 1000 };
}

const peakMiB = (child: ChildProcess) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const children = [spawnClient('STAGE-A'), spawnClient('STAGE-B')];
try {
  const [a, b] = children as [ChildProcess, ChildProcess];
  const A = 'STAGE-A-AssetHubClient';
  const B = 'STAGE-B-AssetHubClient';
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  const wsA = (await until('A', () => panel.ok<{ Workspace: string }>(A, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }), 30_000)).Workspace;
  const wsB = (await until('B', () => panel.ok<{ Workspace: string }>(B, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }), 30_000)).Workspace;
  const status = async (client: string, ws: string) => STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(client, ['WorkspaceInfo'])).Workspaces[ws]?.Status;
  for (const [c, ws] of [[A, wsA], [B, wsB]] as const) {
    await panel.ok(c, 'Pull', { Workspace: ws });
    await until('at root', async () => (await status(c, ws))?.Activity === 'Idle', 30_000);
  }

  // The file, written in 8 MiB pieces of random bytes.
  const file = path.join(wsA, 'Movies', 'Show.mov');
  execFileSync('mkdir', ['-p', path.dirname(file)]);
  const fd = openSync(file, 'w');
  const piece = Buffer.alloc(8 * 1024 * 1024);
  for (let done = 0; done < SIZE; done += piece.length) writeSync(fd, randomFillSync(piece), 0, Math.min(piece.length, SIZE - done));
  closeSync(fd);
  execFileSync('sync');

  const copy = path.join(dir, 'copy.mov');
  let t = performance.now();
  execFileSync('cp', [file, copy]);
  execFileSync('sync');
  const cpSeconds = (performance.now() - t) / 1000;
  await rm(copy);

  await until('A sees the file', async () => (await panel.get(A, ['AssetInfo']) as { Workspaces: Record<string, { LocalChanges: unknown[] }> }).Workspaces[wsA]?.LocalChanges.length === 2, 60_000, 200);
  t = performance.now();
  const pushCpu = await cpuOf(a, async () => {
    await panel.ok(A, 'Push', { Workspace: wsA, Comment: 'a big movie' });
    await until('pushed', async () => /^Pushed/.test((await status(A, wsA))?.Message ?? ''), 600_000, 100);
  });
  const pushSeconds = (performance.now() - t) / 1000;

  await until('B knows', async () => (await status(B, wsB))?.Incoming === true, 30_000);
  t = performance.now();
  const pullCpu = await cpuOf(b, async () => {
    await panel.ok(B, 'Pull', { Workspace: wsB });
    await until('pulled', async () => /^Pulled/.test((await status(B, wsB))?.Message ?? ''), 600_000, 100);
  });
  const pullSeconds = (performance.now() - t) / 1000;
  const floor = await unavoidableCpu(file);

  const cpRate = SIZE / MB / cpSeconds;
  printComparison(`Transfer of a ${(SIZE / 1024 ** 3).toFixed(2)} GiB file through real clients (cp + sync: ${cpSeconds.toFixed(1)} s)`, [
    { what: `push (hash, upload, commit) ${pushSeconds.toFixed(1)} s`, ours: SIZE / MB / pushSeconds, baselineName: 'cp', baseline: cpRate, unit: 'MB/s' },
    { what: `pull (download, verify, fsync, rename) ${pullSeconds.toFixed(1)} s`, ours: SIZE / MB / pullSeconds, baselineName: 'cp', baseline: cpRate, unit: 'MB/s' },
  ]);
  const cores = availableParallelism();
  const spent = (what: string, cpu: { client: number; server: number }, seconds: number) =>
    console.log(`  CPU during the ${what}: client ${cpu.client.toFixed(1)} s + server and hub ${cpu.server.toFixed(1)} s in ${seconds.toFixed(1)} s on ${cores} cores`);
  spent('push', pushCpu, pushSeconds);
  spent('pull', pullCpu, pullSeconds);
  console.log(`  beyond cp's own work, per file: SHA-256 ${floor.sha.toFixed(2)} CPU s a pass (push: 3 passes), loopback TCP ${floor.tcp.toFixed(2)} CPU s;`
    + ` a push can take no less than ${((3 * floor.sha + floor.tcp) / cores).toFixed(1)} s of this machine's ${cores} cores for them alone`);
  console.log(`  peak memory (VmHWM): pushing client ${peakMiB(a).toFixed(0)} MiB, pulling client ${peakMiB(b).toFixed(0)} MiB (target < 200 MB)`);
  // The figures, last: share of cp + sync's rate (target ≥ 60% each).
  console.log(`push: ${Math.round((cpSeconds / pushSeconds) * 100)}% of cp`);
  console.log(`pull: ${Math.round((cpSeconds / pullSeconds) * 100)}% of cp`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await panel.close();
  await server.close();
  await hub.close();
  await rm(dir, { recursive: true, force: true });
}
