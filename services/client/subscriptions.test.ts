// What a client takes from the hub: the server's State, PersistentState and AssetInfo, which it reads, and nothing
// else. In a show of 500 machines each status Update of one client (and the server's WorkspaceInfo entry that follows
// it) would otherwise be delivered to the 499 others.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BROADCAST, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import type { RunningClient } from './client.ts';

let cluster: Cluster;
let other: Probe;
let client: RunningClient;

beforeAll(async () => {
  cluster = await startCluster();
  client = await cluster.client('STAGE-A');
  other = await cluster.probe('STAGE-Z-AssetHubClient');
});
afterAll(() => cluster.close());

it("a client receives the server's State, PersistentState and AssetInfo, not its WorkspaceInfo nor another client's Updates", async () => {
  const seen: Envelope[] = [];
  const host = client.host as unknown as { receive(message: Envelope, bytes: number): void };
  const receive = host.receive.bind(host);
  host.receive = (message, bytes) => {
    seen.push(message);
    receive(message, bytes);
  };
  const workspaceInfo = { Status: { Incoming: false, Outcoming: false, Activity: 'Idle', Stage: 'Finalizing', Current: 0, Total: 0, Progress: 1 }, Engine: { Running: false }, Workspaces: {} };
  other.send(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: other.name, Name: 'WorkspaceInfo' }, { Value: workspaceInfo }));
  // The server lists the other client: its WorkspaceInfo (whole or that entry) goes out within 200 ms.
  await other.next((m) => m.topic.Type === 'Update' && m.topic.Source === 'AssetHubServer' && m.topic.Name.startsWith('WorkspaceInfo') && JSON.stringify(m.message).includes(other.name), 10_000);
  // The server's State, re-broadcast after a Set: delivered after the other client's Update, so both were routed.
  await other.set('AssetHubServer', ['State', 'Repositories'], {});
  const deadline = Date.now() + 10_000;
  while (!seen.some((m) => m.topic.Type === 'Update' && m.topic.Source === 'AssetHubServer' && m.topic.Name === 'State') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(seen.some((m) => m.topic.Type === 'Update' && m.topic.Source === 'AssetHubServer' && m.topic.Name === 'State')).toBe(true);
  expect(seen.filter((m) => m.topic.Type === 'Update' && m.topic.Source === other.name)).toEqual([]);
  expect(seen.filter((m) => m.topic.Type === 'Update' && m.topic.Source === 'AssetHubServer' && m.topic.Name.startsWith('WorkspaceInfo'))).toEqual([]);
});
