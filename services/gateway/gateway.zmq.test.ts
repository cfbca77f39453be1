/**
 * The Gateway on Pixotope's own fabric: a ZeroMQ Data Hub (libzmq's proxy) with the real services behind it. A Get, a
 * Call (Result and Failure) and a Set, whose answer needs a subscription made while the request waits.
 */
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
