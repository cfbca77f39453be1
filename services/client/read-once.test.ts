// A push or a pull reads a file once: the scans around them take what the transfer read or wrote, and the file is
// not read again (for a 1 GiB file, each read is ~1 s). Two real clients, a real server and hub; the watchers are
// stopped so that only the operation's own scans run.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import type { RunningClient } from './client.ts';

// Every read by a scan goes through hashFile (one file: on the client's own thread). A file counts as racy only by its
// mtime, which a test cannot hold still without waiting: here nothing is racy, so what is left is whether a scan
// re-reads a file the client already knows.
const reads = vi.hoisted(() => ({ files: [] as string[] }));
vi.mock('./scan/hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('./scan/hash.ts')>();
  return {
    ...original,
    isRacy: () => false,
    hashFile: (file: string, buffer: Buffer) => {
      reads.files.push(path.basename(file));
      return original.hashFile(file, buffer);
    },
  };
});

const REPO = '%SYNCED_STORAGE%\\Projects\\ReadOnce';
const A = 'STAGE-A-AssetHubClient';
const B = 'STAGE-B-AssetHubClient';
let cluster: Cluster;
let panel: Probe;
let a: RunningClient;
let b: RunningClient;
let wsA = '';
let wsB = '';

const status = async (client: string, ws: string) => STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(client, ['WorkspaceInfo'])).Workspaces[ws]?.Status;
const commitOf = async (client: string, ws: string) => STATE_SCHEMAS.client.PersistentState.parse(await panel.get(client, ['PersistentState'])).Workspaces[ws]?.Commit;
const workspace = (client: RunningClient, ws: string) => {
  const found = client.workspaces.get(ws);
  if (!found) throw new Error(`no workspace ${ws}`);
  return found;
};

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  a = await cluster.client('STAGE-A');
  b = await cluster.client('STAGE-B');
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  wsA = (await until('A creates its workspace', () => panel.ok<{ Workspace: string }>(A, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }))).Workspace;
  wsB = (await panel.ok<{ Workspace: string }>(B, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' })).Workspace;
  for (const [client, runner, ws] of [[A, a, wsA], [B, b, wsB]] as const) {
    workspace(runner, ws).close(); // no watcher scans
    await panel.ok(client, 'Pull', { Workspace: ws });
    await runner.idle();
  }
}, 60_000);
afterAll(async () => cluster?.close());
beforeEach(() => {
  reads.files = [];
});

it('a push reads a changed file only to upload it, and the pull on another machine only to download it', async () => {
  const file = path.join(wsA, 'Show.mov');
  await writeFile(file, 'take 1');
  await workspace(a, wsA).rescan();
  await writeFile(file, 'take 2, longer');
  reads.files = [];
  await panel.ok(A, 'Push', { Workspace: wsA, Comment: 'take 2' });
  await a.idle();
  expect((await status(A, wsA))?.Message).toMatch(/^Pushed 1 change/);
  expect(reads.files).toEqual([]); // neither the scan before the upload nor the one after it read the file
  expect((await workspace(a, wsA).rescan()).stats.hashed).toBe(0);

  await panel.ok(B, 'Pull', { Workspace: wsB });
  await b.idle();
  expect((await status(B, wsB))?.Message).toMatch(/^Pulled 1 change/);
  expect(await readFile(path.join(wsB, 'Show.mov'), 'utf8')).toBe('take 2, longer');
  expect(reads.files).toEqual([]); // the rescan after the pull took the verified download as it is
  expect(workspace(b, wsB).view.local).toEqual([]);
});

it('a file saved again with its old bytes is not pushed: nothing to push, no commit', async () => {
  const file = path.join(wsA, 'Touched.txt');
  await writeFile(file, 'same');
  await workspace(a, wsA).rescan();
  await panel.ok(A, 'Push', { Workspace: wsA, Comment: 'touched' });
  await a.idle();
  const before = await commitOf(A, wsA);
  await writeFile(file, 'different');
  await workspace(a, wsA).rescan(); // a local change, as the panel shows it
  await writeFile(file, 'same'); // and back, before any scan saw it
  await panel.ok(A, 'Push', { Workspace: wsA, Comment: 'nothing really' });
  await a.idle();
  expect((await status(A, wsA))?.Message).toBe('Nothing to push.');
  expect(await commitOf(A, wsA)).toBe(before);
  expect(workspace(a, wsA).view.local).toEqual([]);
});
