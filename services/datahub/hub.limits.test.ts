// Limits: oversized frames, invalid frames, and slow peers (a peer that stops reading is simulated with ws's
// pause(), which stops reading its socket so the hub's queue to it grows). No timing assertions: every flood is
// bounded in bytes, every wait in time, and progress is observed through sync round trips and the hub's counters.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { envelope, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import { z } from 'zod';
import { wsTransport, type TransportFactory } from '../../peer/index.ts';
import { silentLogger } from '../lib/log.ts';
import { ServiceHost } from '../lib/service-host.ts';
import { HUB_NAME, startHub, type Hub, type HubOptions } from './hub.ts';
import WebSocket from 'ws';
import { until } from '../testing/wait.ts';
import { connectPeer, type Received, type TestPeer } from './testing/test-peer.ts';

const BROADCAST_UPDATES = topicPrefix('Update', { Target: 'BROADCAST' });
let hub: Hub;
let peers: TestPeer[] = [];

afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
  await hub.close();
});

async function start(options: HubOptions = {}): Promise<void> {
  hub = await startHub({ port: 0, logger: silentLogger(), ...options });
}

async function peer(name?: string, prefixes: string[] = []): Promise<TestPeer> {
  const p = await connectPeer(hub.url, name === undefined ? {} : { name });
  peers.push(p);
  await p.subscribe(prefixes);
  return p;
}

const update = (name: string, value: unknown, source = 'PUB'): Envelope =>
  envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: source, Name: name }, { Value: value });
const named = (name: string) => (m: Received): boolean => 'Name' in m.topic && m.topic.Name === name;

/** Two fresh peers can still exchange a message: the hub is alive and routing. */
async function stillRoutes(): Promise<void> {
  const sub = await peer(undefined, [BROADCAST_UPDATES]);
  const pub = await peer();
  pub.send(update('Alive', true));
  expect((await sub.next(named('Alive'))).message).toEqual({ Value: true });
}

describe('connections', () => {
  it('takes at most maxConnections: one more is closed at once, those open go on', async () => {
    await start({ maxConnections: 2 });
    const sub = await peer('SUB', [BROADCAST_UPDATES]);
    const pub = await peer('PUB');
    await expect(connectPeer(hub.url, { name: 'THIRD' })).rejects.toThrow();
    pub.send(update('StillOpen', true));
    expect((await sub.next(named('StillOpen'))).message).toEqual({ Value: true });
    // Once one leaves, a newcomer gets its place.
    await pub.close();
    peers = peers.filter((p) => p !== pub);
    await until('a place is free', async () => {
      const again = await connectPeer(hub.url, { name: 'LATER' }).catch(() => null);
      if (again) peers.push(again);
      return again;
    });
  });
});

describe('frame size', () => {
  it('closes a connection that sends a frame over the maximum with 1009 and keeps serving the others', async () => {
    await start({ maxFrameBytes: 4096 });
    const big = await peer('BIG');
    big.send(update('Huge', 'x'.repeat(8192)));
    const closed = await big.waitClosed(5000);
    expect(closed.code).toBe(1009);
    expect(hub.stats().Invalid).toBe(1);
    await stillRoutes();
  });
});

describe('invalid frames', () => {
  it('answers each with a Warning Log to the sender, counts it and never forwards it', async () => {
    await start();
    const everything = await peer(undefined, ['']);
    // A bare WebSocket: a hub peer names itself with its first round trip, and this sender must be one the hub cannot name.
    const anonymous = new WebSocket(hub.url);
    const anonymousFrames: string[] = [];
    anonymous.on('message', (data) => anonymousFrames.push(data.toString()));
    await new Promise((resolve, reject) => anonymous.once('open', resolve).once('error', reject));
    const frames = [
      'not json',
      '[1,2]',
      '{"Topic":{"Type":"Nope"},"Message":{}}',
      '{"Topic":{"Type":"Update","Target":"BROADCAST","Source":"a:::b","Name":"X"},"Message":{"Value":1}}',
      '{"Topic":{"Type":"Update","Target":"BROADCAST","Source":"S","Name":"NoValue"},"Message":{}}',
      '{"Subscribe":"not an array"}',
    ];
    for (const f of frames) anonymous.send(f);
    await until('a Log for every invalid frame', () => anonymousFrames.length >= frames.length);
    anonymous.close();
    const logs = anonymousFrames.map((text) => JSON.parse(text) as { Topic: unknown; Message: unknown }).map((f) => ({ topic: f.Topic, message: f.Message }));
    for (const log of logs) {
      expect(log.topic).toEqual({ Type: 'Log', Target: 'UNKNOWN', Source: HUB_NAME });
      expect(log.message).toMatchObject({ Level: 'Warning', Message: expect.any(String) });
    }
    expect((logs[0]?.message as { Message: string }).Message).toMatch(/not valid JSON/);
    expect((logs[3]?.message as { Message: string }).Message).toMatch(/:::/);
    expect(hub.stats().Invalid).toBe(frames.length);

    // Once the sender has named itself, the Log is addressed to that name.
    const bad = await connectPeer(hub.url);
    peers.push(bad);
    bad.send(update('Valid', 1, 'STAGE-B-AssetHubClient'));
    bad.sendRaw('{"Topic":{}}');
    const named_ = await bad.next((m) => m.topic.Type === 'Log');
    expect(named_.topic).toEqual({ Type: 'Log', Target: 'STAGE-B-AssetHubClient', Source: HUB_NAME });

    // Nothing invalid reached the peer that subscribed to everything; the valid message did.
    bad.send(update('End', 1));
    await everything.next(named('End'));
    const routed = everything.messages.filter((m) => !(m.topic.Type === 'Get' && m.topic.Target === HUB_NAME)); // sync traffic
    expect(routed.map((m) => ('Name' in m.topic ? m.topic.Name : m.topic.Type))).toEqual(['Valid', 'End']);
    expect(everything.invalid).toEqual([]);
    expect(hub.stats().Invalid).toBe(frames.length + 1);
  });
});

describe('what one peer can cost the hub', () => {
  it('refuses, logs and counts a frame nested 10,000 levels deep or a Name of 100,000 segments; forwards neither', async () => {
    await start();
    const everything = await peer(undefined, ['']);
    const bad = await peer('DEEP');
    const deep = `{"Topic":{"Type":"Update","Target":"BROADCAST","Source":"DEEP","Name":"X"},"Message":{"Value":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const long = `{"Topic":{"Type":"Set","Target":"AssetHubServer","Name":"${Array.from({ length: 100_000 }, () => 's').join('.')}"},"Message":{"Value":1}}`;
    bad.sendRaw(deep);
    bad.sendRaw(long);
    const first = await bad.next((m) => m.topic.Type === 'Log');
    const second = await bad.next((m) => m.topic.Type === 'Log');
    expect((first.message as { Message: string }).Message).toMatch(/nested more than 128 levels/);
    expect((second.message as { Message: string }).Message).toMatch(/Topic.Name has 199999 characters; at most 4096/);
    expect(hub.stats().Invalid).toBe(2);
    bad.send(update('After', 1, 'DEEP'));
    await everything.next(named('After'));
    expect(everything.messages.filter((m) => m.topic.Type === 'Set' || named('X')(m))).toEqual([]);
  });

  it('limits the prefixes one peer holds and their length, and says so', async () => {
    await start();
    const greedy = await peer('GREEDY');
    const many = Array.from({ length: 10_500 }, (_, i) => `{"Type":"Update","Target":"T${i}"`);
    greedy.sendRaw(JSON.stringify({ Subscribe: [...many, 'x'.repeat(9000)] }));
    const log = await greedy.next((m) => m.topic.Type === 'Log');
    expect((log.message as { Message: string }).Message).toMatch(/1 prefix\(es\) over 8192 characters and \d+ prefix\(es\) past the limit of 10000 per peer/);
    expect(hub.stats().Invalid).toBe(1);
    // What fit still works.
    const pub = await peer('PUB');
    pub.send(envelope<'Update'>({ Type: 'Update', Target: 'T5', Source: 'PUB', Name: 'Fits' }, { Value: 1 }));
    await greedy.next(named('Fits'));
    await stillRoutes();
  });
});

describe("a request over a service's limit", () => {
  it('is refused with TOO_LARGE from its topic: the service never decodes its Message', async () => {
    await start();
    // The service's own transport, watched: what it decodes whole reaches onMessage, what it refuses onRefused.
    const decoded: string[] = [];
    const refused: string[] = [];
    const id = (topic: { Type: string; ID?: string }) => (topic.Type === 'Call' ? topic.ID ?? '' : topic.Type);
    const watched: TransportFactory = (options, events) => wsTransport(options, {
      ...events,
      onMessage: (m) => {
        decoded.push(id(m.envelope.topic));
        events.onMessage(m);
      },
      onRefused: (r) => {
        refused.push(id(r.topic));
        events.onRefused(r);
      },
    });
    const service = new ServiceHost(
      { name: 'UNIT-AssetHubClient', version: '1', states: [], get: () => undefined, calls: { Echo: { params: z.object({}).passthrough(), handler: () => ({}) } } },
      { hubUrl: hub.url, logger: silentLogger(), transport: watched },
    );
    try {
      await service.start();
      const asker = await peer('LIMITS-Panel', [topicPrefix('CallResult', { Target: 'LIMITS-Panel' })]);
      const call = (callId: string, pad: number) => asker.send(envelope<'Call'>({ Type: 'Call', Target: 'UNIT-AssetHubClient', RespondTo: 'LIMITS-Panel', Method: 'Echo', ID: callId }, { Params: { Pad: 'x'.repeat(pad) } }));
      const answer = async (callId: string) => (await asker.next((m) => m.topic.Type === 'CallResult' && m.topic.ID === callId)).message;
      call('big', 2 * 1024 * 1024);
      call('small', 10);
      expect(await answer('big')).toMatchObject({ Failure: { Code: 'TOO_LARGE', Message: expect.stringMatching(/at most 1048576 bytes/) } });
      expect(await answer('small')).toEqual({ Result: {} });
      expect(refused).toEqual(['big']);
      expect(decoded).toContain('small');
      expect(decoded).not.toContain('big');
    } finally {
      await service.close();
    }
  });
});

describe('slow peers', () => {
  const LOWPRIO_BYTES = 64 * 1024;

  it('drops LOWPRIO_ broadcast Updates above the soft limit, and nothing else', async () => {
    await start({ softLimitBytes: 256 * 1024, hardLimitBytes: 512 * 1024 * 1024 });
    const slow = await peer('SLOW', [BROADCAST_UPDATES]);
    const pub = await peer('PUB');
    slow.pause();

    const blob = 'x'.repeat(LOWPRIO_BYTES);
    let lowSent = 0;
    let seq = 0;
    // Batches of 1 MiB of LOWPRIO_ traffic with one normal Update each, until the kernel buffers are full and the hub
    // starts dropping; then a few more batches so normal Updates are also sent while the peer is over the soft limit.
    let extra = -1;
    for (let batch = 0; batch < 96 && extra !== 0; batch++) {
      for (let i = 0; i < 16; i++, lowSent++) pub.send(update(`LOWPRIO_Preview`, { Index: lowSent, Blob: blob }));
      pub.send(update('Seq', seq++));
      await pub.sync(10_000);
      if (extra < 0 && hub.stats().Dropped > 0) extra = 4;
      else if (extra > 0) extra--;
    }
    const stats = hub.stats();
    expect(stats.Dropped).toBeGreaterThan(0);
    expect(stats.Disconnected).toBe(0);
    pub.send(update('Done', seq));

    slow.resume();
    await slow.next(named('Done'), 20_000);
    const normal = slow.messages.filter(named('Seq')).map((m) => (m.message as { Value: number }).Value);
    expect(normal).toEqual(Array.from({ length: seq }, (_, i) => i));
    const lowReceived = slow.messages.filter(named('LOWPRIO_Preview')).length;
    expect(lowReceived + hub.stats().Dropped).toBe(lowSent);
    expect(lowReceived).toBeGreaterThan(0);
  }, 60_000);

  it('disconnects a peer past the hard limit, logs it, and keeps serving the others', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    await start({ softLimitBytes: 64 * 1024, hardLimitBytes: 1024 * 1024, logger: pino({ level: 'warn' }, sink) });
    const slow = await peer('SLOW-AssetHubPanel', [BROADCAST_UPDATES]);
    const pub = await peer('PUB');
    slow.pause();

    const blob = 'y'.repeat(LOWPRIO_BYTES);
    for (let batch = 0; batch < 64 && hub.stats().Disconnected === 0; batch++) {
      for (let i = 0; i < 16; i++) pub.send(update('State', { Blob: blob }));
      await pub.sync(10_000);
    }
    expect(hub.stats().Disconnected).toBe(1);
    expect(hub.stats().Dropped).toBe(0);
    slow.resume();
    const closed = await slow.waitClosed(20_000);
    // Cut (1006) or closed as "try again later" (1013); never a normal close.
    expect([1006, 1013]).toContain(closed.code);

    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'slow peer disconnected: too much queued to it');
    expect(warning).toMatchObject({ peer: 'SLOW-AssetHubPanel', level: 40 });
    expect(warning?.bufferedAmount).toBeGreaterThan(1024 * 1024);
    await stillRoutes();
  }, 60_000);
});
