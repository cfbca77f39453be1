// The ZeroMQ hub bounds what one subscriber holds (subscription-guard.ts): a raw ZMTP peer (no libzmq of its own, so
// nothing of its side limits it) that subscribes past its bounds (MAX_PREFIX_BYTES_PER_PEER of prefixes,
// MAX_PREFIXES_PER_PEER of them) gets the first ones only, in either
// ZMTP 3.0 form (subscription messages) or 3.1 (SUBSCRIBE commands); the refusal is said in a Log; other subscribers
// keep theirs; a peer holds at most MAX_PREFIX_BYTES_PER_PEER of prefixes; and a connection that does not speak ZMTP 3
// with the NULL mechanism, or sends what libzmq would hold without bound (an unfinished message), is closed.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMultipart } from '../../shared/protocol/index.ts';
import { loadZeromq } from '../../peer/zmq-transport.ts';
import { silentLogger } from '../lib/log.ts';
import { until } from '../testing/wait.ts';
import { MAX_PREFIXES_PER_PEER, MAX_PREFIX_CHARS } from './subscriptions.ts';
import { MAX_PREFIX_BYTES_PER_PEER } from './subscription-guard.ts';
import { startZmqHub, type ZmqHub } from './zmq-hub.ts';

let hub: ZmqHub | null = null;
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await hub?.close();
  hub = null;
});

function frame(body: Buffer, command = false): Buffer {
  const long = body.length > 255;
  const head = Buffer.alloc(long ? 9 : 2);
  head[0] = (command ? 0x04 : 0) | (long ? 0x02 : 0);
  if (long) head.writeBigUInt64BE(BigInt(body.length), 1);
  else head[1] = body.length;
  return Buffer.concat([head, body]);
}
const command = (name: string, data: Buffer) => frame(Buffer.concat([Buffer.from([name.length]), Buffer.from(name, 'latin1'), data]), true);

function greeting(minor: number, mechanism = 'NULL'): Buffer {
  const g = Buffer.alloc(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = minor;
  g.write(mechanism, 12, 'latin1');
  return g;
}

/** A raw socket on the hub's subscribe port, collecting what it receives (as latin1 text) and whether it was closed. */
async function rawPeer(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  closers.push(() => socket.destroy());
  const peer = { socket, text: '', closed: false };
  socket.on('data', (d: Buffer) => (peer.text += d.toString('latin1')));
  socket.on('close', () => (peer.closed = true));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return peer;
}

/** A raw ZMTP 3.`minor` SUB that subscribes to `count` prefixes `<tag><i>,`: as messages (3.0) or commands (3.1). */
async function rawSubscriber(port: number, minor: 0 | 1, tag: string, count: number) {
  const peer = await rawPeer(port);
  const property = (name: string, value: string) => {
    const b = Buffer.alloc(1 + name.length + 4 + value.length);
    b[0] = name.length;
    b.write(name, 1, 'latin1');
    b.writeUInt32BE(value.length, 1 + name.length);
    b.write(value, 5 + name.length, 'latin1');
    return b;
  };
  peer.socket.write(Buffer.concat([greeting(minor), command('READY', property('Socket-Type', 'SUB'))]));
  // libzmq takes a command after READY only once its own READY is out, as a libzmq SUB waits for it.
  await until('the hub is ready', () => peer.text.includes('READY'));
  const frames = [];
  for (let i = 0; i < count; i++) {
    const prefix = Buffer.from(`${tag}${i},`, 'latin1');
    frames.push(minor === 1 ? command('SUBSCRIBE', prefix) : frame(Buffer.concat([Buffer.from([1]), prefix])));
  }
  peer.socket.write(Buffer.concat(frames));
  return peer;
}

function rawPublisher(pubPort: number) {
  const socket = new (loadZeromq().Publisher)({ linger: 0 });
  socket.connect(`tcp://127.0.0.1:${pubPort}`);
  closers.push(() => socket.close());
  return socket;
}

describe('ZeroMQ Data Hub: subscriptions per peer', () => {
  for (const minor of [0, 1] as const) {
    it(`keeps at most ${MAX_PREFIX_BYTES_PER_PEER.toLocaleString('en-US')} bytes of prefixes for a raw ZMTP 3.${minor} subscriber sending ${(MAX_PREFIXES_PER_PEER + 50).toLocaleString('en-US')}, says so in a Log, and others keep theirs`, async () => {
      hub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
      const logs: string[] = [];
      const listener = new (loadZeromq().Subscriber)({ linger: 0 });
      closers.push(() => listener.close());
      listener.connect(`tcp://127.0.0.1:${hub.subPort}`);
      listener.subscribe('{"Type":"Log"');
      listener.subscribe('other,');
      const heard: string[] = [];
      void (async () => {
        try {
          for await (const parts of listener) {
            const m = decodeMultipart(parts);
            if (m.ok && m.value.envelope.topic.Type === 'Log') logs.push(JSON.stringify(m.value.envelope.message));
            else heard.push(String(parts[0]));
          }
        } catch {
          // closed
        }
      })();
      const over = MAX_PREFIXES_PER_PEER + 50;
      const raw = await rawSubscriber(hub.subPort, minor, 'z', over);
      const publisher = rawPublisher(hub.pubPort);
      await until('the raw subscriber hears its first prefix', async () => {
        await publisher.send([Buffer.from('z0,ready'), Buffer.from('{}')]);
        return raw.text.includes('z0,ready');
      });
      // The prefixes held: the first ones, until the count or the bytes one peer may hold would be passed.
      let last = -1;
      for (let bytes = 0; last + 1 < MAX_PREFIXES_PER_PEER && bytes + `z${last + 1},`.length <= MAX_PREFIX_BYTES_PER_PEER; last++) bytes += `z${last + 1},`.length;
      await publisher.send([Buffer.from(`z${last},within`), Buffer.from('{}')]);
      await publisher.send([Buffer.from(`z${last + 1},past`), Buffer.from('{}')]);
      await publisher.send([Buffer.from(`z${over - 1},past`), Buffer.from('{}')]);
      await until('the other subscriber still hears its own', async () => {
        await publisher.send([Buffer.from('other,x'), Buffer.from('{}')]);
        await publisher.send([Buffer.from('z1,end'), Buffer.from('{}')]);
        return heard.includes('other,x') && raw.text.includes('z1,end');
      });
      expect(raw.text).toContain(`z${last},within`);
      expect(raw.text).not.toContain('past');
      expect(raw.closed).toBe(false);
      await until('the refusal is said in a Log', () => logs.some((l) => l.includes('Subscribe refused') && l.includes(`${MAX_PREFIX_BYTES_PER_PEER} bytes of prefixes`)));
    });
  }

  it('refuses a prefix over the longest allowed and prefixes past the bytes one peer may hold; closes what is not a ZMTP 3 subscriber', async () => {
    hub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
    const long = await rawSubscriber(hub.subPort, 1, 'unused', 0);
    const tooLong = 'L'.repeat(MAX_PREFIX_CHARS + 1);
    // 4,000-byte prefixes: as many as fit in MAX_PREFIX_BYTES_PER_PEER, and one more that does not.
    const big = (i: number) => Buffer.from(`B${i}`.padEnd(4000, 'b'));
    const fit = Math.floor(MAX_PREFIX_BYTES_PER_PEER / 4000);
    long.socket.write(Buffer.concat([command('SUBSCRIBE', Buffer.from(tooLong)), ...Array.from({ length: fit + 1 }, (_, i) => command('SUBSCRIBE', big(i))), command('SUBSCRIBE', Buffer.from('S'))]));
    const publisher = rawPublisher(hub.pubPort);
    await until('the short prefix is held', async () => {
      await publisher.send([Buffer.from('Sready'), Buffer.from('{}')]);
      return long.text.includes('Sready');
    });
    await publisher.send([Buffer.from(`${tooLong}past`), Buffer.from('{}')]);
    await publisher.send([Buffer.from(`${big(fit - 1).toString()}held`), Buffer.from('{}')]);
    await publisher.send([Buffer.from(`${big(fit).toString()}past`), Buffer.from('{}')]);
    await publisher.send([Buffer.from('Send'), Buffer.from('{}')]);
    await until('the message after them', () => long.text.includes('Send'));
    expect(long.text).toContain('held');
    expect(long.text).not.toContain('past');
    // S was passed on after the refused ones; it costs one byte, within every bound.

    const http = await rawPeer(hub.subPort);
    http.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const curve = await rawPeer(hub.subPort);
    curve.socket.write(greeting(1, 'CURVE'));
    const huge = await rawPeer(hub.subPort);
    huge.socket.write(Buffer.concat([greeting(1), Buffer.from([0x02]), Buffer.from([0, 0, 0, 1, 0, 0, 0, 0])]));
    const flags = await rawPeer(hub.subPort);
    flags.socket.write(Buffer.concat([greeting(1), Buffer.from([0x80, 1, 0])]));
    await until('each is closed', () => http.closed && curve.closed && huge.closed && flags.closed);
  });

  it('closes a subscriber that sends what libzmq would hold without bound: a message of several parts, a command marked MORE, a message that is not a subscription', async () => {
    hub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
    const multipart = await rawSubscriber(hub.subPort, 0, 'm', 1);
    multipart.socket.write(Buffer.concat([Buffer.from([0x01, 3, 1]), Buffer.from('m2'), Buffer.from([0x00, 1, 0x78])]));
    const more = await rawSubscriber(hub.subPort, 1, 'c', 1);
    const subscribeMore = command('SUBSCRIBE', Buffer.from('c0,'));
    subscribeMore[0] = 0x05;
    more.socket.write(subscribeMore);
    const other = await rawSubscriber(hub.subPort, 0, 'o', 1);
    other.socket.write(frame(Buffer.from('hello')));
    const empty = await rawSubscriber(hub.subPort, 0, 'e', 1);
    empty.socket.write(frame(Buffer.alloc(0)));
    await until('each is closed', () => multipart.closed && more.closed && other.closed && empty.closed);
    // A subscriber that keeps to the protocol is not.
    const fine = await rawSubscriber(hub.subPort, 1, 'f', 3);
    fine.socket.write(command('CANCEL', Buffer.from('f0,')));
    const publisher = rawPublisher(hub.pubPort);
    await until('it still hears its own', async () => {
      await publisher.send([Buffer.from('f1,x'), Buffer.from('{}')]);
      return fine.text.includes('f1,x');
    });
    expect(fine.closed).toBe(false);
  });
});
