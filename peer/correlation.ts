/**
 * Get → Update and Call → CallResult correlation, with a time limit on each:
 * - a Get is answered by the Update addressed to the asker with the same Source and Name; concurrent Gets of one value
 *   share one request (one frame out, one answer for all);
 * - a Call is answered by the CallResult with its ID, from the service it was sent to (ExecutedOn its Target) and for
 *   its Method: the Result, or the Failure's code and message as a HubError. A CallResult that names another service
 *   or method answers nothing (the Call waits on for its own answer);
 * - an answer that comes after its request was settled (answered, timed out, failed) answers nothing.
 * When the connection ends every pending request fails at once (DISCONNECTED): no answer can come on a dead link.
 */
import { randomUUID } from 'node:crypto';
import { encodeNamePath, envelope, type CallResultTopic, type Envelope, type MessageBodies } from '../shared/protocol/index.ts';
import { HubError } from './errors.ts';

interface Settle {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface CorrelationOptions {
  name: string;
  timeoutMs: number;
  /** Sends a message; false when it could not be sent. */
  send(message: Envelope): boolean;
  /** Turns a reply's wire Value into what the Get resolves to (e.g. `[dot]`-decoding). */
  decode(path: readonly string[], wireValue: unknown): unknown;
}

const pathText = (path: readonly string[]): string => path.join('.');

export class Correlation {
  private readonly gets = new Map<string, { promise: Promise<unknown>; settle: Settle; path: readonly string[] }>();
  private readonly calls = new Map<string, Settle & { target: string; method: string }>();

  constructor(private readonly options: CorrelationOptions) {}

  get pending(): number {
    return this.gets.size + this.calls.size;
  }

  get(target: string, path: readonly string[], timeoutMs = this.options.timeoutMs): Promise<unknown> {
    const wireName = encodeNamePath(path);
    const key = `${target}\n${wireName}`;
    const inFlight = this.gets.get(key);
    if (inFlight) return inFlight.promise;
    let settle!: Settle;
    const promise = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.gets.delete(key);
        reject(new HubError('TIMEOUT', `${target} did not answer Get ${pathText(path)} within ${timeoutMs} ms`));
      }, timeoutMs);
      settle = { resolve, reject, timer };
    });
    this.gets.set(key, { promise, settle, path });
    const sent = this.options.send(envelope<'Get'>({ Type: 'Get', Target: target, Name: wireName, RespondTo: this.options.name }, {}));
    if (!sent) {
      clearTimeout(settle.timer);
      this.gets.delete(key);
      settle.reject(new HubError('NOT_CONNECTED', `not connected to a hub: cannot read ${target} ${pathText(path)}`));
    }
    return promise;
  }

  call(target: string, method: string, params: Record<string, unknown>, timeoutMs = this.options.timeoutMs): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new HubError('TIMEOUT', `${target} did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.calls.set(id, { resolve, reject, timer, target, method });
      const sent = this.options.send(envelope<'Call'>({ Type: 'Call', Target: target, RespondTo: this.options.name, Method: method, ID: id }, { Params: params }));
      if (!sent) {
        clearTimeout(timer);
        this.calls.delete(id);
        reject(new HubError('NOT_CONNECTED', `not connected to a hub: cannot call ${target}.${method}`));
      }
    });
  }

  /** An Update addressed to this peer: settles the Get in flight for its Source and Name, if any. */
  onReply(source: string, wireName: string, wireValue: unknown): void {
    const key = `${source}\n${wireName}`;
    const pending = this.gets.get(key);
    if (!pending) return;
    this.gets.delete(key);
    clearTimeout(pending.settle.timer);
    pending.settle.resolve(this.options.decode(pending.path, wireValue));
  }

  /** A CallResult addressed to this peer; true when it answered a Call of this peer. */
  onCallResult(topic: Pick<CallResultTopic, 'ExecutedOn' | 'Method' | 'ID'>, body: MessageBodies['CallResult']): boolean {
    const pending = this.calls.get(topic.ID);
    if (!pending || pending.target !== topic.ExecutedOn || pending.method !== topic.Method) return false;
    this.calls.delete(topic.ID);
    clearTimeout(pending.timer);
    if ('Failure' in body) pending.reject(new HubError(body.Failure.Code, body.Failure.Message, body.Failure.Errors, true));
    else pending.resolve(body.Result);
    return true;
  }

  failAll(code: string, message: string): void {
    const all = [...[...this.gets.values()].map((g) => g.settle), ...this.calls.values()];
    this.gets.clear();
    this.calls.clear();
    for (const s of all) {
      clearTimeout(s.timer);
      s.reject(new HubError(code, message));
    }
  }
}
