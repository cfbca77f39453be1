/**
 * A test's view of the hub, acting like a minimal panel: Get, Set, Reset and Call by name, with `[dot]` encoding,
 * and a record of every message addressed to it or broadcast. Every wait is bounded.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  BROADCAST, decodeFrame, decodeNamePath, decodeValueKeys, encodeFrame, encodeNamePath, encodeValueKeys, envelope,
  topicPrefix, type Envelope, type Failure, type MessageBodies,
} from '../../shared/protocol/index.ts';

export type CallOutcome = { Result: unknown } | { Failure: Failure };

export class Probe {
  readonly messages: Envelope[] = [];
  private waiters: Array<{ pred: (m: Envelope) => boolean; resolve: (m: Envelope) => void }> = [];

  private constructor(
    readonly name: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data, binary) => {
      if (binary) return;
      const frame = decodeFrame(data.toString());
      if (!frame.ok || frame.value.kind !== 'message') return;
      const message = frame.value.envelope;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  static async connect(hubUrl: string, options: { name?: string; token?: string; extra?: string[] } = {}): Promise<Probe> {
    const name = options.name ?? `TEST${randomUUID().slice(0, 8)}-AssetHubPanel`;
    const socket = new WebSocket(hubUrl, { headers: options.token ? { Authorization: `Bearer ${options.token}` } : undefined });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`hub answered ${res.statusCode}`)));
    });
    const probe = new Probe(name, socket);
    socket.send(JSON.stringify({
      Subscribe: [
        topicPrefix('Update', { Target: name }), topicPrefix('CallResult', { Target: name }), topicPrefix('Log', { Target: name }),
        topicPrefix('Self', { Target: name }), topicPrefix('Update', { Target: BROADCAST }), topicPrefix('Startup'),
        topicPrefix('Log', { Target: BROADCAST }), ...(options.extra ?? []),
      ],
    }));
    // The hub handles a peer's frames in order: once a Self from the hub comes back, the subscription is in place.
    await probe.roundTrip();
    return probe;
  }

  /** Waits until the hub has processed everything sent so far. */
  async roundTrip(): Promise<void> {
    const sent = this.messages.length;
    this.send(envelope<'Identify'>({ Type: 'Identify', Source: this.name }, {}));
    await this.next((m) => m.topic.Type === 'Self' && m.topic.Target === this.name, 5000, sent);
  }

  send(message: Envelope): void {
    this.socket.send(encodeFrame(message));
  }

  sendRaw(text: string): void {
    this.socket.send(text);
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
  async get(target: string, path: string[], timeoutMs = 5000): Promise<unknown> {
    const wireName = encodeNamePath(path);
    const from = this.messages.length;
    this.send(envelope<'Get'>({ Type: 'Get', Target: target, Name: wireName, RespondTo: this.name }, {}));
    const reply = await this.next((m) => m.topic.Type === 'Update' && m.topic.Target === this.name && m.topic.Source === target && m.topic.Name === wireName, timeoutMs, from);
    return decodeValueKeys(path, (reply.message as MessageBodies['Update']).Value);
  }

  /** Sends a Set and resolves with the next broadcast Update of that state from the target. */
  async set(target: string, path: string[], value: unknown, timeoutMs = 5000): Promise<unknown> {
    const from = this.messages.length;
    this.send(envelope<'Set'>({ Type: 'Set', Target: target, Name: encodeNamePath(path) }, { Value: encodeValueKeys(path, value) }));
    return this.stateUpdate(target, path[0] ?? 'State', timeoutMs, from);
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

  async call(target: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<CallOutcome> {
    const id = randomUUID();
    const from = this.messages.length;
    this.send(envelope<'Call'>({ Type: 'Call', Target: target, RespondTo: this.name, Method: method, ID: id }, { Params: params }));
    const reply = await this.next((m) => m.topic.Type === 'CallResult' && m.topic.ID === id, timeoutMs, from);
    return reply.message as CallOutcome;
  }

  /** Like call, but throws on a Failure. */
  async ok<T = unknown>(target: string, method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    const outcome = await this.call(target, method, params, timeoutMs);
    if ('Failure' in outcome) throw new Error(`${method} failed: ${outcome.Failure.Code}: ${outcome.Failure.Message}`);
    return outcome.Result as T;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
