/**
 * An in-process Transport with no socket, for tests and benchmarks that play the hub: frames go in and out as
 * WebSocket-style text (`{"Topic":…,"Message":…}`). It opens on its own (in a microtask) unless told not to, records
 * what the peer sends, and hands frames to the peer with deliver(). It routes the peer's own heartbeats back to it,
 * as a hub would, so the peer comes up; they are not recorded. Like the WebSocket transport, it asks an owner's `admit`
 * from the topic cut out of the frame (skimFrame) and reports what it refuses without decoding it; `decoded` counts
 * the frames it decoded whole.
 */
import { decodeFrame, encodeFrame, skimFrame } from '../../shared/protocol/index.ts';
import { messageBody } from '../ws-transport.ts';
import { isHeartbeat } from '../heartbeat.ts';
import { cut, type TransportEvents, type TransportFactory, type TransportOptions } from '../transport.ts';

export interface MemoryTransport {
  factory: TransportFactory;
  /** Frames the peer sent, in order (kept only with `keepSent`). */
  readonly sent: string[];
  /** Prefixes subscribed over all connections. */
  readonly subscriptions: string[];
  /** Connections made so far. */
  readonly connections: number;
  /** Opens the current connection (when not opened automatically). */
  open(): void;
  /** A frame from the hub. */
  deliver(text: string): void;
  /** Ends the current connection as if the hub went away (fatal: as if it refused the token). */
  drop(reason?: string, fatal?: boolean): void;
  /** Frames decoded whole (not refused from their topic) so far. */
  readonly decoded: number;
  /** Loses the peer's next `n` heartbeats instead of routing them back (a hub that dropped messages for it). */
  loseHeartbeats(n: number): void;
}

interface Connection { options: TransportOptions; events: TransportEvents; open: boolean; closed: boolean }

export function memoryTransport(options: { autoOpen?: boolean; keepSent?: boolean } = {}): MemoryTransport {
  const autoOpen = options.autoOpen ?? true;
  const keepSent = options.keepSent ?? true;
  let current: Connection | null = null;
  let lose = 0;

  const deliverTo = (conn: Connection, text: string) => {
    const admit = conn.options.admit;
    if (admit !== undefined) {
      const bytes = Buffer.from(text);
      const skim = skimFrame(bytes);
      if (skim !== null && skim.topic.ok && !admit.call(conn.options, skim.topic.value, bytes.length)) {
        return conn.events.onRefused({ topic: skim.topic.value, bytes: bytes.length });
      }
    }
    self.decoded++;
    const frame = decodeFrame(text);
    if (!frame.ok) return conn.events.onInvalid({ error: frame.error, raw: cut(text), bytes: text.length });
    if (frame.value.kind !== 'message') return;
    const { envelope } = frame.value;
    conn.events.onMessage({ envelope, bytes: Buffer.byteLength(text), body: () => messageBody(text, envelope) });
  };

  const self: MemoryTransport & { connections: number; decoded: number } = {
    sent: [],
    subscriptions: [],
    connections: 0,
    decoded: 0,
    factory: (options, events) => {
      const conn: Connection = { options, events, open: false, closed: false };
      current = conn;
      self.connections++;
      if (autoOpen) queueMicrotask(() => self.open());
      const live = () => conn.open && !conn.closed;
      return {
        send(message) {
          if (!live()) return null;
          const text = encodeFrame(message);
          if (message.topic.Type !== 'Update' || !isHeartbeat(message.topic)) {
            if (keepSent) self.sent.push(text);
          } else if (lose > 0) lose--;
          else queueMicrotask(() => live() && deliverTo(conn, text));
          return { bytes: Buffer.byteLength(text), body: () => messageBody(text, message) };
        },
        subscribe(prefixes) {
          if (live()) self.subscriptions.push(...prefixes);
        },
        unsubscribe() {},
        sendRaw(data) {
          if (!live() || typeof data !== 'string') return false;
          if (keepSent) self.sent.push(data);
          return true;
        },
        close() {
          conn.closed = true;
        },
      };
    },
    open() {
      const conn = current;
      if (!conn || conn.open || conn.closed) return;
      conn.open = true;
      conn.events.onOpen();
    },
    deliver(text) {
      const conn = current;
      if (conn?.open && !conn.closed) deliverTo(conn, text);
    },
    loseHeartbeats(n) {
      lose = n;
    },
    drop(reason = 'dropped by the test', fatal = false) {
      const conn = current;
      if (!conn || conn.closed) return;
      conn.closed = true;
      conn.events.onClose(reason, fatal);
    },
  };
  return self;
}
