// The service host on an in-process hub (peer/testing/memory-transport.ts): what it answers, what it broadcasts, and that a
// service hears of a reconnect and of messages the hub lost for it.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeFrame, encodeFrame, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { memoryTransport, type MemoryTransport } from '../../peer/testing/memory-transport.ts';
import { until } from '../testing/wait.ts';
import { ServiceFailure } from './failure.ts';
import { silentLogger } from './log.ts';
import { ServiceHost } from './service-host.ts';
import type { OfferOptions } from './offer.ts';
import { GetCapabilitiesResult } from '../../shared/assethub/capabilities.ts';

const NAME = 'UNIT-AssetHubClient';
const ASKER = 'UNIT-AssetHubPanel';
let hosts: ServiceHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  hosts = [];
});

const sent = (hub: MemoryTransport): Envelope[] =>
  hub.sent.map((t) => decodeFrame(t)).flatMap((f) => (f.ok && f.value.kind === 'message' ? [f.value.envelope] : []));

async function start(events: { gaps?: number[]; ups?: boolean[] } = {}) {
  const hub = memoryTransport();
  let autoPull = false;
  const host = new ServiceHost(
    {
      name: NAME,
      version: '9.9.9',
      states: ['State'],
      get: (path) => (path[0] === 'State' ? { Workspaces: { '/srv/a.b': { AutoPull: autoPull } } } : undefined),
      set: (path, value) => {
        expect(path).toEqual(['State', 'Workspaces', '/srv/a.b', 'AutoPull']);
        if (typeof value !== 'boolean') throw new ServiceFailure('INVALID_PARAMS', 'AutoPull is a boolean');
        autoPull = value;
        return ['State'];
      },
      calls: {
        Echo: { params: z.object({ Text: z.string() }), handler: (p: { Text: string }) => ({ Text: p.Text }) },
        Import: { params: z.object({ Text: z.string() }), handler: (p: { Text: string }) => ({ Length: p.Text.length }), maxBytes: 4 * 1024 * 1024 },
      },
      onConnected: (first) => events.ups?.push(first),
      onGap: () => events.gaps?.push(1),
    },
    { hubUrl: 'ws://memory', logger: silentLogger(), transport: hub.factory },
  );
  hosts.push(host);
  await host.start();
  return { hub, host };
}

describe('the service host', () => {
  it('announces its Startup once, answers Identify, Get, Set and Call, and refuses bad Params', async () => {
    const { hub } = await start();
    expect(sent(hub)[0]?.topic).toEqual({ Type: 'Startup', Target: 'BROADCAST', Source: NAME });
    hub.deliver(encodeFrame(envelope<'Identify'>({ Type: 'Identify', Source: ASKER }, {})));
    hub.deliver(encodeFrame(envelope<'Get'>({ Type: 'Get', Target: NAME, Name: 'State', RespondTo: ASKER }, {})));
    hub.deliver(encodeFrame(envelope<'Set'>({ Type: 'Set', Target: NAME, Name: 'State.Workspaces./srv/a[dot]b.AutoPull' }, { Value: true })));
    hub.deliver(encodeFrame(envelope<'Set'>({ Type: 'Set', Target: NAME, Name: 'State.Workspaces./srv/a[dot]b.AutoPull' }, { Value: 'on' })));
    hub.deliver(encodeFrame(envelope<'Call'>({ Type: 'Call', Target: NAME, RespondTo: ASKER, Method: 'Echo', ID: '1' }, { Params: { Text: 'hi' } })));
    hub.deliver(encodeFrame(envelope<'Call'>({ Type: 'Call', Target: NAME, RespondTo: ASKER, Method: 'Echo', ID: '2' }, { Params: { Text: 3 } })));
    hub.deliver(encodeFrame(envelope<'Call'>({ Type: 'Call', Target: NAME, RespondTo: ASKER, Method: 'Nope', ID: '3' }, { Params: {} })));
    await until('every answer', () => sent(hub).filter((m) => m.topic.Type === 'CallResult').length === 3);
    const out = sent(hub);
    expect(out.find((m) => m.topic.Type === 'Self')?.message).toMatchObject({ Value: { Version: '9.9.9' } });
    expect(out.find((m) => m.topic.Type === 'Update' && m.topic.Target === ASKER)?.message).toEqual({ Value: { Workspaces: { '/srv/a[dot]b': { AutoPull: false } } } });
    const broadcasts = out.filter((m) => m.topic.Type === 'Update' && m.topic.Target === 'BROADCAST');
    expect(broadcasts.map((m) => m.message)).toEqual([
      { Value: { Workspaces: { '/srv/a[dot]b': { AutoPull: true } } } },
      // The refused Set: a Warning says why, and the unchanged state is broadcast again.
      { Value: { Workspaces: { '/srv/a[dot]b': { AutoPull: true } } } },
    ]);
    expect(out.find((m) => m.topic.Type === 'Log')?.message).toMatchObject({ Level: 'Warning', Message: expect.stringMatching(/AutoPull is a boolean/) });
    const result = (id: string) => out.find((m) => m.topic.Type === 'CallResult' && m.topic.ID === id)?.message;
    expect(result('1')).toEqual({ Result: { Text: 'hi' } });
    expect(result('2')).toMatchObject({ Failure: { Code: 'INVALID_PARAMS' } });
    expect(result('3')).toMatchObject({ Failure: { Code: 'UNKNOWN_METHOD' } });
  });

  it("checks another service's Result against its method: a malformed one fails the Call with INVALID_RESULT", async () => {
    const { hub, host } = await start();
    const answer = (result: unknown) => {
      const call = sent(hub).filter((m) => m.topic.Type === 'Call').at(-1);
      if (call?.topic.Type !== 'Call') throw new Error('no Call went out');
      hub.deliver(encodeFrame(envelope<'CallResult'>({ Type: 'CallResult', Target: NAME, ExecutedOn: 'AssetHubServer', Method: call.topic.Method, ID: call.topic.ID }, { Result: result })));
    };
    const params = { Repository: 'R', Branch: 'Main', From: null };
    const bad = host.call('AssetHubServer', 'GetChanges', params);
    answer({ Changes: [null] });
    await expect(bad).rejects.toMatchObject({ code: 'INVALID_RESULT', message: expect.stringMatching(/Changes\.0/) });
    const good = host.call('AssetHubServer', 'GetChanges', params);
    answer({ Changes: [{ Type: 'Delete', URI: 'FileSystem:/a.txt' }], Extra: 1 });
    await expect(good).resolves.toEqual({ Changes: [{ Type: 'Delete', URI: 'FileSystem:/a.txt' }] });
  });

  it('refuses a request over 1 MiB unhandled and says so, unless its method takes large Params', async () => {
    const { hub } = await start();
    const big = 'x'.repeat(2 * 1024 * 1024);
    hub.deliver(encodeFrame(envelope<'Set'>({ Type: 'Set', Target: NAME, Name: 'State.Workspaces./srv/a[dot]b.AutoPull' }, { Value: big })));
    hub.deliver(encodeFrame(envelope<'Call'>({ Type: 'Call', Target: NAME, RespondTo: ASKER, Method: 'Echo', ID: 'big' }, { Params: { Text: big } })));
    hub.deliver(encodeFrame(envelope<'Call'>({ Type: 'Call', Target: NAME, RespondTo: ASKER, Method: 'Import', ID: 'import' }, { Params: { Text: big } })));
    await until('both answered', () => sent(hub).filter((m) => m.topic.Type === 'CallResult').length === 2);
    const out = sent(hub);
    const result = (id: string) => out.find((m) => m.topic.Type === 'CallResult' && m.topic.ID === id)?.message;
    expect(result('big')).toMatchObject({ Failure: { Code: 'TOO_LARGE', Message: expect.stringMatching(/at most 1048576 bytes/) } });
    expect(result('import')).toEqual({ Result: { Length: big.length } });
    expect(out.find((m) => m.topic.Type === 'Log')?.message).toMatchObject({ Level: 'Warning', Message: expect.stringMatching(/^Set of \d+ bytes refused/) });
    // The state was not touched and is broadcast unchanged, so a panel waiting on the Set sees the refusal.
    expect(out.filter((m) => m.topic.Type === 'Update' && m.topic.Target === 'BROADCAST').map((m) => m.message)).toEqual([
      { Value: { Workspaces: { '/srv/a[dot]b': { AutoPull: false } } } },
    ]);
  });

  it('refuses a request over its limit from its topic alone: a Message that is not even JSON is never decoded', async () => {
    const { hub } = await start();
    const garbage = `{${'not json, '.repeat(200_000)}`;
    const decodedBefore = hub.decoded;
    hub.deliver(`{"Topic":{"Type":"Call","Target":"${NAME}","RespondTo":"${ASKER}","Method":"Echo","ID":"garbage"},"Message":${garbage}}`);
    hub.deliver(`{"Topic":{"Type":"Set","Target":"${NAME}","Name":"State.Workspaces./srv/a[dot]b.AutoPull"},"Message":${garbage}}`);
    hub.deliver(`{"Topic":{"Type":"Get","Target":"${NAME}","Name":"State","RespondTo":"${ASKER}"},"Message":${garbage}}`);
    await until('the Call answered', () => sent(hub).some((m) => m.topic.Type === 'CallResult'));
    expect(hub.decoded).toBe(decodedBefore);
    const out = sent(hub);
    expect(out.find((m) => m.topic.Type === 'CallResult')?.message).toMatchObject({ Failure: { Code: 'TOO_LARGE', Message: expect.stringMatching(/^Call of \d+ bytes refused/) } });
    const logs = out.filter((m) => m.topic.Type === 'Log');
    expect(logs.map((m) => [m.topic.Type === 'Log' && m.topic.Target, (m.message as { Message: string }).Message.replace(/\d+/g, 'N')])).toEqual([
      ['BROADCAST', `Set of N bytes refused: ${NAME} takes requests of at most N bytes`],
      [ASKER, `Get of N bytes refused: ${NAME} takes requests of at most N bytes`],
    ]);
    expect(out.filter((m) => m.topic.Type === 'Update' && m.topic.Target === 'BROADCAST').map((m) => m.message)).toEqual([
      { Value: { Workspaces: { '/srv/a[dot]b': { AutoPull: false } } } },
    ]);
  });

  it('tells the service of a reconnect (not a new Startup) and of messages the hub lost for it', async () => {
    const ups: boolean[] = [];
    const gaps: number[] = [];
    const { hub } = await start({ ups, gaps });
    hub.drop('the hub restarted');
    await until('up again', () => ups.length === 2);
    expect(ups).toEqual([true, false]);
    expect(sent(hub).filter((m) => m.topic.Type === 'Startup')).toHaveLength(1);
    hub.loseHeartbeats(1);
    await until('the gap reported', () => gaps.length === 1, 5000);
  });
});

describe('the service host, at its edges', () => {
  /** A service with a value, a Reset, methods that fail in each way, and a record of what it hears besides requests. */
  async function edges(options: { maxRequestBytes?: number; callTimeoutMs?: number; set?: boolean } & OfferOptions = {}) {
    const hub = memoryTransport();
    const heard: Envelope[] = [];
    const resets: Array<string[] | null> = [];
    const host = new ServiceHost(
      {
        name: NAME,
        version: '1.0.0',
        states: ['State'],
        get: (path) => (path[0] === 'State' ? { Level: 1 } : undefined),
        ...(options.set === false ? {} : { set: () => ['State'] }),
        reset: (path) => {
          resets.push(path);
          return ['State'];
        },
        calls: {
          Refuse: { params: z.object({}), handler: () => Promise.reject(new ServiceFailure('UNPROCESSABLE', 'bad rows', [{ Index: 2, Field: 'id', Message: 'missing' }])) },
          Crash: { params: z.object({}), handler: () => { throw new Error('disk on fire'); } },
          Later: { params: z.object({}), handler: async () => undefined },
        },
        onMessage: (m) => heard.push(m),
      },
      { hubUrl: 'ws://memory', logger: silentLogger(), transport: hub.factory, ...options },
    );
    hosts.push(host);
    await host.start();
    const deliver = (m: Envelope) => hub.deliver(encodeFrame(m));
    const call = (method: string, id: string, params: unknown = {}) =>
      deliver(envelope<'Call'>({ Type: 'Call', Target: NAME, RespondTo: ASKER, Method: method, ID: id }, { Params: params as Record<string, unknown> }));
    const result = (id: string) => sent(hub).find((m) => m.topic.Type === 'CallResult' && m.topic.ID === id)?.message;
    return { hub, host, heard, resets, deliver, call, result };
  }

  it('answers a Get of a value it does not have with null, and tells the asker why', async () => {
    const { hub, deliver } = await edges();
    deliver(envelope<'Get'>({ Type: 'Get', Target: NAME, Name: 'Nothing.Here', RespondTo: ASKER }, {}));
    await until('answered', () => sent(hub).some((m) => m.topic.Type === 'Update' && m.topic.Target === ASKER));
    const out = sent(hub);
    expect(out.find((m) => m.topic.Type === 'Update' && m.topic.Target === ASKER)).toMatchObject({ topic: { Source: NAME, Name: 'Nothing.Here' }, message: { Value: null } });
    expect(out.find((m) => m.topic.Type === 'Log')).toMatchObject({ topic: { Target: ASKER }, message: { Level: 'Warning', Message: `${NAME} has no value "Nothing.Here"` } });
  });

  it('a service without Set says so and changes nothing; a Reset is applied and its states broadcast', async () => {
    const { hub, deliver, resets } = await edges({ set: false });
    deliver(envelope<'Set'>({ Type: 'Set', Target: NAME, Name: 'State.Level' }, { Value: 2 }));
    deliver(envelope<'Reset'>({ Type: 'Reset', Target: NAME }, {}));
    deliver(envelope<'Reset'>({ Type: 'Reset', Target: NAME, Name: 'State.Level' }, {}));
    await until('both Resets broadcast', () => sent(hub).filter((m) => m.topic.Type === 'Update' && m.topic.Target === 'BROADCAST').length === 2);
    expect(sent(hub).find((m) => m.topic.Type === 'Log')?.message).toEqual({ Level: 'Warning', Message: `${NAME} does not accept Set` });
    expect(resets).toEqual([null, ['State', 'Level']]);
  });

  it("answers a handler's Failure with its code, message and details; anything else thrown as INTERNAL; no Result as {}", async () => {
    const { hub, call, result } = await edges();
    call('Refuse', 'r');
    call('Crash', 'c');
    call('Later', 'l');
    await until('all answered', () => sent(hub).filter((m) => m.topic.Type === 'CallResult').length === 3);
    expect(result('r')).toEqual({ Failure: { Code: 'UNPROCESSABLE', Message: 'bad rows', Errors: [{ Index: 2, Field: 'id', Message: 'missing' }] } });
    expect(result('c')).toEqual({ Failure: { Code: 'INTERNAL', Message: 'Crash failed: disk on fire' } });
    expect(result('l')).toEqual({ Result: {} });
    const answer = sent(hub).find((m) => m.topic.Type === 'CallResult' && m.topic.ID === 'r');
    expect(answer?.topic).toEqual({ Type: 'CallResult', Target: ASKER, ExecutedOn: NAME, Method: 'Refuse', ID: 'r' });
  });

  it("knows no method by an Object's member names", async () => {
    const { hub, call, result } = await edges();
    for (const method of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) call(method, method);
    await until('all answered', () => sent(hub).filter((m) => m.topic.Type === 'CallResult').length === 4);
    for (const method of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(result(method)).toMatchObject({ Failure: { Code: 'UNKNOWN_METHOD' } });
  });

  it('takes its request limit from maxRequestBytes; a Get over it is answered by a Warning to the asker alone', async () => {
    const { hub, deliver, call, result } = await edges({ maxRequestBytes: 1000 });
    call('Later', 'small', { Pad: 'x'.repeat(500) });
    call('Later', 'large', { Pad: 'x'.repeat(1000) });
    deliver(envelope<'Get'>({ Type: 'Get', Target: NAME, Name: `State.${'x'.repeat(1000)}`, RespondTo: ASKER }, {}));
    await until('both answered', () => sent(hub).filter((m) => m.topic.Type === 'CallResult').length === 2);
    await until('the Get refused', () => sent(hub).some((m) => m.topic.Type === 'Log'));
    expect(result('small')).toEqual({ Result: {} });
    expect(result('large')).toMatchObject({ Failure: { Code: 'TOO_LARGE', Message: expect.stringMatching(/at most 1000 bytes/) } });
    expect(sent(hub).find((m) => m.topic.Type === 'Log')).toMatchObject({ topic: { Target: ASKER }, message: { Level: 'Warning', Message: expect.stringMatching(/^Get of \d+ bytes refused/) } });
    expect(sent(hub).some((m) => m.topic.Type === 'Update' && m.topic.Target === ASKER)).toBe(false);
  });

  it('hands the service what is not a request to it; keeps answers to its own Calls, and large broadcasts, from it', async () => {
    const { deliver, heard, host, hub } = await edges({ maxRequestBytes: 1000 });
    const broadcast = envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: 'AssetHubServer', Name: 'State' }, { Value: { Pad: 'x'.repeat(5000) } });
    const otherGet = envelope<'Get'>({ Type: 'Get', Target: 'OTHER-AssetHubClient', Name: 'State', RespondTo: ASKER }, {});
    const othersResult = envelope<'CallResult'>({ Type: 'CallResult', Target: 'OTHER-AssetHubClient', ExecutedOn: 'AssetHubServer', Method: 'Health', ID: 'x' }, { Result: {} });
    deliver(broadcast);
    deliver(otherGet);
    deliver(othersResult);
    const own = host.call('AssetHubServer', 'Health', {});
    const out = sent(hub).filter((m) => m.topic.Type === 'Call').at(-1);
    if (out?.topic.Type !== 'Call') throw new Error('no Call went out');
    deliver(envelope<'CallResult'>({ Type: 'CallResult', Target: NAME, ExecutedOn: 'AssetHubServer', Method: 'Health', ID: out.topic.ID }, { Result: {} }));
    await expect(own).resolves.toEqual({});
    expect(heard.map((m) => m.topic)).toEqual([broadcast.topic, otherGet.topic, othersResult.topic]);
  });

  it("fails its own Calls as services' failures: a timeout TIMEOUT, no connection SERVER_UNAVAILABLE", async () => {
    const { host } = await edges({ callTimeoutMs: 100 });
    await expect(host.call('AssetHubServer', 'Health', {})).rejects.toMatchObject({ name: 'ServiceFailure', code: 'TIMEOUT' });
    await expect(host.get('AssetHubServer', ['State'])).rejects.toMatchObject({ name: 'ServiceFailure', code: 'TIMEOUT' });
    await host.close();
    await expect(host.call('AssetHubServer', 'Health', {})).rejects.toMatchObject({ name: 'ServiceFailure', code: 'SERVER_UNAVAILABLE' });
  });

  describe('what it offers', () => {
    const INTERNAL = 'STAGE-B-AssetHubClient';

    it('answers GetCapabilities with its methods (GetCapabilities too) and states, each at Version 1', async () => {
      const { hub, call, result } = await edges();
      call('GetCapabilities', 'caps');
      await until('answered', () => sent(hub).some((m) => m.topic.Type === 'CallResult'));
      const caps = GetCapabilitiesResult.parse((result('caps') as { Result: unknown }).Result);
      expect(caps).toEqual({
        Methods: ['Crash', 'GetCapabilities', 'Later', 'Refuse'].map((Name) => ({ Name, Version: 1 })),
        States: [{ Name: 'State', Version: 1 }],
      });
    });

    it('in the documented mode, answers only the documented offer: no CallResult, null for other states, nothing set or broadcast', async () => {
      const { hub, host, deliver, call, result, resets } = await edges({ offer: 'documented', internalPeers: [INTERNAL] });
      expect(host.offer.mode).toBe('documented');
      call('Later', 'panel');
      call('GetCapabilities', 'caps');
      deliver(envelope<'Call'>({ Type: 'Call', Target: NAME, RespondTo: INTERNAL, Method: 'Later', ID: 'internal' }, { Params: {} }));
      deliver(envelope<'Set'>({ Type: 'Set', Target: NAME, Name: 'Extra.Level' }, { Value: 2 }));
      deliver(envelope<'Reset'>({ Type: 'Reset', Target: NAME, Name: 'Extra' }, {}));
      deliver(envelope<'Get'>({ Type: 'Get', Target: NAME, Name: 'Extra.Level', RespondTo: ASKER }, {}));
      host.broadcastState('Extra');
      deliver(envelope<'Get'>({ Type: 'Get', Target: NAME, Name: 'State', RespondTo: ASKER }, {}));
      // One service handles its messages in order: once the last Get is answered, everything before it was handled.
      await until('the last Get answered', () => sent(hub).filter((m) => m.topic.Type === 'Update' && m.topic.Target === ASKER).length === 2);
      await until('the internal Call answered', () => result('internal') !== undefined);
      const out = sent(hub);
      expect(result('internal')).toEqual({ Result: {} });
      expect(out.filter((m) => m.topic.Type === 'CallResult')).toHaveLength(1);
      expect(out.filter((m) => m.topic.Type === 'Update' && m.topic.Target === ASKER).map((m) => [m.topic.Type === 'Update' && m.topic.Name, m.message])).toEqual([
        ['Extra.Level', { Value: null }],
        ['State', { Value: { Level: 1 } }],
      ]);
      expect(out.filter((m) => m.topic.Type === 'Log' || (m.topic.Type === 'Update' && m.topic.Target === 'BROADCAST'))).toEqual([]);
      expect(resets).toEqual([]);
    });

    it('in the documented mode, a refused extension Call over the limit stays as silent as a small one', async () => {
      const { hub, call, result, deliver } = await edges({ offer: 'documented', maxRequestBytes: 1000 });
      const decodedBefore = hub.decoded;
      call('Later', 'large', { Pad: 'x'.repeat(2000) });
      deliver(envelope<'Get'>({ Type: 'Get', Target: NAME, Name: 'State', RespondTo: ASKER }, {}));
      await until('the Get answered', () => sent(hub).some((m) => m.topic.Type === 'Update' && m.topic.Target === ASKER));
      expect(hub.decoded).toBe(decodedBefore + 1);
      expect(result('large')).toBeUndefined();
      expect(sent(hub).filter((m) => m.topic.Type === 'Log')).toEqual([]);
    });

    it('has no documented offer for a service that is no Asset Hub service', () => {
      expect(() => new ServiceHost({ name: 'DataHub', version: '1', states: [], get: () => undefined, calls: {} }, { hubUrl: 'ws://memory', logger: silentLogger(), offer: 'documented' }))
        .toThrow(/no Asset Hub service/);
    });
  });
});
