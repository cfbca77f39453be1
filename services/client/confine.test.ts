// Workspaces live under the client's synced storage or an allowed root: CreateWorkspace refuses any other folder
// (UNSAFE_PATH naming the rule), and a workspace a store from before the rule names elsewhere is not opened.
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { silentLogger } from '../lib/log.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import { startClient, type RunningClient } from './client.ts';
import { ClientStore } from './store.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Confined';
const B = 'STAGE-B-AssetHubClient';
const C = 'STAGE-C-AssetHubClient';
let cluster: Cluster;
let panel: Probe;
let storage = '';
let outside = '';
let allowed = '';
const started: RunningClient[] = [];

/** A client started as `main.ts` would, with its folders under the cluster's and these allowed roots. */
async function client(machine: string, allowedRoots: string[] = []): Promise<RunningClient> {
  const home = path.join(cluster.dir, machine);
  const c = await startClient({ machine, dataDir: home, storageDir: path.join(home, 'Synced Storage'), hubUrl: cluster.hub.url, allowedRoots, logger: silentLogger() });
  started.push(c);
  return c;
}
const workspacesOf = async (service: string) => Object.keys(STATE_SCHEMAS.client.PersistentState.parse(await panel.get(service, ['PersistentState'])).Workspaces);

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  storage = path.join(cluster.dir, 'STAGE-B', 'Synced Storage');
  outside = path.join(cluster.dir, 'outside');
  allowed = path.join(cluster.dir, 'show-drive');
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'precious.txt'), 'do not touch');
  await client('STAGE-B');
  await client('STAGE-C', [allowed]);
  await mkdir(path.join(storage, 'Projects'), { recursive: true });
  await symlink('/', path.join(storage, 'Projects', 'to-root'));
  await symlink(outside, path.join(storage, 'Projects', 'to-outside'));
}, 60_000);
afterAll(async () => {
  for (const c of started) await c.close();
  await cluster?.close();
});

it('refuses a workspace outside the synced storage (no allowed roots), at /, at home, with .., NUL or through a symlink; accepts one inside the storage or an allowed root', async () => {
  const cases: Array<[string, RegExp]> = [
    [path.join(outside, 'ws'), /is outside the synced storage and the allowed roots/],
    [outside, /is outside the synced storage/],
    [path.join(allowed, 'Gala'), /is outside the synced storage/], // C's allowed root is not B's
    [path.join(storage, 'Projects', 'to-outside'), /really .*outside\) is outside/],
    [path.join(storage, 'Projects', 'to-outside', 'ws'), /is outside/],
    [path.join(storage, 'Projects', 'to-root'), /^workspace path ".*": \/ is a filesystem root/],
    [`${storage}/Projects/../../../outside`, /contains "\.\."/],
    [`${storage}/Projects/a\u0000b`, /NUL/],
    ['C:\\Windows', /must be absolute/],
    [os.homedir(), /home folder/],
    ['/', /filesystem root/],
  ];
  for (const [Path, rule] of cases) {
    const from = panel.messages.length;
    const outcome = await panel.call(B, 'CreateWorkspace', { Repository: REPO, Branch: 'Main', Path });
    expect('Failure' in outcome && outcome.Failure, Path).toMatchObject({ Code: 'UNSAFE_PATH', Message: expect.stringMatching(rule) });
    await panel.next((m) => m.topic.Type === 'Log' && 'Source' in m.topic && m.topic.Source === B, 5000, from);
  }
  expect(await workspacesOf(B)).toEqual([]);
  expect(await readdir(outside)).toEqual(['precious.txt']);

  // Inside the synced storage, and inside an allowed root of the client that has one, a folder is fine.
  const inStorage = path.join(storage, 'Projects', 'Chosen Here');
  expect(await panel.ok(B, 'CreateWorkspace', { Repository: REPO, Branch: 'Main', Path: inStorage })).toEqual({ Workspace: inStorage });
  const inAllowed = path.join(allowed, 'Gala', 'Stage 1');
  expect(await panel.ok(C, 'CreateWorkspace', { Repository: REPO, Branch: 'Main', Path: inAllowed })).toEqual({ Workspace: inAllowed });
  expect(await workspacesOf(B)).toEqual([inStorage]);
  expect(await workspacesOf(C)).toEqual([inAllowed]);
  // Still no nesting, also not through a symlink to the workspace's folder.
  await symlink(inAllowed, path.join(allowed, 'alias'));
  for (const Path of [path.join(allowed, 'Gala'), path.join(allowed, 'alias'), path.join(allowed, 'alias', 'deeper')]) {
    const nested = await panel.call(C, 'CreateWorkspace', { Repository: REPO, Branch: 'Main', Path });
    expect('Failure' in nested && nested.Failure, Path).toMatchObject({ Code: 'INVALID_PARAMS', Message: expect.stringMatching(/would nest/) });
  }
});

it('a stored workspace outside the rules is listed but not opened: its Status says why, nothing in it is touched, its record is kept', async () => {
  const machine = 'STAGE-D';
  const D = `${machine}-AssetHubClient`;
  const first = await client(machine);
  await first.close();
  started.splice(started.indexOf(first), 1);
  // A store written before the rule: one workspace in the synced storage, one outside it.
  const good = path.join(cluster.dir, machine, 'Synced Storage', 'Projects', 'Confined');
  const db = path.join(cluster.dir, machine, 'client.sqlite');
  const store = new ClientStore(db);
  store.addWorkspace({ path: outside, repository: REPO, branch: 'Main', commit: null, autoPull: true });
  store.addWorkspace({ path: good, repository: REPO, branch: 'Main', commit: null, autoPull: null });
  store.close();
  await mkdir(good, { recursive: true });

  await client(machine);
  const info = await until('D publishes its workspaces', async () => {
    const value = STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(D, ['WorkspaceInfo']));
    return value.Workspaces[outside] ? value : undefined;
  });
  expect(info.Workspaces[outside]?.Status.Message).toMatch(/^Not opened: .*is outside the synced storage.*its record is kept/);
  for (const [method, params] of [
    ['RevertLocalChanges', { Workspace: outside }],
    ['Pull', { Workspace: outside }],
    ['Push', { Workspace: outside, Comment: 'x' }],
    ['Scan', { Workspace: outside }],
  ] as const) {
    const outcome = await panel.call(D, method, params);
    expect('Failure' in outcome && outcome.Failure, method).toMatchObject({ Code: 'UNSAFE_PATH', Message: expect.stringMatching(/is not opened/) });
  }
  // The workspace in the synced storage works as before.
  await panel.ok(D, 'Pull', { Workspace: good });
  await until('D pulled its good workspace', async () => (STATE_SCHEMAS.client.PersistentState.parse(await panel.get(D, ['PersistentState'])).Workspaces[good]?.Commit ?? null) !== null);
  expect(await readdir(outside)).toEqual(['precious.txt']);
  expect(await readFile(path.join(outside, 'precious.txt'), 'utf8')).toBe('do not touch');
  const d = started.at(-1) as RunningClient;
  await d.close();
  started.pop();
  const after = new ClientStore(db);
  expect(after.workspaces().map((w) => w.path).sort()).toEqual([good, outside].sort());
  after.close();
});
