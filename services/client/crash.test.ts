// SIGKILL a client 10 times while it pulls many files: after every kill each file holds either its old or its new
// bytes (never a mix), and a final pull finishes the job.
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import { spawnClient } from '../testing/client-process.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import type { RunningClient } from './client.ts';

const KILLS = 10;
const FILES = 150;
const REPO = '%SYNCED_STORAGE%\\Projects\\Crash';
const A = 'STAGE-A-AssetHubClient';
const B = 'STAGE-B-AssetHubClient';
let cluster: Cluster;
let panel: Probe;
let a: RunningClient;

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  a = await cluster.client('STAGE-A');
}, 60_000);
afterAll(async () => cluster?.close());

const spawnB = () => spawnClient(panel, cluster.hub.url, cluster.dir, 'STAGE-B');
const killed = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

async function filesOf(ws: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name === '.assethub') continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else out.set(r, sha(await readFile(path.join(dir, e.name))));
    }
  };
  await walk(ws, '');
  return out;
}

/** How many files of the workspace were written after `since` (a file a pull replaces is renamed into place). */
async function changedSince(ws: string, since: number): Promise<number> {
  let n = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name === '.assethub') continue;
      if (e.isDirectory()) await walk(path.join(dir, e.name));
      else if ((await stat(path.join(dir, e.name))).mtimeMs > since) n++;
    }
  };
  await walk(ws);
  return n;
}

const workspaceOfB = async () => STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(B, ['WorkspaceInfo']));

it(`leaves only complete files through ${KILLS} SIGKILLs during a pull, and a new pull finishes it`, async () => {
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  const wsA = (await until('A workspace', () => panel.ok<{ Workspace: string }>(A, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }))).Workspace;
  await panel.ok(A, 'Pull', { Workspace: wsA });
  await a.idle();
  const v1 = new Map<string, string>();
  const v2 = new Map<string, string>();
  for (let i = 0; i < FILES; i++) {
    const rel = `Content/Dir${i % 10}/Asset${i}.bin`;
    const data = randomBytes(50_000 + (i % 7) * 40_000);
    await mkdir(path.dirname(path.join(wsA, rel)), { recursive: true });
    await writeFile(path.join(wsA, rel), data);
    v1.set(rel, sha(data));
  }
  await a.workspaces.get(wsA)?.rescan();
  await panel.ok(A, 'Push', { Workspace: wsA, Comment: 'v1' });
  await a.idle();

  let b = spawnB();
  await b.ready;
  const wsB = (await panel.ok<{ Workspace: string }>(B, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' })).Workspace;
  await panel.ok(B, 'Pull', { Workspace: wsB });
  await until('B has v1', async () => (await filesOf(wsB)).size === FILES && (await workspaceOfB()).Workspaces[wsB]?.Status.Activity === 'Idle', 60_000);

  // v2: every file changes, ten are deleted, twenty are new.
  for (const [rel] of v1) {
    const i = Number(/Asset(\d+)/.exec(rel)?.[1]);
    if (i < 10) {
      await rm(path.join(wsA, rel));
      continue;
    }
    const data = randomBytes(60_000 + (i % 5) * 50_000);
    await writeFile(path.join(wsA, rel), data);
    v2.set(rel, sha(data));
  }
  for (let i = FILES; i < FILES + 20; i++) {
    const rel = `Content/New/Asset${i}.bin`;
    const data = randomBytes(80_000);
    await mkdir(path.dirname(path.join(wsA, rel)), { recursive: true });
    await writeFile(path.join(wsA, rel), data);
    v2.set(rel, sha(data));
  }
  await a.workspaces.get(wsA)?.rescan();
  await panel.ok(A, 'Push', { Workspace: wsA, Comment: 'v2' });
  await a.idle();

  /** Kills that caught the pull half done (some files already new, some still old): the case under test. */
  let midway = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    if (kill > 0) {
      b = spawnB();
      await b.ready;
    }
    await until('B has read the server', async () => (await workspaceOfB()).Workspaces[wsB]?.Status.Attached === true, 20_000);
    const pulled = Date.now();
    await panel.ok(B, 'Pull', { Workspace: wsB });
    // Killed as soon as the pull has replaced a file (a state: on a loaded machine any fixed delay may end before it
    // writes, or after it is done), or when there was nothing left to pull.
    await until('the pull writing files', async () => {
      if ((await changedSince(wsB, pulled)) > 0) return true;
      return (await workspaceOfB()).Workspaces[wsB]?.Status.Activity === 'Idle';
    }, 60_000, 2);
    b.child.kill('SIGKILL');
    await killed(b.child);
    let fresh = 0;
    let old = 0;
    for (const [rel, hash] of await filesOf(wsB)) {
      expect([v1.get(rel), v2.get(rel)], `${rel} after kill ${kill + 1}`).toContain(hash);
      if (hash === v2.get(rel)) fresh++;
      else if (hash === v1.get(rel)) old++;
    }
    if (fresh > 0 && old > 0) midway++;
  }
  expect(midway, 'kills that landed in the middle of a pull').toBeGreaterThan(0);

  b = spawnB();
  await b.ready;
  await until('B has read the server', async () => (await workspaceOfB()).Workspaces[wsB]?.Status.Attached === true, 20_000);
  await panel.ok(B, 'Pull', { Workspace: wsB });
  await until('B finished the pull', async () => {
    const s = (await workspaceOfB()).Workspaces[wsB]?.Status;
    return s?.Activity === 'Idle' && s.Incoming === false;
  }, 60_000);
  const final = await filesOf(wsB);
  expect(new Map([...final].filter(([rel]) => rel !== '.pxignore'))).toEqual(v2);
  b.child.kill('SIGTERM');
  await killed(b.child);
}, 400_000);
