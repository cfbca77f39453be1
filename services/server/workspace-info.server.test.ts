// A real server among clients: when one client's status moves, the server sends that client's entry of its
// WorkspaceInfo (and the aggregate Status), not the whole list; what it sends adds up to what a Get of the whole gives.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BROADCAST, SERVER_NAME, encodeValueKeys, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { withValueAt } from '../../shared/protocol/value-path.ts';
import { decodeStateValue } from '../../shared/assethub/index.ts';
import { decodeNamePath } from '../../shared/protocol/dot.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';

let cluster: Cluster;
let panel: Probe;
beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
});
afterAll(async () => cluster?.close());

const FAKES = ['RENDER1-AssetHubClient', 'RENDER2-AssetHubClient', 'RENDER3-AssetHubClient'];
type Info = { Status: Record<string, unknown>; Clients: Record<string, { Status: { Activity: string } }> };
const serverInfo = async () => (await panel.get(SERVER_NAME, ['WorkspaceInfo'])) as Info;
const nameOf = (m: Envelope): string => (m.topic.Type === 'Update' ? m.topic.Name : '');
const fromServer = (m: Envelope) => m.topic.Type === 'Update' && m.topic.Source === SERVER_NAME && nameOf(m).startsWith('WorkspaceInfo');

it("sends one client's entry when that client's status moves, and the aggregate Status beside it", async () => {
  const real = await cluster.client('STAGE-A');
  const info = (await panel.get(real.name, ['WorkspaceInfo'])) as { Status: Record<string, unknown> };
  const say = (name: string, status: Record<string, unknown>) =>
    panel.send(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: name, Name: 'WorkspaceInfo' }, { Value: encodeValueKeys(['WorkspaceInfo'], { ...info, Status: status }) }));
  for (const name of FAKES) say(name, info.Status);
  // Three new clients of four: the server says so with the whole state once.
  await until('all four broadcast', () => panel.messages.some((m) => fromServer(m) && nameOf(m) === 'WorkspaceInfo'
    && Object.keys((m.message as { Value: Info }).Value.Clients).length === 4));
  let seen = (await panel.get(SERVER_NAME, ['WorkspaceInfo'])) as Info;
  const from = panel.messages.length;

  say('RENDER2-AssetHubClient', { ...info.Status, Activity: 'Sync', Stage: 'InProgress', Current: 3, Total: 10, Progress: 0.3 });
  const first = await panel.next((m) => fromServer(m) && !nameOf(m).includes('STAGE-A'), 5000, from);
  expect(nameOf(first)).toBe('WorkspaceInfo.Clients.RENDER2-AssetHubClient');
  await until('the aggregate Status', () => panel.messages.slice(from).some((m) => fromServer(m) && nameOf(m) === 'WorkspaceInfo.Status'));
  // Applying what came, in order, to the state as it was gives the state as a Get reads it now.
  for (const m of panel.messages.slice(from).filter(fromServer)) {
    const path = decodeNamePath(nameOf(m));
    const value = decodeStateValue(path, (m.message as { Value: unknown }).Value);
    seen = (path.length === 1 ? value : withValueAt(seen, path.slice(1), value)) as Info;
  }
  expect(panel.messages.slice(from).filter(fromServer).map(nameOf)).not.toContain('WorkspaceInfo');
  expect(seen).toEqual(await serverInfo());
  expect(seen.Clients['RENDER2-AssetHubClient']?.Status.Activity).toBe('Sync');
});
