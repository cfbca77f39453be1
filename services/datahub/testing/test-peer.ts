/**
 * A peer of the WebSocket Data Hub for the hub's own tests and benchmarks, on the hub peer (peer/hub-peer.ts) with
 * its WebSocket under reach: it subscribes with confirmation, sends messages and raw frames, awaits received messages
 * with a bound on every wait (mailbox semantics), and reports how the hub closed its connection. It never reconnects
 * and sends no periodic heartbeats, so what a test counts on the hub is what it sent.
 *
 * Confirmation: the protocol has no acknowledgement for Subscribe, but the hub handles the frames of one connection in
 * order, so the peer's own round trip (`sync`, a heartbeat it routes back) after a Subscribe proves it is in force.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { type Envelope } from '../../../shared/protocol/index.ts';
import { HubPeer, type Inbound } from '../../../peer/index.ts';
import { socketOf } from '../../../peer/ws-transport.ts';
import { HUB_NAME } from '../config.ts';
import type { HubStats } from '../stats.ts';

export interface PeerOptions {
  token?: string;
  /** The name this peer goes by (RespondTo of its Gets); a unique `TestPeer-…` when not given. */
  name?: string;
  connectTimeoutMs?: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** A received message: its envelope, the text frame as it came, and its attachment when it announced one. */
export type Received = Envelope & { raw: string; attachment?: Buffer };

/** The hub refused the upgrade with an HTTP status (401 for a missing or wrong token). */
export class PeerRefusedError extends Error {
  constructor(readonly statusCode: number) {
    super(`the hub refused the connection with HTTP ${statusCode}`);
    this.name = 'PeerRefusedError';
  }
}

interface Waiter {
  predicate: (m: Received) => boolean;
  resolve: (m: Received) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 5000;

export class TestPeer {
  /** Every message received, in order. */
  readonly messages: Received[] = [];
  /** What came that was not a valid message (cut to 200 characters). */
  readonly invalid: string[] = [];
  /** Settles when the connection closes, with the close code (1006 when it was cut). */
  readonly closed: Promise<CloseInfo>;

  private closeInfo: CloseInfo | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly consumed = new WeakSet<Received>();
  private readonly listeners = new Set<(m: Received) => void>();

  constructor(
    readonly peer: HubPeer,
    readonly ws: WebSocket,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        for (const w of this.waiters) this.settle(w, undefined, new Error(`peer ${this.name} closed (${code}) while waiting`));
        resolve(this.closeInfo);
      });
    });
  }

  get name(): string {
    return this.peer.name;
  }

  /** Subscribes and resolves once the hub has applied it. */
  async subscribe(prefixes: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    this.peer.subscribe(prefixes);
    await this.peer.sync(timeoutMs);
  }

  async unsubscribe(prefixes: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    this.peer.unsubscribe(prefixes);
    await this.peer.sync(timeoutMs);
  }

  /** Resolves once the hub has handled every frame this peer sent before. */
  sync(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return this.peer.sync(timeoutMs);
  }

  /** Asks the hub for its Stats with a Get, as any service would. */
  async getStats(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HubStats> {
    return (await this.peer.get(HUB_NAME, ['Stats'], timeoutMs)) as HubStats;
  }

  send(message: Envelope, attachment?: Uint8Array): void {
    if (!this.peer.send(message, attachment)) throw new Error(`peer ${this.name} is not connected: cannot send`);
  }

  /** A text frame for a string, a binary frame for a Buffer, exactly as given. */
  sendRaw(data: string | Buffer): void {
    if (!this.peer.sendRaw(data)) throw new Error(`peer ${this.name} is not connected: cannot send`);
  }

  /**
   * The first received message matching `predicate` that no earlier `next` returned, waiting for it when needed
   * (mailbox semantics: a message that arrived before the call is not missed).
   */
  next(predicate: (m: Received) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Received> {
    for (const m of this.messages) {
      if (!this.consumed.has(m) && predicate(m)) {
        this.consumed.add(m);
        return Promise.resolve(m);
      }
    }
    if (this.closeInfo !== undefined) return Promise.reject(new Error(`peer ${this.name} is closed (${this.closeInfo.code})`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(
          () => this.settle(waiter, undefined, new Error(`peer ${this.name}: no matching message within ${timeoutMs} ms (${this.messages.length} received)`)),
          timeoutMs,
        ),
      };
      this.waiters.add(waiter);
    });
  }

  /** The close, or a rejection when the connection is still open after `timeoutMs`. */
  waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`peer ${this.name} still open after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.closed, limit]).finally(() => clearTimeout(timer));
  }

  /** Called with every message as it arrives (after it is added to `messages`); returns the unsubscribe function. */
  onMessage(listener: (m: Received) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops reading from the socket, so the hub's queue to this peer grows: a slow peer. */
  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /** Closes (resuming first, or the close handshake could not complete) and resolves with the close; cut after 1 s. */
  close(code = 1000): Promise<CloseInfo> {
    if (this.closeInfo === undefined) {
      this.ws.resume();
      if (code !== 1000) this.ws.close(code);
      this.peer.close();
    }
    return this.closed;
  }

  receive(inbound: Inbound): void {
    const m = { ...inbound.envelope, raw: inbound.raw ?? '', ...(inbound.attachment ? { attachment: Buffer.from(inbound.attachment) } : {}) } as Received;
    this.messages.push(m);
    for (const listener of this.listeners) listener(m);
    for (const w of this.waiters) {
      if (w.predicate(m)) {
        this.consumed.add(m);
        return this.settle(w, m);
      }
    }
  }

  private settle(w: Waiter, m: Received | undefined, error?: Error): void {
    if (!this.waiters.delete(w)) return;
    clearTimeout(w.timer);
    if (m !== undefined) w.resolve(m);
    else w.reject(error ?? new Error('no message'));
  }
}

/** Connects to the hub; rejects with PeerRefusedError when the hub answers the upgrade with an HTTP error. */
export async function connectPeer(url: string, options: PeerOptions = {}): Promise<TestPeer> {
  let testPeer: TestPeer | null = null;
  const early: Inbound[] = [];
  const invalid: string[] = [];
  const peer = new HubPeer(
    { name: options.name ?? `TestPeer-${randomUUID().slice(0, 8)}`, livenessMs: 0, reconnect: false, maxMessageBytes: 1024 * 1024 * 1024 },
    {
      onMessage: (_message, inbound) => (testPeer ? testPeer.receive(inbound) : early.push(inbound)),
      onInvalid: (problem) => (testPeer ? testPeer.invalid : invalid).push(problem.raw),
    },
  );
  peer.connect(url, options.token);
  const ws = socketOf(peer.currentTransport as NonNullable<typeof peer.currentTransport>);
  if (ws === null) throw new Error(`${url} is not a WebSocket hub`);
  try {
    await peer.whenUp(options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (error) {
    peer.close();
    const status = /\(HTTP (\d{3})\)|answered HTTP (\d{3})/.exec(peer.status.reason ?? '');
    if (status) throw new PeerRefusedError(Number(status[1] ?? status[2]));
    throw error;
  }
  testPeer = new TestPeer(peer, ws);
  testPeer.invalid.push(...invalid);
  for (const inbound of early) testPeer.receive(inbound);
  return testPeer;
}
