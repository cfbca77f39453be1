// Refusing a message from its topic and size alone (TransportOptions.admit), on both fabrics: the transport reads the
// topic (a WebSocket frame's, cut out of its bytes; a ZeroMQ topic part) and never the Message of what its owner
// refuses. The refused frames here carry a Message that is not even JSON: decoded whole, they would be invalid.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  encodeFrame, encodeMultipart, encodeTopic, envelope, skimFrame, type Topic,
} from '../shared/protocol/index.ts';
import { startZmqHub, type ZmqHub } from '../services/datahub/zmq-hub.ts';
import { silentLogger } from '../services/lib/log.ts';
import { until } from '../services/testing/wait.ts';
import type { Inbound, InvalidInbound, RefusedInbound, Transport, TransportOptions } from './transport.ts';
import { wsTransport } from './ws-transport.ts';
import { loadZeromq, zmqTransport } from './zmq-transport.ts';

const LIMIT = 1024;
const GARBAGE = `{${'not json, '.repeat(200_000)}`; // 2 MB, not JSON
const call = (id: string): Topic & { Type: 'Call' } => ({ Type: 'Call', Target: 'S', RespondTo: 'A', Method: 'M', ID: id });
/** The owner's rule: nothing over LIMIT bytes, and everything it was asked about. */
function recorder() {
  const asked: Array<{ topic: Topic; bytes: number }> = [];
  const messages: Inbound[] = [];
  const invalid: InvalidInbound[] = [];
  const refused: RefusedInbound[] = [];
  const options: Pick<TransportOptions, 'admit'> = {
    admit: (topic, bytes) => {
      asked.push({ topic, bytes });
      return bytes <= LIMIT;
    },
  };
  const events = {
    onOpen: () => {},
    onMessage: (m: Inbound) => void messages.push(m),
    onInvalid: (p: InvalidInbound) => void invalid.push(p),
    onRefused: (r: RefusedInbound) => void refused.push(r),
    onClose: () => {},
  };
  return { asked, messages, invalid, refused, options, events };
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('skimFrame', () => {
  it('reads the topic of a frame laid out as the hub forwards it, escapes and all, and nothing else', () => {
    const tricky: Topic = { Type: 'Set', Target: 'S', Name: 'a"},"Message":{"x":1}\\é\u0001😀' };
    const bytes = Buffer.from(`{"Topic":${encodeTopic(tricky)},"Message":${GARBAGE}}`);
    expect(skimFrame(bytes)).toEqual({ topic: { ok: true, value: tricky }, topicText: encodeTopic(tricky) });
    // Another layout, or a cut that falls inside the topic (a nested object), is not skimmed: such a frame is decoded whole.
    expect(skimFrame(Buffer.from(`{"Message":{"Value":1},"Topic":${encodeTopic(tricky)}}`))).toBeNull();
    expect(skimFrame(Buffer.from('{"Topic": {"Type":"Set","Target":"S","Name":"N"},"Message":{"Value":1}}'))).toBeNull();
    expect(skimFrame(Buffer.from('{"Topic":{"Type":"Set","X":{"Y":1},"Message":2,"Target":"S","Name":"N"},"Message":{"Value":1}}'))).toBeNull();
    // The frame's Attachment, not one inside the Message.
    const announced = Buffer.from(encodeFrame(envelope<'Set'>({ Type: 'Set', Target: 'S', Name: 'N' }, { Value: { Attachment: 5 } }), 12));
    expect(skimFrame(announced)?.attachment).toBe(12);
    expect(skimFrame(Buffer.from(encodeFrame(envelope<'Set'>({ Type: 'Set', Target: 'S', Name: 'N' }, { Value: { Attachment: 5 } }))))?.attachment).toBeUndefined();
    // An invalid topic is reported as such.
    expect(skimFrame(Buffer.from(`{"Topic":{"Type":"Set","Target":"S"},"Message":${GARBAGE}}`))?.topic).toMatchObject({ ok: false, error: { code: 'MISSING_FIELD' } });
  });
});

describe('admit on the WebSocket fabric', () => {
  /** A bare server in the hub's place: it sends the client exactly the frames a test gives it. */
  async function connect() {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const client = once(server, 'connection') as Promise<[WebSocket]>;
    const port = (server.address() as { port: number }).port;
    const r = recorder();
    let opened = false;
    const transport: Transport = wsTransport({ url: `ws://127.0.0.1:${port}`, ...r.options }, { ...r.events, onOpen: () => void (opened = true) });
    const [socket] = await client;
    await until('open', () => opened);
    closers.push(() => new Promise<void>((resolve) => {
      transport.close();
      server.close(() => resolve());
      for (const c of server.clients) c.terminate();
    }));
    return { socket, ...r };
  }
  const small = (id: string) => encodeFrame(envelope<'Call'>(call(id), { Params: {} }));

  it('refuses a frame over the limit from its topic: a Message that is not even JSON is never read', async () => {
    const { socket, refused, messages, invalid, asked } = await connect();
    const hostile = `{"Topic":${encodeTopic(call('big'))},"Message":${GARBAGE}}`;
    socket.send(hostile);
    socket.send(small('after'));
    await until('the small one', () => messages.length === 1);
    expect(refused).toEqual([{ topic: call('big'), bytes: Buffer.byteLength(hostile) }]);
    expect(invalid).toEqual([]);
    expect(messages[0]?.envelope.topic).toEqual(call('after'));
    expect(asked.map((a) => a.topic)).toEqual([call('big'), call('after')]);
  });

  it('decodes a frame in another layout whole, as before, and hands it on as a message', async () => {
    const { socket, refused, messages, asked } = await connect();
    socket.send(`{"Message":{"Params":{"Pad":"${'x'.repeat(2 * LIMIT)}"}},"Topic":${encodeTopic(call('reordered'))}}`);
    await until('decoded', () => messages.length === 1);
    expect(messages[0]?.envelope.topic).toEqual(call('reordered'));
    expect(refused).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('counts the announced Attachment and drops its binary frame unread with the refused message', async () => {
    const { socket, refused, messages, invalid } = await connect();
    const text = encodeFrame(envelope<'Call'>(call('attached'), { Params: {} }), 2 * LIMIT);
    socket.send(text);
    socket.send(Buffer.alloc(2 * LIMIT), { binary: true });
    socket.send(small('after'));
    await until('the small one', () => messages.length === 1);
    expect(refused).toEqual([{ topic: call('attached'), bytes: Buffer.byteLength(text) + 2 * LIMIT }]);
    expect(invalid).toEqual([]);
  });

  it('reports a frame whose topic is invalid as invalid, without reading its Message', async () => {
    const { socket, refused, invalid } = await connect();
    socket.send(`{"Topic":{"Type":"Call","Target":"S"},"Message":${GARBAGE}}`);
    await until('reported', () => invalid.length === 1);
    expect(invalid[0]?.error).toMatchObject({ code: 'MISSING_FIELD' });
    expect(refused).toEqual([]);
  });
});

describe('admit on the ZeroMQ fabric', () => {
  it('decodes the topic part alone and refuses a message over the limit without reading its Message part', async () => {
    const hub: ZmqHub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
    closers.push(() => hub.close());
    const r = recorder();
    const transport = zmqTransport({ url: hub.url, ...r.options }, r.events);
    closers.push(() => transport.close());
    transport.subscribe(['{"Type":"Call","Target":"S"']);
    const zmq = loadZeromq();
    const raw = new zmq.Publisher({ linger: 0 });
    raw.connect(`tcp://127.0.0.1:${hub.pubPort}`);
    closers.push(() => raw.close());
    await until('heard', async () => {
      await raw.send(encodeMultipart(envelope<'Call'>(call('probe'), { Params: {} })));
      return r.messages.length > 0;
    });
    const hostile = [Buffer.from(encodeTopic(call('big'))), Buffer.from(GARBAGE)];
    await raw.send(hostile);
    await raw.send([Buffer.from(encodeTopic(call('attached'))), Buffer.from('{"Params":{}}'), Buffer.alloc(2 * LIMIT)]);
    await raw.send(encodeMultipart(envelope<'Call'>(call('after'), { Params: {} })));
    await until('the small one', () => r.messages.some((m) => m.envelope.topic.Type === 'Call' && m.envelope.topic.ID === 'after'));
    expect(r.refused).toEqual([
      { topic: call('big'), bytes: hostile[0]!.length + hostile[1]!.length },
      { topic: call('attached'), bytes: Buffer.byteLength(encodeTopic(call('attached'))) + 13 + 2 * LIMIT },
    ]);
    expect(r.invalid).toEqual([]);
  });
});
