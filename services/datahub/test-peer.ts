/**
 * A Node peer of the Data Hub for tests and benchmarks: connects (with an optional token), subscribes with
 * confirmation, sends messages and raw frames, and awaits received messages with a bound on every wait.
 *
 * Confirmation trick: the protocol has no acknowledgement for Subscribe, but the hub handles the frames of one
 * connection in order. So `subscribe` sends `{"Subscribe":[…prefixes, <Updates from DataHub to me>]}` and then a
 * `Get` to `DataHub` with `RespondTo` = this peer's name and a unique Name `PeerSync.<n>`; the hub answers it (Value
 * null: not a name it has) through normal routing, and by the time the answer arrives the subscriptions were in force
 * before any later frame from this peer. `sync()` is the same round trip alone: once it resolves, the hub has handled
 * everything this peer sent before it. Sync answers are consumed here and never appear in `messages`.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import { decodeFrame, encodeFrame, encodeSubscribe, encodeUnsubscribe } from '../../shared/protocol/frame.ts';
import { envelope, type Envelope } from '../../shared/protocol/message.ts';
import { topicPrefix } from '../../shared/protocol/topic.ts';
import { HUB_NAME } from './config.ts';
import type { HubStats } from './stats.ts';

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
const SYNC_NAME = 'PeerSync.';
const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

export class TestPeer {
  /** Every message received, in order (sync answers excepted). */
  readonly messages: Received[] = [];
  /** Frames that were not a valid message, as text (binary ones as `<binary n bytes>`). */
  readonly invalid: string[] = [];
  /** Settles when the connection closes, with the close code (1006 when it was cut). */
  readonly closed: Promise<CloseInfo>;

  /** The last socket error, for diagnosis; the close that follows it is what settles `closed`. */
  lastError: Error | undefined;
  private closeInfo: CloseInfo | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly consumed = new WeakSet<Received>();
  private readonly syncs = new Map<string, () => void>();
  private readonly listeners = new Set<(m: Received) => void>();
  private awaitingAttachment: Received | undefined;
  private syncSeq = 0;

  constructor(
    readonly ws: WebSocket,
    readonly name: string,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        for (const w of this.waiters) this.settle(w, undefined, new Error(`peer ${name} closed (${code}) while waiting`));
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (data, isBinary) => this.onFrame(toBuffer(data), isBinary));
    // ws follows every error with a close, which is what callers await; without a listener an error would crash.
    ws.on('error', (e) => {
      this.lastError = e;
    });
  }

  /** The prefix that carries this peer's sync answers (every Update from the hub addressed to it). */
  get hubAnswersPrefix(): string {
    return topicPrefix('Update', { Target: this.name, Source: HUB_NAME });
  }

  /** Subscribes and resolves once the hub has applied it (see the file comment). */
  async subscribe(prefixes: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    this.ws.send(encodeSubscribe([...prefixes, this.hubAnswersPrefix]));
    await this.roundTrip(timeoutMs);
  }

  async unsubscribe(prefixes: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    this.ws.send(encodeUnsubscribe(prefixes));
    await this.sync(timeoutMs);
  }

  /** Resolves once the hub has handled every frame this peer sent before. */
  async sync(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    this.ws.send(encodeSubscribe([this.hubAnswersPrefix]));
    await this.roundTrip(timeoutMs);
  }

  /** Asks the hub for its Stats with a Get, as any service would. */
  async getStats(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HubStats> {
    // Subscribe and Get in one go: the hub applies the Subscribe before it answers the Get.
    this.ws.send(encodeSubscribe([this.hubAnswersPrefix]));
    this.send(envelope<'Get'>({ Type: 'Get', Target: HUB_NAME, Name: 'Stats', RespondTo: this.name }, {}));
    const isAnswer = (m: Received): boolean =>
      m.topic.Type === 'Update' && m.topic.Source === HUB_NAME && m.topic.Target === this.name && m.topic.Name === 'Stats';
    const answer = await this.next(isAnswer, timeoutMs);
    return (answer.message as { Value: HubStats }).Value;
  }

  send(message: Envelope, attachment?: Uint8Array): void {
    this.ws.send(encodeFrame(message, attachment?.length));
    if (attachment !== undefined) this.ws.send(attachment, { binary: true });
  }

  /** A text frame for a string, a binary frame for a Buffer, exactly as given. */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
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
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.resume();
      this.ws.close(code);
      const timer = setTimeout(() => this.ws.terminate(), 1000);
      void this.closed.then(() => clearTimeout(timer));
    }
    return this.closed;
  }

  private async roundTrip(timeoutMs: number): Promise<void> {
    const name = `${SYNC_NAME}${++this.syncSeq}`;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.syncs.delete(name);
        reject(new Error(`peer ${this.name}: no sync answer from the hub within ${timeoutMs} ms`));
      }, timeoutMs);
      this.syncs.set(name, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.send(envelope<'Get'>({ Type: 'Get', Target: HUB_NAME, Name: name, RespondTo: this.name }, {}));
    await done;
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const owner = this.awaitingAttachment;
      this.awaitingAttachment = undefined;
      if (owner === undefined) this.invalid.push(`<binary ${data.length} bytes>`);
      else this.receive({ ...owner, attachment: data });
      return;
    }
    if (this.awaitingAttachment !== undefined) {
      this.invalid.push(this.awaitingAttachment.raw);
      this.awaitingAttachment = undefined;
    }
    const text = data.toString('utf8');
    const frame = decodeFrame(text);
    if (!frame.ok || frame.value.kind !== 'message') {
      this.invalid.push(text);
      return;
    }
    const received = { ...frame.value.envelope, raw: text } as Received;
    if (frame.value.attachment !== undefined) this.awaitingAttachment = received;
    else this.receive(received);
  }

  private receive(m: Received): void {
    if (m.topic.Type === 'Update' && m.topic.Source === HUB_NAME && m.topic.Target === this.name) {
      const sync = this.syncs.get(m.topic.Name);
      if (sync !== undefined) {
        this.syncs.delete(m.topic.Name);
        return sync();
      }
    }
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
export function connectPeer(url: string, options: PeerOptions = {}): Promise<TestPeer> {
  const name = options.name ?? `TestPeer-${randomUUID().slice(0, 8)}`;
  const headers: Record<string, string> = options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` };
  const ws = new WebSocket(url, { headers, perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
  const peer = new TestPeer(ws, name);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`could not connect to ${url} within ${options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS} ms`));
    }, options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(peer);
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      res.resume();
      ws.terminate();
      reject(new PeerRefusedError(res.statusCode ?? 0));
    });
    ws.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
