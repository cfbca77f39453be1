/**
 * The Gateway against a real hub and the real reference services (WebSocket fabric): what Pixotope's clients send and
 * what they read back (docs/PROTOCOL.md §3.3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../lib/log.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import type { RunningClient } from '../client/client.ts';
import { startGateway, type Gateway } from './index.ts';
import { get, post, replies } from './testing/client.ts';

let cluster: Cluster;
let client: RunningClient;
let gateway: Gateway;
let probe: Probe;
const REPO = '%SYNCED_STORAGE%\\Gateway Show';

beforeAll(async () => {
  cluster = await startCluster({ fabric: 'ws' });
  client = await cluster.client('STAGE-A');
  probe = await cluster.probe();
  gateway = await startGateway({ hubUrl: cluster.hub.url, port: 0, machine: 'STAGE-A', logger: silentLogger() });
  await probe.ok('AssetHubServer', 'CreateRepository', { Name: REPO, Branch: 'Main' });
});

afterAll(async () => {
  await gateway?.close();
  await cluster?.close();
});

describe('Get', () => {
  it('POST: answers the Update addressed to it, the value at [0].Message.Value', async () => {
    const list = replies(await post(gateway.url, { Topic: { Type: 'Get', Target: 'AssetHubServer', Name: 'State' }, Message: {} }));
    expect(list[0]?.Topic).toMatchObject({ Type: 'Update', Source: 'AssetHubServer', Name: 'State' });
    expect(list[0]?.Topic.Target).toMatch(new RegExp(`^${gateway.name}-\\d+$`));
    expect(list[0]?.Message.Value).toEqual({ Repositories: { [REPO]: { AutoPull: false } } });
  });

  it('GET form: ?Type=Get&Target=AssetHubServer&Name=State', async () => {
    const list = replies(await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State'));
    expect(list[0]?.Message.Value).toEqual({ Repositories: { [REPO]: { AutoPull: false } } });
  });

  it('takes what real clients send: no Message, keys in any order, no Content-Type, text/plain, a RespondTo of their own', async () => {
    const bodies = [
      JSON.stringify({ Topic: { Name: 'State', Target: 'AssetHubServer', Type: 'Get' } }),
      JSON.stringify({ Message: null, Topic: { RespondTo: 'Companion', Name: 'State', Type: 'Get', Target: 'AssetHubServer' } }),
    ];
    for (const body of bodies) {
      for (const headers of [{}, { 'Content-Type': 'text/plain' }, { 'Content-Type': 'application/json' }] as Array<Record<string, string>>) {
        const list = replies(await post(gateway.url, body, { headers }));
        expect(list[0]?.Message.Value).toEqual({ Repositories: { [REPO]: { AutoPull: false } } });
        // The client's RespondTo was replaced by the request's own name, or the answer would not have come back.
        expect(list[0]?.Topic.Target?.startsWith(gateway.name)).toBe(true);
      }
    }
  });

  it('accepts any version segment', async () => {
    for (const version of ['2.0', '2.0.0', '2.2.0', '24.1.0', '25.1.1', '26.1.0', 'anything']) {
      const list = replies(await post(gateway.url, { Topic: { Type: 'Get', Target: 'AssetHubServer', Name: 'State' } }, { version }));
      expect(list).toHaveLength(1);
    }
  });

  it('tolerates empty query pairs and unknown keys', async () => {
    const list = replies(await get(gateway.url, '&&Type=Get&&Target=AssetHubServer&Value=&Name=State&junk=&=x&&'));
    expect(list[0]?.Topic).toMatchObject({ Type: 'Update', Name: 'State' });
  });

  it('~LOCAL~-<Service> is the service of the Gateway\'s machine', async () => {
    const list = replies(await get(gateway.url, 'Type=Get&Target=~LOCAL~-AssetHubClient&Name=PersistentState'));
    expect(list[0]?.Topic.Source).toBe(client.name);
    expect(list[0]?.Message.Value).toHaveProperty('SyncedStoragePath');
  });

  it('a missing value: the Update with Value null first, the service\'s Warning after it', async () => {
    const list = replies(await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=NoSuchState'));
    expect(list[0]?.Topic.Type).toBe('Update');
    expect(list[0]?.Message.Value).toBeNull();
    expect(list.slice(1).map((r) => r.Topic.Type)).toEqual(['Log']);
  });

  it('a Get and a Call nobody answers: [] within the wait', async () => {
    const [a, b] = await Promise.all([
      get(gateway.url, 'Type=Get&Target=Nobody-Here&Name=State'),
      post(gateway.url, { Topic: { Type: 'Call', Target: 'Nobody-Here', Method: 'Health' } }),
    ]);
    expect(replies(a)).toEqual([]);
    expect(replies(b)).toEqual([]);
  });
});

describe('Call', () => {
  it('answers with the CallResult (Result), its ID the Gateway\'s own', async () => {
    const list = replies(await post(gateway.url, {
      Topic: { Type: 'Call', Target: 'AssetHubServer', Method: 'Health', RespondTo: 'Someone-Else', ID: 'client-id' },
      Message: { Params: {} },
    }));
    const result = list.find((r) => r.Topic.Type === 'CallResult');
    expect(result?.Message).toEqual({ Result: {} });
    expect(result?.Topic).toMatchObject({ ExecutedOn: 'AssetHubServer', Method: 'Health' });
    expect(result?.Topic.ID).not.toBe('client-id');
    expect(result?.Topic.Target?.startsWith(`${gateway.name}-`)).toBe(true);
  });

  it('GET form with Param<Key> (JSON-decoded when it parses): a Result, then the same again: a Failure', async () => {
    const name = encodeURIComponent(JSON.stringify('%SYNCED_STORAGE%\\By Get'));
    const query = `Type=Call&Target=AssetHubServer&Method=CreateRepository&ParamName=${name}&ParamBranch=Main`;
    const first = replies(await get(gateway.url, query));
    expect(first[0]?.Topic.Type).toBe('CallResult');
    expect(first[0]?.Message.Result).toHaveProperty('Commit');
    const second = replies(await get(gateway.url, query));
    expect(second[0]?.Message.Failure).toMatchObject({ Code: 'REPOSITORY_ALREADY_EXISTS' });
  });

  it('a call the service refuses: the Failure with its code', async () => {
    const list = replies(await post(gateway.url, { Topic: { Type: 'Call', Target: 'AssetHubServer', Method: 'NoSuchMethod' }, Message: { Params: {} } }));
    expect(list[0]?.Message.Failure).toMatchObject({ Code: 'UNKNOWN_METHOD' });
  });
});

describe('Set and Reset', () => {
  it('a Set answers the BROADCAST Update it caused', async () => {
    const list = replies(await post(gateway.url, { Topic: { Type: 'Set', Target: 'AssetHubServer', Name: `State.Repositories.${REPO}.AutoPull` }, Message: { Value: true } }));
    expect(list[0]?.Topic).toEqual({ Type: 'Update', Target: 'BROADCAST', Source: 'AssetHubServer', Name: 'State' });
    expect(list[0]?.Message.Value).toMatchObject({ Repositories: { [REPO]: { AutoPull: true } } });
  });

  it('a refused Set: the unchanged state, with the service\'s Warning saying why', async () => {
    const list = replies(await get(gateway.url, 'Type=Set&Target=AssetHubServer&Name=State.Repositories.Unknown.AutoPull&Value=true'));
    expect(list[0]?.Topic.Type).toBe('Update');
    expect(list.some((r) => r.Topic.Type === 'Log' && r.Message.Level === 'Warning')).toBe(true);
  });

  it('a Reset answers the Update it caused', async () => {
    const list = replies(await post(gateway.url, { Topic: { Type: 'Reset', Target: 'AssetHubServer' } }));
    expect(list[0]?.Topic).toMatchObject({ Type: 'Update', Target: 'BROADCAST', Name: 'State' });
    expect(list[0]?.Message.Value).toMatchObject({ Repositories: { [REPO]: { AutoPull: false } } });
  });

  it('a Set nobody applies: []', async () => {
    expect(replies(await post(gateway.url, { Topic: { Type: 'Set', Target: 'Nobody-Here', Name: 'State' }, Message: { Value: 1 } }))).toEqual([]);
  });
});

describe('other Types', () => {
  it('an Update or a Log is published with the Gateway as Source and answered [] at once', async () => {
    const from = probe.messages.length;
    expect(replies(await post(gateway.url, { Topic: { Type: 'Log', Target: probe.name, Source: 'Pretender' }, Message: { Level: 'Info', Message: 'hello' } }))).toEqual([]);
    const log = await probe.next((m) => m.topic.Type === 'Log' && m.topic.Target === probe.name, 5000, from);
    expect(log.topic).toMatchObject({ Source: gateway.name });
    expect(log.message).toEqual({ Level: 'Info', Message: 'hello' });
  });

  it('a client cannot answer another client\'s request: a Target naming the Gateway\'s requests is refused (400)', async () => {
    // The request names are `<gateway>-<n>`, in order, and every answer shows them: the next one is easy to guess.
    const seen = replies(await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State'))[0]?.Topic.Target ?? '';
    const next = Number(seen.slice(gateway.name.length + 1)) + 1;
    const victim = get(gateway.url, 'Type=Get&Target=Nobody-Here&Name=State');
    await new Promise((r) => setTimeout(r, 100));
    const spoofs = await Promise.all([0, 1, 2].map((k) => post(gateway.url, { Topic: { Type: 'Update', Target: `${gateway.name}-${next + k}`, Name: 'State' }, Message: { Value: 'spoofed' } })));
    expect(spoofs.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(replies(await victim)).toEqual([]);
  });

  it('Identify, Self and Startup are refused (400): the Gateway speaks for no service', async () => {
    for (const Type of ['Identify', 'Self', 'Startup']) {
      const answer = await post(gateway.url, { Topic: { Type, Target: 'BROADCAST', Source: 'X' } });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain(Type);
    }
  });
});
