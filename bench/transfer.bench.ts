/**
 * Push and pull of a 1 GiB file through real clients (each its own process), next to `cp` of the same file in the
 * same run, with each client's peak memory (VmHWM from /proc: the kernel's own high-water mark of its RSS).
 * Target: under 200 MB whatever the file size.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { STATE_SCHEMAS } from '../shared/assethub/states.ts';
import { SERVER_NAME } from '../shared/protocol/index.ts';
import { startHub } from '../services/datahub/index.ts';
import { silentLogger } from '../services/lib/log.ts';
import { startServer } from '../services/server/server.ts';
import { tempDir } from '../services/testing/cluster.ts';
import { Probe } from '../services/testing/probe.ts';
import { until } from '../services/testing/wait.ts';
import { printComparison } from './lib/measure.ts';

const SIZE = Number(process.env.TRANSFER_BYTES ?? 1024 ** 3);
const REPO = '%SYNCED_STORAGE%\\Projects\\Transfer';
const MB = 1e6;

const dir = await tempDir('assethub-transfer-');
const logger = silentLogger();
const hub = await startHub({ port: 0, logger });
const server = await startServer({ dataDir: path.join(dir, 'server'), hubUrl: hub.url, storagePort: 0, logger });
const panel = await Probe.connect(hub.url, { name: 'BENCH-AssetHubPanel' });

function spawnClient(machine: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'services/client/main.ts', '--machine', machine, '--data', path.join(dir, machine), '--hub', hub.url], {
    stdio: 'ignore', env: { ...process.env, ASSETHUB_LOG_LEVEL: 'warn' },
  });
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
  await panel.ok(A, 'Push', { Workspace: wsA, Comment: 'a big movie' });
  await until('pushed', async () => /^Pushed/.test((await status(A, wsA))?.Message ?? ''), 600_000, 100);
  const pushSeconds = (performance.now() - t) / 1000;

  await until('B knows', async () => (await status(B, wsB))?.Incoming === true, 30_000);
  t = performance.now();
  await panel.ok(B, 'Pull', { Workspace: wsB });
  await until('pulled', async () => /^Pulled/.test((await status(B, wsB))?.Message ?? ''), 600_000, 100);
  const pullSeconds = (performance.now() - t) / 1000;

  const cpRate = SIZE / MB / cpSeconds;
  printComparison(`Transfer of a ${(SIZE / 1024 ** 3).toFixed(2)} GiB file through real clients (cp + sync: ${cpSeconds.toFixed(1)} s)`, [
    { what: `push (hash, upload, commit) ${pushSeconds.toFixed(1)} s`, ours: SIZE / MB / pushSeconds, baselineName: 'cp', baseline: cpRate, unit: 'MB/s' },
    { what: `pull (download, verify, fsync, rename) ${pullSeconds.toFixed(1)} s`, ours: SIZE / MB / pullSeconds, baselineName: 'cp', baseline: cpRate, unit: 'MB/s' },
  ]);
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
