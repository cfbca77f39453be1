// Limits of the ZeroMQ Data Hub: a message over the hub's maximum never crosses it (libzmq refuses it at the XSUB
// socket and drops that sender's connection), while the hub keeps routing for everyone else; a message a peer cannot
// decode is dropped and counted by the peer and by the hub's inspector, never handed on.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMultipart, envelope, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import { HubPeer } from '../../peer/index.ts';
import { loadZeromq } from '../../peer/zmq-transport.ts';
import { z } from 'zod';
import { silentLogger } from '../lib/log.ts';
import { ServiceHost } from '../lib/service-host.ts';
import { until } from '../testing/wait.ts';
import { startZmqHub, type ZmqHub } from './zmq-hub.ts';
import { LARGE_FRAME_BYTES } from './frame-check.ts';

let hub: ZmqHub | null = null;
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await hub?.close();
  hub = null;
});

const update = (name: string, value: unknown): Envelope =>
  envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: 'LIMITS-Tool', Name: name }, { Value: value });

/** A hub peer subscribed to every BROADCAST Update, recording their Names. */
async function listener(url: string): Promise<{ peer: HubPeer; names: string[] }> {
  const names: string[] = [];
  const peer = new HubPeer(
    { name: 'LIMITS-Listener', subscriptions: [topicPrefix('Update', { Target: 'BROADCAST' })] },
    { onMessage: (m) => void (m.topic.Type === 'Update' && names.push(m.topic.Name)) },
  );
  closers.push(() => peer.close());
  peer.connect(url);
  await peer.whenUp();
  return { peer, names };
}

/** A raw PUB socket on the hub (no hub peer: it sends exactly the parts it is given). */
function rawPublisher(pubPort: number) {
  const zmq = loadZeromq();
  const socket = new zmq.Publisher({ linger: 0 });
  socket.connect(`tcp://127.0.0.1:${pubPort}`);
  closers.push(() => socket.close());
  return socket;
}

describe('ZeroMQ Data Hub limits', () => {
  it('never lets a message over its maximum through, and keeps routing the rest', async () => {
    hub = await startZmqHub({ subPort: 0, pubPort: 0, maxMessageBytes: 64 * 1024, logger: silentLogger() });
    const { names } = await listener(hub.url);
    const big = rawPublisher(hub.pubPort);
    // Until the subscription has reached this publisher, its messages go nowhere: send small ones until one arrives.
    await until('the raw publisher is heard', async () => {
      await big.send(encodeMultipart(update('Ready', 1)));
      return names.includes('Ready');
    });
    await big.send(encodeMultipart(update('Oversized', 'x'.repeat(100 * 1024))));
    await big.send(encodeMultipart(update('AfterOversized', 1)));
    // Another publisher's messages still cross; the oversized one never did.
    const other = rawPublisher(hub.pubPort);
    await until('the hub still routes', async () => {
      await other.send(encodeMultipart(update('StillRouting', 1)));
      return names.includes('StillRouting');
    });
    expect(names).not.toContain('Oversized');
    expect(hub.stats().Invalid).toBe(0);
  });

  it('drops, counts and logs what a peer cannot decode; the hub counts it too; valid ones still arrive', async () => {
    hub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
    const { peer, names } = await listener(hub.url);
    const raw = rawPublisher(hub.pubPort);
    await until('the raw publisher is heard', async () => {
      await raw.send(encodeMultipart(update('Ready', 1)));
      return names.includes('Ready');
    });
    const prefix = '{"Type":"Update","Target":"BROADCAST"';
    const bad: Buffer[][] = [
      [Buffer.from(`${prefix},"Source":"X","Name":"A"}`)], // one frame
      [Buffer.from(`${prefix},"Source":"X","Name":"B"}`), Buffer.from('{"Value":1}'), Buffer.from('x'), Buffer.from('y')], // four
      [Buffer.from(`${prefix},"Source":"X","Name":"C"`), Buffer.from('{"Value":1}')], // topic not JSON
      [Buffer.from(`${prefix},"Source":"X:::Y","Name":"D"}`), Buffer.from('{"Value":1}')], // ::: in a name
      [Buffer.from(`${prefix},"Source":"X","Name":"E"}`), Buffer.from('{}')], // an Update without a Value
      [Buffer.from(`${prefix},"Source":"X","Name":"F"}`), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])], // not UTF-8
    ];
    for (const parts of bad) await raw.send(parts);
    await raw.send(encodeMultipart(update('End', 1)));
    await until('the valid message after them', () => names.includes('End'));
    expect(names.filter((n) => n !== 'Ready' && n !== 'End')).toEqual([]);
    await until('the peer counted every invalid message', () => peer.invalidCount === bad.length);
    await until('the hub counted every invalid message', () => hub?.stats().Invalid === bad.length);
  });

  it('counts a large message by its topic part alone (its receivers check the rest)', async () => {
    hub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
    const { names } = await listener(hub.url);
    const raw = rawPublisher(hub.pubPort);
    await until('the raw publisher is heard', async () => {
      await raw.send(encodeMultipart(update('Ready', 1)));
      return names.includes('Ready');
    });
    const before = hub.stats().MessagesIn;
    const large = 'z'.repeat(LARGE_FRAME_BYTES + 1000);
    await raw.send(encodeMultipart(update('LargeValid', large)));
    await raw.send([Buffer.from('{"Type":"Update","Target":"BROADCAST","Source":"X:::Y","Name":"LargeBad"}'), Buffer.from(`{"Value":"${large}"}`)]);
    await raw.send(encodeMultipart(update('End', 1)));
    await until('the valid ones arrived', () => names.includes('LargeValid') && names.includes('End'));
    await until('the hub counted the invalid large one', () => hub?.stats().Invalid === 1);
    await until('and the valid ones', () => (hub?.stats().MessagesIn ?? 0) - before >= 2);
  });

  it('a service refuses a request over its limit from the topic part alone: a Message part of 2 MB of garbage gets TOO_LARGE', async () => {
    hub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
    const url = hub.url;
    const service = new ServiceHost(
      { name: 'UNIT-AssetHubClient', version: '1', states: [], get: () => undefined, calls: { Echo: { params: z.object({}), handler: () => ({}) } } },
      { hubUrl: url, logger: silentLogger() },
    );
    closers.push(() => void service.close());
    await service.start();
    const results = new Map<string, unknown>();
    const asker = new HubPeer(
      { name: 'LIMITS-Panel', subscriptions: [topicPrefix('CallResult', { Target: 'LIMITS-Panel' })] },
      { onMessage: (m) => void (m.topic.Type === 'CallResult' && results.set(m.topic.ID, m.message)) },
    );
    closers.push(() => asker.close());
    asker.connect(url);
    await asker.whenUp();
    const raw = rawPublisher(hub.pubPort);
    const topic = (id: string) => Buffer.from(`{"Type":"Call","Target":"UNIT-AssetHubClient","RespondTo":"LIMITS-Panel","Method":"Echo","ID":"${id}"}`);
    let probes = 0;
    await until('the raw publisher is heard', async () => {
      await raw.send([topic(`probe-${probes++}`), Buffer.from('{"Params":{}}')]);
      return results.size > 0;
    });
    await raw.send([topic('garbage'), Buffer.from(`{${'not json, '.repeat(200_000)}`)]);
    await until('answered', () => results.has('garbage'));
    expect(results.get('garbage')).toMatchObject({ Failure: { Code: 'TOO_LARGE', Message: expect.stringMatching(/at most 1048576 bytes/) } });
    expect(service.peer.invalidCount).toBe(0);
  });
});
