// The ZeroMQ hub bounds what one subscriber holds (subscription-guard.ts): a raw ZMTP peer (no libzmq of its own, so
// nothing of its side limits it) that subscribes past MAX_PREFIXES_PER_PEER gets the first ones only, in either
// ZMTP 3.0 form (subscription messages) or 3.1 (SUBSCRIBE commands); the refusal is said in a Log; other subscribers
// keep theirs; and a connection that does not speak ZMTP 3 with the NULL mechanism is closed.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMultipart } from '../../shared/protocol/index.ts';
import { loadZeromq } from '../../peer/zmq-transport.ts';
import { silentLogger } from '../lib/log.ts';
import { until } from '../testing/wait.ts';
import { MAX_PREFIXES_PER_PEER, MAX_PREFIX_CHARS } from './subscriptions.ts';
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
    it(`keeps at most ${MAX_PREFIXES_PER_PEER.toLocaleString('en-US')} prefixes for a raw ZMTP 3.${minor} subscriber, says so in a Log, and others keep theirs`, async () => {
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
      const last = MAX_PREFIXES_PER_PEER - 1;
      await publisher.send([Buffer.from(`z${last},within`), Buffer.from('{}')]);
      await publisher.send([Buffer.from(`z${over - 1},past`), Buffer.from('{}')]);
      await publisher.send([Buffer.from(`z${MAX_PREFIXES_PER_PEER},past`), Buffer.from('{}')]);
      await until('the other subscriber still hears its own', async () => {
        await publisher.send([Buffer.from('other,x'), Buffer.from('{}')]);
        await publisher.send([Buffer.from('z1,end'), Buffer.from('{}')]);
        return heard.includes('other,x') && raw.text.includes('z1,end');
      });
      expect(raw.text).toContain(`z${last},within`);
      expect(raw.text).not.toContain('past');
      expect(raw.closed).toBe(false);
      await until('the refusal is said in a Log', () => logs.some((l) => l.includes(`past the limit of ${MAX_PREFIXES_PER_PEER} per peer`)));
    });
  }

  it('refuses a prefix over the longest allowed, and closes what is not a ZMTP 3 subscriber', async () => {
    hub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
    const long = await rawPeer(hub.subPort);
    const tooLong = 'L'.repeat(MAX_PREFIX_CHARS + 1);
    long.socket.write(Buffer.concat([greeting(1), command('READY', Buffer.from('\x0bSocket-Type\0\0\0\x03SUB', 'latin1'))]));
    await until('the hub is ready', () => long.text.includes('READY'));
    long.socket.write(Buffer.concat([command('SUBSCRIBE', Buffer.from(tooLong)), command('SUBSCRIBE', Buffer.from('S'))]));
    const publisher = rawPublisher(hub.pubPort);
    await until('the short prefix is held', async () => {
      await publisher.send([Buffer.from('Sready'), Buffer.from('{}')]);
      return long.text.includes('Sready');
    });
    await publisher.send([Buffer.from(`${tooLong}past`), Buffer.from('{}')]);
    await publisher.send([Buffer.from('Send'), Buffer.from('{}')]);
    await until('the message after it', () => long.text.includes('Send'));
    expect(long.text).not.toContain('past');

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
});
