// A service's `reads`: of the broadcast Updates its subscriptions bring, the others are refused by the transport
// before their Message is decoded (peer/admit.test.ts shows the transport side) and never reach the service.
import { afterEach, expect, it } from 'vitest';
import { BROADCAST, envelope, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import { startHub, type Hub } from '../datahub/hub.ts';
import { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import { silentLogger } from './log.ts';
import { ServiceHost } from './service-host.ts';

let hub: Hub | null = null;
let host: ServiceHost | null = null;
let probe: Probe | null = null;
afterEach(async () => {
  probe?.close();
  await host?.close();
  await hub?.close();
});

it('drops the broadcast Updates a service does not read, and hands it those it does', async () => {
  hub = await startHub({ port: 0, logger: silentLogger() });
  const seen: Envelope[] = [];
  host = new ServiceHost(
    {
      name: 'UNIT-AssetHubServer',
      version: '1',
      states: [],
      get: () => undefined,
      calls: {},
      subscriptions: [topicPrefix('Update', { Target: BROADCAST })],
      reads: (topic) => topic.Type === 'Update' && topic.Name === 'WorkspaceInfo',
      onMessage: (m) => seen.push(m),
    },
    { hubUrl: hub.url, logger: silentLogger() },
  );
  await host.start();
  probe = await Probe.connect(hub.url, { name: 'UNIT-AssetHubClient' });
  const update = (Name: string, n: number) => envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: 'UNIT-AssetHubClient', Name }, { Value: { n } });
  for (let n = 0; n < 3; n++) {
    probe.send(update('AssetInfo', n));
    probe.send(update('WorkspaceInfo', n));
  }
  await until('the last WorkspaceInfo', () => seen.some((m) => m.topic.Type === 'Update' && m.topic.Name === 'WorkspaceInfo' && (m.message as { Value: { n: number } }).Value.n === 2));
  await probe.roundTrip();
  expect(seen.map((m) => (m.topic.Type === 'Update' ? m.topic.Name : m.topic.Type))).toEqual(['WorkspaceInfo', 'WorkspaceInfo', 'WorkspaceInfo']);
});
