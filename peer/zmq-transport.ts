/**
 * The ZeroMQ fabric (docs/PROTOCOL.md §3.2): a PUB socket connected to the hub's publish port and a SUB
 * socket connected to its subscribe port, as Pixotope's own example does; multipart `[topic, message(, attachment)]`
 * in compact JSON, the topic in canonical key order (so SUB prefix filters work), any key order accepted on receipt.
 *
 * ZeroMQ says nothing when the hub is not there or dies: a connect "succeeds" at once and sends go nowhere. This
 * transport reports what the sockets see (a dropped TCP connection closes the transport at once); whether the hub
 * really routes is established above, by the peer's own round trip through it (peer/hub-peer.ts).
 *
 * zeromq.js allows one send in flight per socket, so sends go through a queue drained by one loop; the queue is
 * bounded (a hub that stopped reading must not grow this process without end) and a send that does not fit fails.
 */
import { createRequire } from 'node:module';
import type * as Zmq from 'zeromq';
import {
  decodeMultipart, decodeTopicPart, encodeMultipart, parseHubAddress, type Envelope,
} from '../shared/protocol/index.ts';
import { cut, DEFAULT_MAX_MESSAGE_BYTES, failedTransport, type TransportFactory } from './transport.ts';

/** Messages queued on the peer's SUB socket before libzmq drops (both ends of a hub link hold this many). */
export const RECEIVE_HIGH_WATER_MARK = 100_000;
export const SEND_HIGH_WATER_MARK = 100_000;
/** What a socket that only reads subscriptions (a PUB, the hub's XPUB) accepts in one message. */
export const SUBSCRIPTION_MAX_BYTES = 64 * 1024;
/** Sends waiting for the socket in this process; past either bound a send fails instead of queueing. */
const SEND_QUEUE_MAX_MESSAGES = 50_000;
const SEND_QUEUE_MAX_BYTES = 256 * 1024 * 1024;

let zmqModule: typeof Zmq | null = null;
/** zeromq's addon is loaded on first use: a machine where it cannot load still has the WebSocket fabric. */
export function loadZeromq(): typeof Zmq {
  return (zmqModule ??= createRequire(import.meta.url)('zeromq') as typeof Zmq);
}

/**
 * Calls `onEvent` for each of a socket's monitor events until the socket closes. zeromq.js's `events.on()` mode
 * leaves the rejection of its last read unhandled when the socket closes (which ends the process); its async
 * iterator does not, so it is read that way.
 */
export function watchEvents(socket: Zmq.Socket, onEvent: (event: Zmq.Event) => void): void {
  void (async () => {
    try {
      for await (const event of socket.events) onEvent(event);
    } catch {
      // The socket closed under the read.
    }
  })();
}

const decoder = new TextDecoder();
const bodyText = (part: Uint8Array | undefined): string => (part === undefined ? '' : decoder.decode(part));
const partsBytes = (parts: readonly Uint8Array[]): number => parts.reduce((n, p) => n + p.length, 0);

export const zmqTransport: TransportFactory = (options, events) => {
  const address = parseHubAddress(options.url);
  if (!address.ok || address.value.fabric !== 'zmq') {
    return failedTransport(address.ok ? `${options.url} is not a zmq:// address` : address.error, events);
  }
  let zmq: typeof Zmq;
  try {
    zmq = loadZeromq();
  } catch (error) {
    return failedTransport(`ZeroMQ cannot be loaded on this machine: ${error instanceof Error ? error.message : String(error)}`, events);
  }
  const { host, subPort, pubPort } = address.value;
  const ipv6 = host.startsWith('[');
  const common = {
    linger: 0,
    ipv6,
    reconnectInterval: 100,
    reconnectMaxInterval: 1000,
    // ZMTP heartbeats: libzmq drops a link whose far end stopped answering (a machine gone without a TCP reset).
    heartbeatInterval: 1000,
    heartbeatTimeout: 3000,
  };
  // A PUB socket reads only subscriptions from the hub: nothing it receives is large.
  const pub = new zmq.Publisher({ ...common, sendHighWaterMark: SEND_HIGH_WATER_MARK, maxMessageSize: SUBSCRIPTION_MAX_BYTES });
  const sub = new zmq.Subscriber({
    ...common,
    receiveHighWaterMark: RECEIVE_HIGH_WATER_MARK,
    maxMessageSize: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  });
  const where = `${host} (subscribe ${subPort}, publish ${pubPort})`;

  let done = false;
  const end = (reason: string, fatal: boolean) => {
    if (done) return;
    done = true;
    shutdown();
    events.onClose(reason, fatal);
  };
  function shutdown(): void {
    queue.length = 0;
    queuedBytes = 0;
    for (const socket of [pub, sub]) socket.close();
  }

  // A link that was up and went down: the hub stopped or restarted. libzmq would reconnect by itself, but what was
  // published meanwhile is gone; the peer reconnects (new sockets) and re-reads, the same as on the WebSocket fabric.
  const connected = new Set<'pub' | 'sub'>();
  const watch = (socket: Zmq.Socket, which: 'pub' | 'sub') =>
    watchEvents(socket, (event) => {
      if (event.type === 'connect') connected.add(which);
      else if (event.type === 'disconnect' && connected.has(which)) end(`the Data Hub at ${where} dropped the connection`, false);
      else if (event.type === 'handshake:error:protocol') end(`the Data Hub at ${where} broke the ZeroMQ protocol: ${event.error.message}`, false);
    });
  watch(pub, 'pub');
  watch(sub, 'sub');

  try {
    sub.connect(`tcp://${host}:${subPort}`);
    pub.connect(`tcp://${host}:${pubPort}`);
  } catch (error) {
    done = true;
    shutdown();
    return failedTransport(`cannot connect to ${where}: ${error instanceof Error ? error.message : String(error)}`, events);
  }

  const admit = options.admit?.bind(options);
  const rawOf = (parts: readonly Uint8Array[]): string => cut(parts.map((p) => cut(bodyText(p.subarray(0, 512)), 120)).join(' | '));
  void (async () => {
    try {
      for await (const parts of sub) {
        if (done) return;
        const bytes = partsBytes(parts);
        if (admit !== undefined && (parts.length === 2 || parts.length === 3)) {
          // The topic part alone: a refused message's Message part is never read, not even as text.
          const topic = decodeTopicPart(parts[0] as Uint8Array);
          if (!topic.ok) {
            events.onInvalid({ error: topic.error, raw: rawOf(parts), bytes });
            continue;
          }
          if (!admit(topic.value, bytes)) {
            events.onRefused({ topic: topic.value, bytes });
            continue;
          }
        }
        const decoded = decodeMultipart(parts);
        if (!decoded.ok) {
          events.onInvalid({ error: decoded.error, raw: rawOf(parts), bytes });
          continue;
        }
        const { envelope, attachment } = decoded.value;
        const messagePart = parts[1];
        events.onMessage({ envelope, bytes, body: () => bodyText(messagePart), ...(attachment ? { attachment } : {}) });
      }
    } catch (error) {
      // Closing the socket ends the loop with an error; anything else ends the connection.
      if (!done) end(`receiving from the Data Hub failed: ${error instanceof Error ? error.message : String(error)}`, false);
    }
  })();

  const queue: Uint8Array[][] = [];
  let queuedBytes = 0;
  let pumping = false;
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0 && !done) {
        const parts = queue.shift() as Uint8Array[];
        queuedBytes -= partsBytes(parts);
        await pub.send(parts);
      }
    } catch (error) {
      if (!done) end(`sending to the Data Hub failed: ${error instanceof Error ? error.message : String(error)}`, false);
    } finally {
      pumping = false;
    }
  }
  const enqueue = (parts: Uint8Array[]): boolean => {
    if (done) return false;
    const size = partsBytes(parts);
    if (queue.length >= SEND_QUEUE_MAX_MESSAGES || queuedBytes + size > SEND_QUEUE_MAX_BYTES) return false;
    queue.push(parts);
    queuedBytes += size;
    void pump();
    return true;
  };

  queueMicrotask(() => {
    if (!done) events.onOpen();
  });

  return {
    send(message: Envelope, attachment?: Uint8Array) {
      const parts = encodeMultipart(message, attachment);
      if (!enqueue(parts)) return null;
      const messagePart = parts[1];
      return { bytes: partsBytes(parts), body: () => bodyText(messagePart) };
    },
    // zeromq.js reads no prefixes as "everything": an empty list must stay a no-op.
    subscribe(prefixes) {
      if (!done && prefixes.length > 0) sub.subscribe(...prefixes);
    },
    unsubscribe(prefixes) {
      if (!done && prefixes.length > 0) sub.unsubscribe(...prefixes);
    },
    sendRaw(data) {
      if (typeof data === 'string') return enqueue([Buffer.from(data)]);
      if (data instanceof Uint8Array) return enqueue([data]);
      return enqueue([...data]);
    },
    close() {
      if (done) return;
      done = true;
      shutdown();
    },
  };
};
