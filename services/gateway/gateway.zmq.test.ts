/**
 * The Gateway on Pixotope's own fabric: a ZeroMQ Data Hub (libzmq's proxy) with the real services behind it. A Get, a
 * Call (Result and Failure) and a Set, whose answer needs a subscription made while the request waits; and a raw
 * Pixotope peer whose answers have Source before Target, or no Target (bytes the hub matches as they were sent).
 */
import * as zmq from 'zeromq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../lib/log.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { RunningClient } from '../client/client.ts';
import { startGateway, type Gateway } from './index.ts';
import { get, post, replies } from './testing/client.ts';

let cluster: Cluster;
let client: RunningClient;
let gateway: Gateway;
const REPO = '%SYNCED_STORAGE%\\ZeroMQ Show';

beforeAll(async () => {
  cluster = await startCluster({ fabric: 'zmq' });
  client = await cluster.client('STAGE-Z');
  gateway = await startGateway({ hubUrl: cluster.hub.url, port: 0, machine: 'STAGE-Z', logger: silentLogger() });
});

afterAll(async () => {
  await gateway?.close();
  await cluster?.close();
});

it('runs on a zmq:// hub', () => {
  expect(cluster.hub.url.startsWith('zmq://')).toBe(true);
});

it('a Get (GET form, ~LOCAL~), a Call with its Result and then its Failure, a Set with its Update', async () => {
  const state = replies(await get(gateway.url, 'Type=Get&Target=~LOCAL~-AssetHubClient&Name=PersistentState'));
  expect(state[0]?.Topic).toMatchObject({ Type: 'Update', Source: client.name, Name: 'PersistentState' });

  const call = { Topic: { Method: 'CreateRepository', Target: 'AssetHubServer', Type: 'Call' }, Message: { Params: { Name: REPO, Branch: 'Main' } } };
  const created = replies(await post(gateway.url, call));
  expect(created[0]?.Message.Result).toHaveProperty('Commit');
  const again = replies(await post(gateway.url, call));
  expect(again[0]?.Message.Failure).toMatchObject({ Code: 'REPOSITORY_ALREADY_EXISTS' });

  const set = replies(await post(gateway.url, { Topic: { Type: 'Set', Target: 'AssetHubServer', Name: `State.Repositories.${REPO}.AutoPull` }, Message: { Value: true } }));
  expect(set[0]?.Topic).toEqual({ Type: 'Update', Target: 'BROADCAST', Source: 'AssetHubServer', Name: 'State' });
  expect(set[0]?.Message.Value).toMatchObject({ Repositories: { [REPO]: { AutoPull: true } } });

  expect(replies(await get(gateway.url, 'Type=Get&Target=Nobody-Here&Name=State'))).toEqual([]);
});

it('hears a raw Pixotope peer answering with Source before Target, or without Target (a Get, a Set)', async () => {
  const hub = cluster.hub;
  if (hub.fabric !== 'zmq') throw new Error('expected a ZeroMQ hub');
  const FOREIGN = 'STAGE-Z-Foreign';
  const sub = new zmq.Subscriber({ linger: 0 });
  const pub = new zmq.Publisher({ linger: 0 });
  try {
    sub.connect(`tcp://127.0.0.1:${hub.subPort}`);
    sub.subscribe(`{"Type":"Get","Target":"${FOREIGN}"`, `{"Type":"Set","Target":"${FOREIGN}"`);
    pub.connect(`tcp://127.0.0.1:${hub.pubPort}`);
    // The raw peer answers as a Pixotope service may write it: JSON by hand, Source second.
    void (async () => {
      try {
        for await (const [topicBytes] of sub) {
          const topic = JSON.parse(String(topicBytes)) as Record<string, string>;
          if (topic.Type === 'Get') {
            await pub.send([JSON.stringify({ Type: 'Log', Source: FOREIGN, Target: topic.RespondTo }), JSON.stringify({ Level: 'Info', Message: 'asked' })]);
            await pub.send([JSON.stringify({ Type: 'Update', Source: FOREIGN, Target: 'Someone-Else', Name: 'State' }), JSON.stringify({ Value: 'not yours' })]);
            await pub.send([JSON.stringify({ Type: 'Update', Source: FOREIGN, Target: topic.RespondTo, Name: 'State' }), JSON.stringify({ Value: { Mode: 'Live' } })]);
          } else {
            await pub.send([JSON.stringify({ Type: 'Log', Source: FOREIGN }), JSON.stringify({ Level: 'Info', Message: 'applied' })]);
            await pub.send([JSON.stringify({ Type: 'Update', Source: FOREIGN, Name: 'State' }), JSON.stringify({ Value: { Mode: 'Rehearsal' } })]);
          }
        }
      } catch {
        // The socket was closed.
      }
    })();
    // ZeroMQ's slow joiner: the raw sockets' subscriptions travel through the hub first; ask again until answered (bounded).
    let state: ReturnType<typeof replies> = [];
    for (let attempt = 0; attempt < 5 && state.length === 0; attempt++) state = replies(await get(gateway.url, `Type=Get&Target=${FOREIGN}&Name=State`));
    expect(state[0]?.Topic).toEqual({ Type: 'Update', Target: expect.stringMatching(new RegExp(`^${gateway.name}-\\d+$`)), Source: FOREIGN, Name: 'State' });
    expect(state[0]?.Message).toEqual({ Value: { Mode: 'Live' } });
    expect(state.slice(1)).toEqual([{ Topic: { Type: 'Log', Target: state[0]?.Topic.Target, Source: FOREIGN }, Message: { Level: 'Info', Message: 'asked' } }]);

    const set = replies(await post(gateway.url, { Topic: { Type: 'Set', Target: FOREIGN, Name: 'State.Mode' }, Message: { Value: 'Rehearsal' } }));
    expect(set[0]).toEqual({ Topic: { Type: 'Update', Target: 'BROADCAST', Source: FOREIGN, Name: 'State' }, Message: { Value: { Mode: 'Rehearsal' } } });
    expect(set.slice(1)).toEqual([{ Topic: { Type: 'Log', Target: 'BROADCAST', Source: FOREIGN }, Message: { Level: 'Info', Message: 'applied' } }]);
  } finally {
    sub.close();
    pub.close();
  }
});
