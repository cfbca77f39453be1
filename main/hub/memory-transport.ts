/**
 * An in-process Transport with no socket: the test or benchmark plays the hub. It opens on its own (in a microtask)
 * unless told not to, records what the engine sends, and hands frames to the engine's receive path with deliver().
 */
import type { TransportEvents, TransportFactory } from './transport.ts';

export interface MemoryTransport {
  factory: TransportFactory;
  /** Frames the engine sent, in order (kept only with `keepSent`). */
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
}

export function memoryTransport(options: { autoOpen?: boolean; keepSent?: boolean } = {}): MemoryTransport {
  const autoOpen = options.autoOpen ?? true;
  const keepSent = options.keepSent ?? true;
  let current: { events: TransportEvents; open: boolean; closed: boolean } | null = null;
  const self: MemoryTransport & { connections: number } = {
    sent: [],
    subscriptions: [],
    connections: 0,
    factory: (_options, events) => {
      const conn = { events, open: false, closed: false };
      current = conn;
      self.connections++;
      if (autoOpen) queueMicrotask(() => self.open());
      return {
        send(text) {
          if (!conn.open || conn.closed) return false;
          if (keepSent) self.sent.push(text);
          return true;
        },
        subscribe(prefixes) {
          if (!conn.open || conn.closed) return null;
          self.subscriptions.push(...prefixes);
          return JSON.stringify({ Subscribe: prefixes });
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
      if (conn?.open && !conn.closed) conn.events.onMessage(text);
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
