// Large frames (over LARGE_FRAME_BYTES) are checked on the frame checker's thread: routed as any frame once checked,
// in order behind and ahead of what their sender sent around them, while other peers' frames go on meanwhile.
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, envelope, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import { silentLogger } from '../lib/log.ts';
import { LARGE_FRAME_BYTES } from './frame-check.ts';
import { startHub, type Hub, type HubOptions } from './hub.ts';
import { connectPeer, type Received, type TestPeer } from './testing/test-peer.ts';

const UPDATES = topicPrefix('Update', { Target: 'BROADCAST' });
let hub: Hub;
let peers: TestPeer[] = [];
const threads: Worker[] = [];

afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
  await hub.close();
  await Promise.all(threads.splice(0).map((t) => t.terminate()));
});

async function start(options: HubOptions = {}): Promise<void> {
  hub = await startHub({ port: 0, logger: silentLogger(), ...options });
}

async function peer(name: string, prefixes: string[] = []): Promise<TestPeer> {
  const p = await connectPeer(hub.url, { name });
  peers.push(p);
  await p.subscribe(prefixes);
  return p;
}

const update = (name: string, value: unknown, source: string): Envelope =>
  envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: source, Name: name }, { Value: value });
const big = (name: string, source: string) => update(name, 'x'.repeat(LARGE_FRAME_BYTES + 1000), source);
const named = (name: string) => (m: Received): boolean => 'Name' in m.topic && m.topic.Name === name;

/** Every Update the subscriber gets, by Name, in arrival order. */
function arrivals(sub: TestPeer): string[] {
  const names: string[] = [];
  sub.onMessage((m) => {
    if ('Name' in m.topic && m.topic.Name !== undefined) names.push(m.topic.Name);
  });
  return names;
}

describe('large frames', () => {
  it('are routed once checked: as they came when canonical, re-encoded otherwise; in order with what their sender sent after them', async () => {
    await start();
    const sub = await peer('SUB', [UPDATES]);
    const order = arrivals(sub);
    const pub = await peer('PUB');
    const canonical = encodeFrame(big('Big', 'PUB'));
    pub.sendRaw(canonical);
    pub.send(update('Small', 1, 'PUB'));
    expect((await sub.next(named('Big'))).raw).toBe(canonical);
    await sub.next(named('Small'));
    expect(order).toEqual(['Big', 'Small']);
    // Another layout is re-encoded canonically, as small frames are.
    const message = big('Reordered', 'PUB');
    pub.sendRaw(JSON.stringify({ Message: message.message, Topic: message.topic }));
    expect((await sub.next(named('Reordered'))).raw).toBe(encodeFrame(message));
    expect(hub.stats().Invalid).toBe(0);
  });

  it('refuses an invalid one with a Warning Log to its sender, counted, and goes on', async () => {
    await start();
    const sub = await peer('SUB', [UPDATES]);
    const pub = await peer('PUB', [topicPrefix('Log', { Target: 'PUB' })]);
    const head = encodeFrame(update('Broken', 1, 'PUB')).split('"Message":')[0] ?? '';
    pub.sendRaw(`${head}"Message":{"Value":"${'y'.repeat(LARGE_FRAME_BYTES)}"`);
    const log = await pub.next((m) => m.topic.Type === 'Log');
    expect(log.message).toMatchObject({ Level: 'Warning' });
    pub.send(update('After', 2, 'PUB'));
    expect((await sub.next(named('After'))).message).toEqual({ Value: 2 });
    expect(hub.stats().Invalid).toBe(1);
  });

  it("does not hold other peers' frames while one is checked; its sender's next frames wait behind it", async () => {
    // A thread that answers only when told: the check of PUB's large frame lasts as long as the test wants.
    const thread = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const held = [];
       parentPort.on('message', (m) => {
         if (m === 'release') { for (const r of held.splice(0)) { const topic = JSON.parse(new TextDecoder().decode(r.bytes)).Topic; parentPort.postMessage({ id: r.id, kind: 'message', topic, canonicalTopic: JSON.stringify(topic), attachment: undefined, wire: null, bytes: r.bytes }, [r.bytes.buffer]); } return; }
         held.push(m);
         parentPort.postMessage({ id: -1, kind: 'held' });
       });`,
      { eval: true },
    );
    threads.push(thread);
    const received = new Promise<void>((resolve) => thread.once('message', () => resolve()));
    await start({ frameCheckThread: () => thread });
    const sub = await peer('SUB', [UPDATES]);
    const order = arrivals(sub);
    const pub = await peer('PUB');
    const other = await peer('OTHER');
    pub.send(big('Big', 'PUB'));
    pub.send(update('PubSmall', 1, 'PUB'));
    await received;
    other.send(update('OtherSmall', 2, 'OTHER'));
    await sub.next(named('OtherSmall'));
    expect(order).toEqual(['OtherSmall']);
    thread.postMessage('release');
    await sub.next(named('PubSmall'));
    expect(order).toEqual(['OtherSmall', 'Big', 'PubSmall']);
  });

  it('are checked on the hub thread when the checker thread cannot start', async () => {
    await start({ frameCheckThread: () => { throw new Error('no threads here'); } });
    const sub = await peer('SUB', [UPDATES]);
    const pub = await peer('PUB');
    pub.send(big('Big', 'PUB'));
    expect((await sub.next(named('Big'))).topic).toMatchObject({ Name: 'Big', Source: 'PUB' });
  });
});
