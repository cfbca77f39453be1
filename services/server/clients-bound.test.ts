// The server's WorkspaceInfo lists at most MAX_CLIENTS clients: a peer broadcasting WorkspaceInfo under thousands of
// made-up client names leaves it at the bound, the real client still listed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BROADCAST, SERVER_NAME, encodeValueKeys, envelope } from '../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import { MAX_CLIENTS } from './server.ts';

let cluster: Cluster;
let panel: Probe;
beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('SPOOF-AssetHubPanel');
});
afterAll(async () => cluster?.close());

it(`lists at most ${MAX_CLIENTS} clients however many names broadcast a WorkspaceInfo, the real one among them`, async () => {
  const real = await cluster.client('STAGE-A');
  const listed = async () => Object.keys(((await panel.get(SERVER_NAME, ['WorkspaceInfo'])) as { Clients: Record<string, unknown> }).Clients);
  await until('the real client listed', async () => (await listed()).includes(real.name));
  const info = await panel.get(real.name, ['WorkspaceInfo']);
  for (let i = 0; i < MAX_CLIENTS + 500; i++) {
    const name = `FAKE${i}-AssetHubClient`;
    panel.send(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: name, Name: 'WorkspaceInfo' }, { Value: encodeValueKeys(['WorkspaceInfo'], info) }));
  }
  const names = await until('the server to hold as many as it takes', async () => {
    const now = await listed();
    return now.includes(`FAKE${MAX_CLIENTS - 2}-AssetHubClient`) ? now : null;
  }, 30_000);
  expect(names).toHaveLength(MAX_CLIENTS);
  expect(names).toContain(real.name);
  expect(names).not.toContain(`FAKE${MAX_CLIENTS + 499}-AssetHubClient`);
}, 60_000);
