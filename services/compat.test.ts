// What the reference services offer, on a real hub with a real server and clients: GetCapabilities in the normal mode,
// and the documented-only mode of `npm run services -- --compat pixotope-docs` (services/lib/offer.ts) on a data
// folder a normal run filled: the documented Calls and states answer, everything else is silence to a panel, and the
// services' own traffic (a client's AutoPull pulling from the server) still works.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCapabilitiesResult } from '../shared/assethub/capabilities.ts';
import { STATE_SCHEMAS } from '../shared/assethub/states.ts';
import { SERVER_NAME, type Envelope } from '../shared/protocol/index.ts';
import type { RunningClient } from './client/client.ts';
import type { OfferOptions } from './lib/offer.ts';
import { startCluster, type Cluster } from './testing/cluster.ts';
import type { Probe } from './testing/probe.ts';
import { until } from './testing/wait.ts';

const ALPHA = '%SYNCED_STORAGE%\\Projects\\Project Alpha';
const BETA = '%SYNCED_STORAGE%\\Projects\\Project Beta';
/** How long a Call waits before it counts as unanswered: a silence check, not a timing assertion. */
const SILENCE_MS = 300;

let cluster: Cluster;
let panel: Probe;
let a: RunningClient;
let b: RunningClient;
let wsA = '';
let wsB = '';

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  a = await cluster.client('STAGE-A');
  b = await cluster.client('STAGE-B');
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: ALPHA, Branch: 'Main' });
  for (const client of [a, b]) {
    const { Workspace } = await until('the client to know the repository', () => panel.ok<{ Workspace: string }>(client.name, 'CreateWorkspace', { Repository: ALPHA, Branch: 'Main' }));
    await panel.ok(client.name, 'Pull', { Workspace });
    await client.idle();
    if (client === a) wsA = Workspace;
    else wsB = Workspace;
  }
});
afterAll(async () => cluster?.close());

const capabilities = async (target: string) => GetCapabilitiesResult.parse(await panel.ok(target, 'GetCapabilities'));

describe('GetCapabilities (the normal mode)', () => {
  it("a client lists its extension Calls and the four states, each at Version 1", async () => {
    const caps = await capabilities(a.name);
    expect(caps.Methods).toContainEqual({ Name: 'Pull', Version: 1 });
    expect(caps.Methods).toContainEqual({ Name: 'GetCapabilities', Version: 1 });
    expect(caps.States.map((s) => s.Name)).toEqual(['AssetInfo', 'PersistentState', 'State', 'WorkspaceInfo']);
  });

  it('the server lists the documented Calls, its extensions and the Integrations state', async () => {
    const caps = await capabilities(SERVER_NAME);
    for (const name of ['Health', 'GetRepositories', 'CreateRepository', 'CreateBranch', 'QueryAssets', 'GetChanges']) {
      expect(caps.Methods).toContainEqual({ Name: name, Version: 1 });
    }
    expect(caps.States).toContainEqual({ Name: 'Integrations', Version: 1 });
  });
});

describe('the documented-only mode (--compat pixotope-docs), on the data of a normal run', () => {
  let head = '';

  beforeAll(async () => {
    // The normal run leaves STAGE-A a commit behind: STAGE-B pushed a file that STAGE-A has not pulled.
    await writeFile(path.join(wsB, 'wall.txt'), 'wall v1');
    await b.workspaces.get(wsB)?.rescan();
    await panel.ok(b.name, 'Push', { Workspace: wsB, Comment: 'A wall' });
    await b.idle();
    head = STATE_SCHEMAS.server.PersistentState.parse(await panel.get(SERVER_NAME, ['PersistentState'])).Repositories[ALPHA]?.Branches[0]?.Commits.at(-1)?.ID ?? '';
    expect(head).not.toBe('');
    // Then everything restarts as `--compat pixotope-docs --clients STAGE-A,STAGE-B` would start it.
    await cluster.stopClient(a);
    await cluster.stopClient(b);
    const compat: OfferOptions = { offer: 'documented', internalPeers: [SERVER_NAME, a.name, b.name] };
    await cluster.restartServer(compat);
    a = await cluster.client('STAGE-A', compat);
    b = await cluster.client('STAGE-B', compat);
  });

  /** A Call that must go unanswered: TIMEOUT here, and no CallResult of it reaches the panel. */
  const silent = async (target: string, method: string, params: Record<string, unknown> = {}, from = panel) => {
    const before = from.messages.length;
    await expect(from.call(target, method, params, SILENCE_MS)).rejects.toMatchObject({ code: 'TIMEOUT' });
    await from.roundTrip();
    expect(from.messages.slice(before).filter((m: Envelope) => m.topic.Type === 'CallResult')).toEqual([]);
  };

  it('answers the four documented Calls of the server', async () => {
    expect(await panel.ok(SERVER_NAME, 'Health')).toEqual({});
    const repositories = await panel.ok<Array<{ Name: string }>>(SERVER_NAME, 'GetRepositories');
    expect(repositories.map((r) => r.Name)).toEqual([ALPHA]);
    const { Commit } = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: BETA, Branch: 'Main' });
    expect(await panel.ok(SERVER_NAME, 'CreateBranch', { Repository: BETA, Name: 'Show', From: Commit })).toEqual({ Commit });
  });

  it('gives no CallResult at all to an extension Call, GetCapabilities included', async () => {
    await silent(a.name, 'Pull', { Workspace: wsA });
    await silent(a.name, 'GetCapabilities');
    await silent(SERVER_NAME, 'QueryAssets', { Repository: ALPHA, Branch: 'Main' });
    await silent(SERVER_NAME, 'GetCapabilities');
    await silent(SERVER_NAME, 'NoSuchMethod');
  });

  it("answers the run's own services by name only: a peer that merely looks like a client is not one", async () => {
    const impostor = await cluster.probe('STAGE-C-AssetHubClient');
    await silent(SERVER_NAME, 'GetChanges', { Repository: ALPHA, Branch: 'Main', From: null }, impostor);
  });

  it('answers a Get of a state it does not document with null, without a Warning; the documented ones as before', async () => {
    const before = panel.messages.length;
    expect(await panel.get(SERVER_NAME, ['Integrations'])).toBeNull();
    await panel.roundTrip();
    expect(panel.messages.slice(before).filter((m) => m.topic.Type === 'Log' && m.topic.Source === SERVER_NAME)).toEqual([]);
    expect(STATE_SCHEMAS.server.State.parse(await panel.get(SERVER_NAME, ['State'])).Repositories[ALPHA]).toEqual({ AutoPull: false });
    // The clients came back with their workspaces.
    expect(Object.keys(STATE_SCHEMAS.client.PersistentState.parse(await panel.get(a.name, ['PersistentState'])).Workspaces)).toEqual([wsA]);
  });

  it("applies a Set of a client's AutoPull and broadcasts it; the client then pulls from the server by itself", async () => {
    expect(await panel.set(a.name, ['State', 'Workspaces', wsA, 'AutoPull'], true)).toEqual({ Workspaces: { [wsA]: { AutoPull: true } } });
    // The pull needs the server's GetChanges and GetStorage, extensions it answers to its own clients.
    await until('STAGE-A pulled the pushed file', async () => (await readFile(path.join(wsA, 'wall.txt'), 'utf8').catch(() => null)) === 'wall v1', 10_000);
    await until('STAGE-A at the head', async () => STATE_SCHEMAS.client.PersistentState.parse(await panel.get(a.name, ['PersistentState'])).Workspaces[wsA]?.Commit === head);
  });

  it("a client's push reaches the server too (CreateCommit between the run's own services)", async () => {
    await mkdir(path.join(wsB, 'props'), { recursive: true });
    await writeFile(path.join(wsB, 'props', 'chair.txt'), 'chair');
    const ws = b.workspaces.get(wsB);
    await ws?.rescan();
    ws?.push('A chair', undefined);
    await b.idle();
    const commits = STATE_SCHEMAS.server.PersistentState.parse(await panel.get(SERVER_NAME, ['PersistentState'])).Repositories[ALPHA]?.Branches[0]?.Commits;
    expect(commits?.at(-1)).toMatchObject({ Comment: 'A chair', Author: 'STAGE-B' });
  });
});
