// Routing through a real hub on 127.0.0.1 (port 0): prefix matching, broadcast fan-out, canonical forwarding,
// attachments, and the hub's own answers (Stats, Self). "Did not receive" is proven without timing: the same sender
// then sends a marker the receiver does get, and the hub keeps each sender's order.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, envelope, encodeTopic, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import { silentLogger } from '../lib/log.ts';
import { HUB_NAME, startHub, type Hub, type HubStats } from './hub.ts';
import { connectPeer, type Received, type TestPeer } from './testing/test-peer.ts';

const MARKER = topicPrefix('Update', { Target: 'Marker' });

let hub: Hub;
let peers: TestPeer[];

beforeEach(async () => {
  hub = await startHub({ port: 0, logger: silentLogger() });
  peers = [];
});
afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await hub.close();
});

async function peer(name?: string, prefixes: string[] = []): Promise<TestPeer> {
  const p = await connectPeer(hub.url, name === undefined ? {} : { name });
  peers.push(p);
  await p.subscribe([MARKER, ...prefixes]);
  return p;
}

const update = (target: string, name: string, value: unknown, source = 'STAGE-A-AssetHubClient'): Envelope =>
  envelope<'Update'>({ Type: 'Update', Target: target, Source: source, Name: name }, { Value: value });

/** Sends a marker from `sender` and waits until every receiver has it: whatever `sender` sent before has arrived. */
async function flush(sender: TestPeer, receivers: TestPeer[]): Promise<void> {
  const id = randomUUID();
  sender.send(update('Marker', id, null, sender.name));
  await Promise.all(receivers.map((r) => r.next((m) => m.topic.Type === 'Update' && m.topic.Target === 'Marker' && m.topic.Name === id)));
}

const named = (name: string) => (m: Received): boolean => 'Name' in m.topic && m.topic.Name === name;
const count = (p: TestPeer, name: string): number => p.messages.filter(named(name)).length;

describe('prefix routing', () => {
  it('a BROADCAST Update reaches every subscriber of the broadcast prefix and no one else', async () => {
    const broadcast = topicPrefix('Update', { Target: 'BROADCAST' });
    const a = await peer(undefined, [broadcast]);
    const b = await peer(undefined, [broadcast]);
    const other = await peer(undefined, [topicPrefix('Update', { Target: 'AssetHubServer' })]);
    const pub = await peer();

    pub.send(update('BROADCAST', 'State', { AutoPull: true }));
    const [ra, rb] = await Promise.all([a.next(named('State')), b.next(named('State'))]);
    expect(ra.message).toEqual({ Value: { AutoPull: true } });
    expect(rb.topic).toEqual({ Type: 'Update', Target: 'BROADCAST', Source: 'STAGE-A-AssetHubClient', Name: 'State' });

    await flush(pub, [a, b, other]);
    expect(count(other, 'State')).toBe(0);
    expect(count(a, 'State')).toBe(1);
    expect(count(pub, 'State')).toBe(0);
  });

  it('the closing quote keeps "AssetHub" from matching "AssetHubServer"', async () => {
    const short = await peer(undefined, [topicPrefix('Get', { Target: 'AssetHub' })]);
    const full = await peer(undefined, [topicPrefix('Get', { Target: 'AssetHubServer' })]);
    const pub = await peer('OPS-AssetHubPanel');

    pub.send(envelope<'Get'>({ Type: 'Get', Target: 'AssetHubServer', Name: 'State', RespondTo: pub.name }, {}));
    pub.send(envelope<'Get'>({ Type: 'Get', Target: 'AssetHub', Name: 'Other', RespondTo: pub.name }, {}));
    await full.next(named('State'));
    await short.next(named('Other'));
    await flush(pub, [short, full]);
    expect(count(short, 'State')).toBe(0);
    expect(count(full, 'Other')).toBe(0);
  });

  it('delivers once per peer when several prefixes match, and to the sender when it subscribed', async () => {
    const many = await peer(undefined, ['', '{"Type":"Update"', topicPrefix('Update', { Target: 'BROADCAST' })]);
    const self = await peer(undefined, [topicPrefix('Update', { Target: 'BROADCAST' })]);
    self.send(update('BROADCAST', 'Once', 1));
    await self.next(named('Once'));
    await flush(self, [many]);
    expect(count(many, 'Once')).toBe(1);
    expect(count(self, 'Once')).toBe(1);
  });

  it('stops delivering after Unsubscribe', async () => {
    const prefix = topicPrefix('Update', { Target: 'BROADCAST' });
    const sub = await peer(undefined, [prefix]);
    const pub = await peer();
    pub.send(update('BROADCAST', 'Before', 1));
    await sub.next(named('Before'));
    await sub.unsubscribe([prefix]);
    pub.send(update('BROADCAST', 'After', 2));
    await flush(pub, [sub]);
    expect(count(sub, 'After')).toBe(0);
  });
});

describe('forwarding', () => {
  it('re-encodes a non-canonical topic into canonical form', async () => {
    const sub = await peer(undefined, [topicPrefix('Update', { Target: 'BROADCAST' })]);
    const pub = await peer();
    // Keys out of order, spaces, an unknown topic key, Message first.
    pub.sendRaw('{ "Message": {"Value": [1, 2]}, "Topic": {"Name": "Odd", "Extra": 1, "Source": "S", "Type": "Update", "Target": "BROADCAST"} }');
    const got = await sub.next(named('Odd'));
    const canonical = encodeTopic({ Type: 'Update', Target: 'BROADCAST', Source: 'S', Name: 'Odd' });
    expect(got.raw.startsWith(`{"Topic":${canonical},"Message":`)).toBe(true);
    expect(got.raw).toBe(encodeFrame(update('BROADCAST', 'Odd', [1, 2], 'S')));
  });

  it('forwards a frame whose topic is already canonical with its body intact', async () => {
    const sub = await peer(undefined, [topicPrefix('Update', { Target: 'BROADCAST' })]);
    const pub = await peer();
    const canonical = encodeTopic({ Type: 'Update', Target: 'BROADCAST', Source: 'S', Name: 'Same' });
    const text = `{"Topic":${canonical},"Message":{ "Value" : {"b": 2, "a": 1} }}`;
    pub.sendRaw(text);
    const got = await sub.next(named('Same'));
    expect(got.raw.startsWith(`{"Topic":${canonical},"Message":`)).toBe(true);
    expect(JSON.parse(got.raw)).toEqual(JSON.parse(text));
  });

  it('forwards an attachment right after its text frame, to the same receivers', async () => {
    const prefix = topicPrefix('Update', { Target: 'BROADCAST' });
    const a = await peer(undefined, [prefix]);
    const b = await peer(undefined, [prefix]);
    const pub = await peer();
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    pub.send(update('BROADCAST', 'Thumbnail', { Size: bytes.length }), bytes);
    pub.send(update('BROADCAST', 'After', 1));
    for (const r of [a, b]) {
      const got = await r.next(named('Thumbnail'));
      expect(got.attachment).toEqual(bytes);
      expect(JSON.parse(got.raw)).toMatchObject({ Attachment: bytes.length });
      // The next frame after the attachment is the next message, so nothing slipped in between.
      await r.next(named('After'));
      expect(r.invalid).toEqual([]);
    }
  });

  it('refuses an attachment whose length differs from the announced one, and a binary frame nobody announced', async () => {
    const sub = await peer(undefined, [topicPrefix('Update', { Target: 'BROADCAST' })]);
    const pub = await peer('STAGE-A-AssetHubClient');
    pub.sendRaw(encodeFrame(update('BROADCAST', 'Short', null), 10));
    pub.sendRaw(Buffer.alloc(3));
    pub.sendRaw(Buffer.alloc(4));
    const logs = [await pub.next((m) => m.topic.Type === 'Log'), await pub.next((m) => m.topic.Type === 'Log')];
    expect(logs.map((l) => l.message)).toEqual([
      { Level: 'Warning', Message: expect.stringContaining('10 bytes but 3 came') },
      { Level: 'Warning', Message: expect.stringContaining('binary frame must follow') },
    ]);
    await flush(pub, [sub]);
    expect(count(sub, 'Short')).toBe(0);
    expect(sub.invalid).toEqual([]);
  });
});

describe('the hub as a service', () => {
  it('answers a Get of Stats, Stats.<field> and an unknown name, through routing to the asker', async () => {
    const watcher = await peer(undefined, [topicPrefix('Update', { Target: 'BROADCAST' })]);
    const asker = await peer('OPS-AssetHubPanel', [topicPrefix('Update', { Target: 'OPS-AssetHubPanel' })]);
    asker.send(update('BROADCAST', 'One', 1));
    asker.send(update('BROADCAST', 'Two', 2));
    await watcher.next(named('Two'));

    const before = hub.stats();
    const get = (name: string): void =>
      asker.send(envelope<'Get'>({ Type: 'Get', Target: HUB_NAME, Name: name, RespondTo: asker.name }, {}));
    get('Stats');
    get('Stats.Peers');
    get('Stats.Nope');
    get('Health');
    const stats = (await asker.next(named('Stats'))).message as { Value: HubStats };
    expect(stats.Value.Peers).toBe(2);
    expect(stats.Value.MessagesIn).toBeGreaterThanOrEqual(before.MessagesIn + 1);
    expect(stats.Value.MessagesOut).toBeGreaterThanOrEqual(2);
    expect(Object.keys(stats.Value).sort()).toEqual(
      ['Disconnected', 'Dropped', 'Invalid', 'MessagesIn', 'MessagesInPerSecond', 'MessagesOut', 'MessagesOutPerSecond', 'Peers', 'StartedAt'],
    );
    expect(new Date(stats.Value.StartedAt).toISOString()).toBe(stats.Value.StartedAt);
    expect((await asker.next(named('Stats.Peers'))).message).toEqual({ Value: 2 });
    expect((await asker.next(named('Stats.Nope'))).message).toEqual({ Value: null });
    const health = await asker.next(named('Health'));
    expect(health.topic).toEqual({ Type: 'Update', Target: 'OPS-AssetHubPanel', Source: HUB_NAME, Name: 'Health' });
    expect(health.message).toEqual({ Value: null });
  });

  it('counts messages in and out', async () => {
    const prefix = topicPrefix('Update', { Target: 'BROADCAST' });
    const a = await peer(undefined, [prefix]);
    const b = await peer(undefined, [prefix]);
    const start = hub.stats();
    a.send(update('BROADCAST', 'Counted', 1));
    await Promise.all([a.next(named('Counted')), b.next(named('Counted'))]);
    const end = hub.stats();
    expect(end.MessagesIn - start.MessagesIn).toBe(1);
    expect(end.MessagesOut - start.MessagesOut).toBe(2);
    expect(end.Peers).toBe(2);
  });

  it('answers Identify with a Self to its Source and still forwards the Identify', async () => {
    const other = await peer('AssetHubServer', [topicPrefix('Identify')]);
    const asker = await peer('OPS-AssetHubPanel', [topicPrefix('Self', { Target: 'OPS-AssetHubPanel' })]);
    asker.send(envelope<'Identify'>({ Type: 'Identify', Source: asker.name }, {}));
    const self = await asker.next((m) => m.topic.Type === 'Self');
    expect(self.topic).toEqual({ Type: 'Self', Target: 'OPS-AssetHubPanel', Source: HUB_NAME });
    const value = (self.message as { Value: { Version: string; Machine: string; StartedAt: string } }).Value;
    expect(value.Machine).toBe(hostname());
    expect(value.Version).toMatch(/^\d+\.\d+\.\d+/);
    expect(value.StartedAt).toBe(hub.stats().StartedAt);
    const identify = await other.next((m) => m.topic.Type === 'Identify');
    expect(identify.topic).toEqual({ Type: 'Identify', Source: 'OPS-AssetHubPanel' });
  });
});
