/**
 * A reference service's connection to the Data Hub: subscriptions for what is addressed to it, answers to Identify,
 * Get, Set, Reset and Call, Startup on start, state broadcasts, and outgoing Calls to other services. Reconnects with
 * backoff; Names and marked-map keys are `[dot]`-decoded on the way in and encoded on the way out.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import WebSocket from 'ws';
import type { z } from 'zod';
import { formatIssues } from '../../shared/assethub/validate.ts';
import {
  BROADCAST, decodeFrame, decodeNamePath, decodeValueKeys, encodeFrame, encodeNamePath, encodeValueKeys, envelope,
  topicPrefix, type Envelope, type Failure, type MessageBodies,
} from '../../shared/protocol/index.ts';
import { ServiceFailure } from './failure.ts';
import type { Logger } from './log.ts';

export interface CallContext {
  /** The caller's service name (the Call's RespondTo). */
  caller: string;
}

export type CallHandler = (params: never, ctx: CallContext) => unknown;

export interface ServiceDefinition {
  name: string;
  version: string;
  /** The value at a decoded Name path, or undefined when the service has none. */
  get(path: string[]): unknown;
  /** Applies a Set; returns the names of the states that changed. Throws ServiceFailure when refused. */
  set?(path: string[], value: unknown): string[];
  /** Returns the State to defaults; returns the names of the states that changed. */
  reset?(path: string[] | null): string[];
  calls: Record<string, { params: z.ZodType; handler: CallHandler }>;
  /** More subscription prefixes, e.g. other services' broadcasts. */
  subscriptions?: string[];
  /** Every message that is not a request to this service (broadcasts, replies it did not ask for). */
  onMessage?(message: Envelope): void;
  /** Called after each (re)connection, once subscriptions are sent. */
  onConnected?(first: boolean): void;
}

export interface ServiceHostOptions {
  hubUrl: string;
  token?: string;
  logger: Logger;
  callTimeoutMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class ServiceHost {
  private socket: WebSocket | null = null;
  private closed = false;
  private started = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly pending = new Map<string, Pending>();
  /** Outgoing Gets by `<target>\n<wire name>`: one in flight per value, shared by every asker. */
  private readonly pendingGets = new Map<string, { promise: Promise<unknown>; settle: Pending }>();
  readonly startedAt = new Date().toISOString();

  constructor(
    private readonly service: ServiceDefinition,
    private readonly options: ServiceHostOptions,
  ) {}

  get name(): string {
    return this.service.name;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Connects and resolves once the first connection is open and subscribed. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      this.connect(() => {
        if (!settled) resolve();
        settled = true;
      }, (error) => {
        if (!settled) reject(error);
        settled = true;
      });
    });
  }

  private connect(onOpen?: () => void, onFirstError?: (e: Error) => void): void {
    const headers = this.options.token ? { Authorization: `Bearer ${this.options.token}` } : undefined;
    const socket = new WebSocket(this.options.hubUrl, { headers, maxPayload: 64 * 1024 * 1024 });
    this.socket = socket;
    socket.on('open', () => {
      this.attempt = 0;
      const name = this.service.name;
      socket.send(JSON.stringify({
        Subscribe: [
          topicPrefix('Get', { Target: name }),
          topicPrefix('Set', { Target: name }),
          topicPrefix('Reset', { Target: name }),
          topicPrefix('Call', { Target: name }),
          topicPrefix('CallResult', { Target: name }),
          topicPrefix('Update', { Target: name }),
          topicPrefix('Identify'),
          ...(this.service.subscriptions ?? []),
        ],
      }));
      const first = !this.started;
      this.started = true;
      // Startup tells every panel to re-read this service: once per process start, not per reconnect.
      if (first) this.send(envelope<'Startup'>({ Type: 'Startup', Target: BROADCAST, Source: name }, {}));
      this.service.onConnected?.(first);
      onOpen?.();
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(data.toString());
    });
    socket.on('error', (error) => {
      this.options.logger.warn({ err: error.message }, 'hub connection error');
      onFirstError?.(error);
    });
    socket.on('close', () => {
      this.socket = null;
      if (!this.closed) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const delay = Math.min(2000, 100 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Sends a message if connected; returns false when it could not be sent. */
  send(message: Envelope): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(encodeFrame(message));
    return true;
  }

  /** Broadcasts the whole of one of this service's states. */
  broadcastState(stateName: string): void {
    const value = this.service.get([stateName]) ?? null;
    this.send(envelope<'Update'>(
      { Type: 'Update', Target: BROADCAST, Source: this.service.name, Name: stateName },
      { Value: encodeValueKeys([stateName], value) },
    ));
  }

  log(level: 'Info' | 'Warning' | 'Error', message: string, target: string = BROADCAST): void {
    this.send(envelope<'Log'>({ Type: 'Log', Target: target, Source: this.service.name }, { Level: level, Message: message }));
  }

  /** Calls a method on another service; rejects with ServiceFailure on a Failure, or on timeout. */
  call(target: string, method: string, params: Record<string, unknown>, timeoutMs = this.options.callTimeoutMs ?? 5000): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ServiceFailure('TIMEOUT', `${target} did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const sent = this.send(envelope<'Call'>({ Type: 'Call', Target: target, RespondTo: this.service.name, Method: method, ID: id }, { Params: params }));
      if (!sent) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ServiceFailure('SERVER_UNAVAILABLE', `not connected to the hub: cannot call ${target}.${method}`));
      }
    });
  }

  /** Reads a value of another service (decoded); rejects on timeout. Concurrent Gets of one value share a request. */
  get(target: string, path: string[], timeoutMs = this.options.callTimeoutMs ?? 5000): Promise<unknown> {
    const wireName = encodeNamePath(path);
    const key = `${target}\n${wireName}`;
    const inFlight = this.pendingGets.get(key);
    if (inFlight) return inFlight.promise;
    let settle!: Pending;
    const promise = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingGets.delete(key);
        reject(new ServiceFailure('TIMEOUT', `${target} did not answer Get ${path.join('.')} within ${timeoutMs} ms`));
      }, timeoutMs);
      settle = { resolve, reject, timer };
    });
    this.pendingGets.set(key, { promise, settle });
    if (!this.send(envelope<'Get'>({ Type: 'Get', Target: target, Name: wireName, RespondTo: this.service.name }, {}))) {
      clearTimeout(settle.timer);
      this.pendingGets.delete(key);
      settle.reject(new ServiceFailure('SERVER_UNAVAILABLE', `not connected to the hub: cannot read ${target} ${path.join('.')}`));
    }
    return promise;
  }

  private receive(text: string): void {
    const frame = decodeFrame(text);
    if (!frame.ok) {
      this.options.logger.warn({ error: frame.error }, 'dropped an invalid frame from the hub');
      return;
    }
    if (frame.value.kind !== 'message') return;
    const message = frame.value.envelope;
    const name = this.service.name;
    try {
      switch (message.topic.Type) {
        case 'Identify':
          this.answerIdentify(message.topic.Source);
          return;
        case 'Get':
          if (message.topic.Target === name) return this.answerGet(message.topic.Name, message.topic.RespondTo);
          break;
        case 'Set':
          if (message.topic.Target === name) return this.applySet(message.topic.Name, (message.message as { Value: unknown }).Value);
          break;
        case 'Reset':
          if (message.topic.Target === name) return this.applyReset(message.topic.Name);
          break;
        case 'Call':
          if (message.topic.Target === name) {
            void this.answerCall(message as Envelope<'Call'>);
            return;
          }
          break;
        case 'Update': {
          const waiting = message.topic.Target === name ? this.pendingGets.get(`${message.topic.Source}\n${message.topic.Name}`) : undefined;
          if (waiting) {
            this.pendingGets.delete(`${message.topic.Source}\n${message.topic.Name}`);
            clearTimeout(waiting.settle.timer);
            waiting.settle.resolve(decodeValueKeys(decodeNamePath(message.topic.Name), (message.message as MessageBodies['Update']).Value));
            return;
          }
          break;
        }
        case 'CallResult': {
          const pending = this.pending.get(message.topic.ID);
          if (message.topic.Target === name && pending) {
            this.pending.delete(message.topic.ID);
            clearTimeout(pending.timer);
            const body = message.message as MessageBodies['CallResult'];
            if ('Failure' in body) pending.reject(new ServiceFailure(body.Failure.Code, body.Failure.Message));
            else pending.resolve(body.Result);
            return;
          }
          break;
        }
        default:
          break;
      }
      this.service.onMessage?.(message);
    } catch (error) {
      this.options.logger.error({ err: error instanceof Error ? error.stack : String(error), topic: message.topic }, 'failed to handle a message');
    }
  }

  private answerIdentify(asker: string): void {
    this.send(envelope<'Self'>(
      { Type: 'Self', Target: asker, Source: this.service.name },
      { Value: { Version: this.service.version, Machine: os.hostname(), StartedAt: this.startedAt } },
    ));
  }

  private answerGet(wireName: string, asker: string): void {
    const path = decodeNamePath(wireName);
    const value = this.service.get(path);
    if (value === undefined) this.log('Warning', `${this.service.name} has no value "${path.join('.')}"`, asker);
    this.send(envelope<'Update'>(
      { Type: 'Update', Target: asker, Source: this.service.name, Name: wireName },
      { Value: value === undefined ? null : encodeValueKeys(path, value) },
    ));
  }

  private applySet(wireName: string, wireValue: unknown): void {
    const path = decodeNamePath(wireName);
    if (!this.service.set) {
      this.log('Warning', `${this.service.name} does not accept Set`);
      return;
    }
    try {
      for (const state of this.service.set(path, decodeValueKeys(path, wireValue))) this.broadcastState(state);
    } catch (error) {
      // A Set has no reply: say why on the hub, and re-broadcast the unchanged state so every panel sees the truth.
      this.log('Warning', `Set ${path.join('.')} refused: ${error instanceof Error ? error.message : String(error)}`);
      if (path[0]) this.broadcastState(path[0]);
    }
  }

  private applyReset(wireName: string | undefined): void {
    if (!this.service.reset) return;
    for (const state of this.service.reset(wireName === undefined ? null : decodeNamePath(wireName))) this.broadcastState(state);
  }

  private async answerCall(message: Envelope<'Call'>): Promise<void> {
    const { topic } = message;
    const reply = (body: { Result: unknown } | { Failure: Failure }) =>
      this.send(envelope<'CallResult'>({ Type: 'CallResult', Target: topic.RespondTo, ExecutedOn: this.service.name, Method: topic.Method, ID: topic.ID }, body));
    const call = Object.prototype.hasOwnProperty.call(this.service.calls, topic.Method) ? this.service.calls[topic.Method] : undefined;
    if (!call) {
      reply({ Failure: { Code: 'UNKNOWN_METHOD', Message: `${this.service.name} has no method "${topic.Method}"` } });
      return;
    }
    const params = call.params.safeParse(message.message.Params);
    if (!params.success) {
      reply({ Failure: { Code: 'INVALID_PARAMS', Message: `${topic.Method}: ${formatIssues(params.error).join('; ')}` } });
      return;
    }
    try {
      const result = await call.handler(params.data as never, { caller: topic.RespondTo });
      reply({ Result: result ?? {} });
    } catch (error) {
      if (error instanceof ServiceFailure) {
        reply({ Failure: { Code: error.code, Message: error.message, ...(error.details ? { Errors: error.details } : {}) } });
      } else {
        this.options.logger.error({ err: error instanceof Error ? error.stack : String(error), method: topic.Method }, 'call failed');
        reply({ Failure: { Code: 'INTERNAL', Message: `${topic.Method} failed: ${error instanceof Error ? error.message : String(error)}` } });
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const [key, g] of this.pendingGets) {
      clearTimeout(g.settle.timer);
      g.settle.reject(new ServiceFailure('SERVER_UNAVAILABLE', 'service is stopping'));
      this.pendingGets.delete(key);
    }
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ServiceFailure('SERVER_UNAVAILABLE', 'service is stopping'));
      this.pending.delete(id);
    }
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000).unref();
    });
  }
}
