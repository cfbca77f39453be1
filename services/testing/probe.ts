/**
 * A test's view of the hub, acting like a minimal panel on the hub peer (either fabric): Get, Set, Reset and Call by
 * name, with `[dot]` encoding, and a record of every message addressed to it or broadcast. Every wait is bounded.
 */
import { randomUUID } from 'node:crypto';
import {
  BROADCAST, decodeNamePath, decodeValueKeys, encodeNamePath, encodeValueKeys, envelope, topicPrefix,
  type Envelope, type Failure, type MessageBodies,
} from '../../shared/protocol/index.ts';
import { HubError, HubPeer } from '../../peer/index.ts';

export type CallOutcome = { Result: unknown } | { Failure: Failure };

export class Probe {
  readonly messages: Envelope[] = [];
  private waiters: Array<{ pred: (m: Envelope) => boolean; resolve: (m: Envelope) => void }> = [];

  private constructor(readonly peer: HubPeer) {}

  get name(): string {
    return this.peer.name;
  }

  static async connect(hubUrl: string, options: { name?: string; token?: string; extra?: string[] } = {}): Promise<Probe> {
    const name = options.name ?? `TEST${randomUUID().slice(0, 8)}-AssetHubPanel`;
    let probe: Probe | null = null;
    const peer = new HubPeer(
      {
        name,
        requestTimeoutMs: 10_000,
        subscriptions: [
          topicPrefix('Update', { Target: name }), topicPrefix('CallResult', { Target: name }), topicPrefix('Log', { Target: name }),
          topicPrefix('Self', { Target: name }), topicPrefix('Update', { Target: BROADCAST }), topicPrefix('Startup'),
          topicPrefix('Log', { Target: BROADCAST }), ...(options.extra ?? []),
        ],
      },
      { onMessage: (message) => probe?.receive(message) },
    );
    probe = new Probe(peer);
    peer.connect(hubUrl, options.token);
    try {
      await peer.whenUp(15_000);
    } catch (error) {
      peer.close();
      throw error;
    }
    return probe;
  }

  private receive(message: Envelope): void {
    this.messages.push(message);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(message)) return true;
      w.resolve(message);
      return false;
    });
  }

  /** Waits until the hub has routed everything sent so far. */
  roundTrip(): Promise<void> {
    return this.peer.sync();
  }

  send(message: Envelope): void {
    if (!this.peer.send(message)) throw new Error(`${this.name} is not connected: cannot send`);
  }

  /** Bytes past the codec: a WebSocket text frame, or a ZeroMQ multipart message. */
  sendRaw(data: string | readonly Uint8Array[]): void {
    if (!this.peer.sendRaw(data)) throw new Error(`${this.name} is not connected: cannot send`);
  }

  /** The next message matching `pred` received after index `from` (default: from now on). */
  next(pred: (m: Envelope) => boolean, timeoutMs = 5000, from = this.messages.length): Promise<Envelope> {
    const already = this.messages.slice(from).find(pred);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve: (m: Envelope) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Value of a Get, with marked-map keys decoded; `path` is decoded segments. */
  get(target: string, path: string[], timeoutMs = 5000): Promise<unknown> {
    return this.peer.get(target, path, timeoutMs);
  }

  /** Sends a Set and resolves with the next broadcast Update of that state from the target. */
  async set(target: string, path: string[], value: unknown, timeoutMs = 5000): Promise<unknown> {
    const from = this.messages.length;
    this.send(envelope<'Set'>({ Type: 'Set', Target: target, Name: encodeNamePath(path) }, { Value: encodeValueKeys(path, value) }));
    return this.stateUpdate(target, path[0] ?? 'State', timeoutMs, from);
  }

  /**
   * A Set and its outcome: the state after it, and the service's refusal Log or null. The Update `set` waits for may be
   * a throttled broadcast of earlier work that crossed the Set; a Get sent after it is answered after the Set was
   * handled (one service, in order), so the refusal, if any, has arrived by then.
   */
  async setOutcome(target: string, path: string[], value: unknown, timeoutMs = 5000): Promise<{ state: unknown; refused: string | null }> {
    const from = this.messages.length;
    await this.set(target, path, value, timeoutMs);
    const state = await this.get(target, path.slice(0, 1), timeoutMs);
    const log = this.messages.slice(from).find((m) => m.topic.Type === 'Log' && m.topic.Source === target
      && String((m.message as { Message?: unknown }).Message).startsWith(`Set ${path.join('.')} refused`));
    return { state, refused: log ? String((log.message as { Message: string }).Message) : null };
  }

  async reset(target: string, timeoutMs = 5000): Promise<unknown> {
    const from = this.messages.length;
    this.send(envelope<'Reset'>({ Type: 'Reset', Target: target }, {}));
    return this.stateUpdate(target, 'State', timeoutMs, from);
  }

  /** The next BROADCAST Update of a whole state from `source`, decoded. */
  async stateUpdate(source: string, state: string, timeoutMs = 5000, from = this.messages.length): Promise<unknown> {
    const m = await this.next((x) => x.topic.Type === 'Update' && x.topic.Target === BROADCAST && x.topic.Source === source && x.topic.Name === state, timeoutMs, from);
    return decodeValueKeys(decodeNamePath(state), (m.message as MessageBodies['Update']).Value);
  }

  /** A Call's outcome: its Result or its Failure; rejects only when no answer comes. */
  async call(target: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<CallOutcome> {
    try {
      return { Result: await this.peer.call(target, method, params, timeoutMs) };
    } catch (error) {
      if (!(error instanceof HubError) || !error.fromService) throw error;
      return { Failure: { Code: error.code, Message: error.message, ...(error.details ? { Errors: [...error.details] } : {}) } };
    }
  }

  /** Like call, but throws on a Failure. */
  async ok<T = unknown>(target: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    const outcome = await this.call(target, method, params, timeoutMs);
    if ('Failure' in outcome) throw new Error(`${method} failed: ${outcome.Failure.Code}: ${outcome.Failure.Message}`);
    return outcome.Result as T;
  }

  async close(): Promise<void> {
    this.peer.close();
  }
}
