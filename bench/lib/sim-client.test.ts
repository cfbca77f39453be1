// The show simulator's simulated client speaks as the real one: its states pass the client schemas, the server lists
// it in its WorkspaceInfo, an AutoPull Set is confirmed by its State Update and an invalid one refused like the real
// client refuses it (compared with a real client on the same hub), and a commit on a branch it AutoPulls starts a pull.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS, type ClientStates } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { silentLogger } from '../../services/lib/log.ts';
import { pulledWorkspace, startCluster, type Cluster } from '../../services/testing/cluster.ts';
import type { Probe } from '../../services/testing/probe.ts';
import { until } from '../../services/testing/wait.ts';
import { SimClient } from './sim-client.ts';

const REPO = '%SYNCED_STORAGE%\\Show\\Sim';
let cluster: Cluster;
let panel: Probe;
let sim: SimClient;

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe();
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  sim = new SimClient({ machine: 'SIM-001', workspaces: [
    { repository: REPO, branch: 'Main', localChanges: 3000, autoPull: null },
    { repository: REPO, branch: 'Main', localChanges: 0, autoPull: true },
  ] }, cluster.hub.url, silentLogger(), 1);
  await sim.start();
});
afterAll(async () => {
  await sim.close();
  await cluster.close();
});

it('answers Get of its four states with values the client schemas accept', async () => {
  for (const state of ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] as const) {
    expect(STATE_SCHEMAS.client[state].safeParse(await panel.get(sim.name, [state])).success).toBe(true);
  }
  const assets = STATE_SCHEMAS.client.AssetInfo.parse(await panel.get(sim.name, ['AssetInfo']));
  expect(Object.values(assets.Workspaces).map((w) => w.LocalChanges.length)).toEqual([3000, 0]);
});

it("is listed in the server's WorkspaceInfo", async () => {
  await until('listed', async () => sim.name in STATE_SCHEMAS.server.WorkspaceInfo.parse(await panel.get(SERVER_NAME, ['WorkspaceInfo'])).Clients);
});

it('confirms an AutoPull Set with its State, and refuses an invalid one as the real client does', async () => {
  const info = STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(sim.name, ['WorkspaceInfo']));
  const ws = Object.keys(info.Workspaces)[0] as string;
  const confirmed = await panel.set(sim.name, ['State', 'Workspaces', ws, 'AutoPull'], true) as ClientStates['State'];
  expect(confirmed.Workspaces[ws]?.AutoPull).toBe(true);

  const real = await cluster.client('STAGE-A');
  const realWs = await pulledWorkspace(panel, real, '%SYNCED_STORAGE%\\Show\\Real');
  const simRefusal = await panel.setOutcome(sim.name, ['State', 'Workspaces', ws, 'AutoPull'], 'yes');
  const realRefusal = await panel.setOutcome(real.name, ['State', 'Workspaces', realWs, 'AutoPull'], 'yes');
  expect(simRefusal.refused).not.toBeNull();
  expect(simRefusal.refused?.replaceAll(ws, 'WS')).toBe(realRefusal.refused?.replaceAll(realWs, 'WS'));
  expect((simRefusal.state as ClientStates['State']).Workspaces[ws]?.AutoPull).toBe(true);
  const unknown = await panel.setOutcome(sim.name, ['State', 'Workspaces', 'C:\\nowhere', 'AutoPull'], true);
  const realUnknown = await panel.setOutcome(real.name, ['State', 'Workspaces', 'C:\\nowhere', 'AutoPull'], true);
  expect(unknown.refused).toBe(realUnknown.refused);
});

it('pulls a commit on a branch it AutoPulls', async () => {
  const before = sim.pulls;
  const { Commit } = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', {
    Repository: REPO, Branch: 'Main', Parent: (await panel.ok<Array<{ Name: string; Branches: Array<{ Commits: Array<{ ID: string }> }> }>>(SERVER_NAME, 'GetRepositories', {}))
      .find((r) => r.Name === REPO)?.Branches[0]?.Commits.at(-1)?.ID ?? null,
    Author: 'OPS', Comment: 'a take', Changes: [{ Type: 'PutDirectory', URI: 'FileSystem:/Shots' }],
  });
  await until('pulled', async () => {
    const persistent = STATE_SCHEMAS.client.PersistentState.parse(await panel.get(sim.name, ['PersistentState']));
    return Object.values(persistent.Workspaces).every((w) => w.Commit === Commit);
  }, 20_000);
  expect(sim.pulls).toBeGreaterThan(before);
});
