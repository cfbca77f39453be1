/**
 * A reference service on the hub, on either fabric: what is addressed to it (Get, Set, Reset, Call) is answered from
 * its definition, its states are broadcast when they change, and it calls other services. The connection itself
 * (subscriptions, reconnect, Identify/Self, Startup, Get and Call correlation) is the hub peer's (peer/hub-peer.ts).
 * Names and marked-map keys are `[dot]`-decoded on the way in and encoded on the way out. Every service answers
 * `GetCapabilities` with the methods and states of its definition; what it answers at all is its offer (./offer.ts:
 * everything, or only what Pixotope documents).
 */
import type { z } from 'zod';
import { CALLS, checkCallResult } from '../../shared/assethub/calls.ts';
import { CAPABILITIES_METHOD, capabilitiesOf } from '../../shared/assethub/capabilities.ts';
import { formatIssues, serviceKindOf } from '../../shared/assethub/validate.ts';
import {
  BROADCAST, decodeNamePath, decodeValueKeys, encodeNamePath, encodeValueKeys, envelope, topicPrefix, type Envelope, type Failure, type Topic,
} from '../../shared/protocol/index.ts';
import { HubError, HubPeer, type TransportFactory } from '../../peer/index.ts';
import { ServiceFailure } from './failure.ts';
import { HeldRequests } from './held-requests.ts';
import type { Logger } from './log.ts';
import { OfferPolicy, type OfferOptions } from './offer.ts';

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
  /** The names of the states it answers Get for (GetCapabilities lists them). */
  states: readonly string[];
  /**
   * Methods by name; `maxBytes` raises the request limit for a method whose Params are large by nature. The host adds
   * `GetCapabilities`.
   */
  calls: Record<string, ServiceCall>;
  /** More subscription prefixes, e.g. other services' broadcasts. */
  subscriptions?: string[];
  /**
   * Of the broadcast Updates the subscriptions bring, those the service reads; the others are dropped before their
   * Message is decoded (a show's clients broadcast AssetInfo states of thousands of changes the server never reads).
   */
  reads?(topic: Topic): boolean;
  /** Every message that is not a request to this service (broadcasts, replies it did not ask for). */
  onMessage?(message: Envelope): void;
  /** Called after each (re)connection, once subscriptions are in force. */
  onConnected?(first: boolean): void;
  /** Messages from the hub may have been lost (see peer/hub-peer.ts): read again what the service keeps of others. */
  onGap?(): void;
  /**
   * A promise while the service's store cannot be read (the server writing a large commit in slices): requests to it
   * (Get, Set, Reset, Call) and its state broadcasts wait, in arrival order, until none is returned, except Calls
   * marked `anytime` and Gets of `anytimeStates`.
   */
  busy?(): Promise<void> | undefined;
  /** States read without the store, answered even while `busy`. */
  anytimeStates?: readonly string[];
}

export interface ServiceCall {
  params: z.ZodType;
  handler: CallHandler;
  maxBytes?: number;
  /** Answered even while the service is `busy` (it reads nothing the busy store holds). */
  anytime?: boolean;
}

export interface ServiceHostOptions extends OfferOptions {
  hubUrl: string;
  token?: string;
  logger: Logger;
  callTimeoutMs?: number;
  /** How the hub is reached; default by the address (tests pass an in-process one). */
  transport?: TransportFactory;
  /** A request (Get, Set, Reset, Call) addressed to this service over this size is refused unhandled; default 1 MiB. */
  maxRequestBytes?: number;
}

/**
 * What one request may weigh. The hub takes messages of 16 MiB (broadcast states of a busy machine are that large),
 * but a Set of a few MB of state costs a service hundreds of milliseconds of validation with every other service of
 * its process waiting; no request the project makes needs more than this.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

export class ServiceHost {
  readonly peer: HubPeer;
  readonly startedAt = new Date().toISOString();
  /** What the service answers at all (options.offer). */
  readonly offer: OfferPolicy;
  /** The definition's methods and GetCapabilities. */
  private readonly calls: Record<string, ServiceCall>;
  /** Requests and broadcasts waiting for the service to be free (service.busy). */
  private readonly held: HeldRequests;

  constructor(
    private readonly service: ServiceDefinition,
    private readonly options: ServiceHostOptions,
  ) {
    const name = service.name;
    this.offer = new OfferPolicy(name, serviceKindOf(name), options);
    const capabilities = () => capabilitiesOf(Object.keys(this.calls), service.states);
    this.calls = { ...service.calls, [CAPABILITIES_METHOD]: { params: CALLS.server.GetCapabilities.params, handler: capabilities, anytime: true } };
    this.held = new HeldRequests({
      busy: () => service.busy?.(),
      dispatch: (message) => this.dispatch(message),
      broadcast: (state) => this.broadcastState(state),
      refuse: (message) => this.refuseHeld(message),
    });
    this.peer = new HubPeer(
      {
        name,
        logger: options.logger,
        requestTimeoutMs: options.callTimeoutMs ?? 5000,
        ...(options.transport ? { transport: options.transport } : {}),
        // A request over its limit is refused from its topic and size, before its Message is decoded.
        admit: (topic, bytes) => !this.overLimit(topic, bytes) && !this.unread(topic),
        self: { Version: service.version, StartedAt: this.startedAt },
        // Startup tells every panel to re-read this service: once per process start, not per reconnect.
        announceStartup: true,
        subscriptions: [
          topicPrefix('Get', { Target: name }),
          topicPrefix('Set', { Target: name }),
          topicPrefix('Reset', { Target: name }),
          topicPrefix('Call', { Target: name }),
          topicPrefix('CallResult', { Target: name }),
          topicPrefix('Update', { Target: name }),
          topicPrefix('Identify'),
          ...(service.subscriptions ?? []),
        ],
      },
      {
        onMessage: (message, inbound) => this.receive(message, inbound.bytes),
        onRefused: (topic, bytes) => this.refuse(topic, bytes),
        onUp: (first) => service.onConnected?.(first),
        onGap: () => service.onGap?.(),
      },
    );
  }

  get name(): string {
    return this.service.name;
  }

  get connected(): boolean {
    return this.peer.connected;
  }

  /** Connects and resolves once the first connection is up; rejects when that first attempt fails. */
  async start(): Promise<void> {
    this.peer.connect(this.options.hubUrl, this.options.token);
    await this.peer.whenUp().catch((error: unknown) => {
      this.peer.close();
      throw error;
    });
  }

  /** Sends a message if connected; returns false when it could not be sent. */
  send(message: Envelope): boolean {
    return this.peer.send(message);
  }

  /** Broadcasts the whole of one of this service's states (not one its offer leaves out). */
  broadcastState(stateName: string): void {
    if (!this.offer.offersState(stateName)) return;
    if (this.service.busy?.() && !this.service.anytimeStates?.includes(stateName)) return this.held.addState(stateName);
    const value = this.service.get([stateName]) ?? null;
    this.send(envelope<'Update'>(
      { Type: 'Update', Target: BROADCAST, Source: this.service.name, Name: stateName },
      { Value: encodeValueKeys([stateName], value) },
    ));
  }

  /**
   * Broadcasts the value at `path` (decoded names, the state's name first) as an Update named by dot notation: one
   * entry of a large state instead of all of it. Held like the whole state while the service is busy.
   */
  broadcastAt(path: readonly string[]): void {
    const stateName = path[0];
    if (stateName === undefined || !this.offer.offersState(stateName)) return;
    if (path.length === 1) return this.broadcastState(stateName);
    if (this.service.busy?.() && !this.service.anytimeStates?.includes(stateName)) return this.held.addState(stateName);
    this.send(envelope<'Update'>(
      { Type: 'Update', Target: BROADCAST, Source: this.service.name, Name: encodeNamePath(path) },
      { Value: encodeValueKeys(path, this.service.get([...path]) ?? null) },
    ));
  }

  log(level: 'Info' | 'Warning' | 'Error', message: string, target: string = BROADCAST): void {
    this.send(envelope<'Log'>({ Type: 'Log', Target: target, Source: this.service.name }, { Level: level, Message: message }));
  }

  /** Calls a method on another service; rejects with ServiceFailure on a Failure, a timeout or no connection. */
  call(target: string, method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<unknown> {
    return this.peer.call(target, method, params, timeoutMs).then((result) => {
      const checked = checkCallResult(serviceKindOf(target), method, result);
      if (checked.ok) return checked.value;
      this.options.logger.warn({ target, method, issues: checked.issues }, 'refused a Result that does not match its method');
      throw new ServiceFailure('INVALID_RESULT', `${target}.${method} answered a Result that does not match the method: ${checked.issues}`);
    }, asServiceFailure);
  }

  /** Reads a value of another service (decoded); rejects with ServiceFailure. Concurrent Gets of one value share a request. */
  get(target: string, path: string[], timeoutMs?: number): Promise<unknown> {
    return this.peer.get(target, path, timeoutMs).catch(asServiceFailure);
  }

  /** Whether a message is a request to this service (Get, Set, Reset, Call) over its limit. */
  /** A broadcast Update the service does not read (ServiceDefinition.reads). */
  private unread(topic: Topic): boolean {
    return topic.Type === 'Update' && topic.Target === BROADCAST && this.service.reads !== undefined && !this.service.reads(topic);
  }

  private overLimit(topic: Topic, bytes: number): boolean {
    return bytes > this.limitFor(topic) && 'Target' in topic && topic.Target === this.service.name && topic.Type !== 'Update' && topic.Type !== 'CallResult';
  }

  /** Whether a request to this service goes unanswered (outside the documented offer); logs why. */
  private ignored(topic: Topic): boolean {
    const ignored = 'Target' in topic && topic.Target === this.service.name ? this.offer.ignores(topic) : null;
    // As a real service that does not know it: no reply at all.
    if (ignored !== null) this.options.logger.debug({ request: ignored }, 'ignored: outside the documented offer');
    return ignored !== null;
  }

  /** A message the hub peer refused unread (see `admit` above): a request over its limit. */
  private refuse(topic: Topic, bytes: number): void {
    if (!this.ignored(topic) && this.overLimit(topic, bytes)) this.refuseLarge(topic, bytes);
  }

  private receive(message: Envelope, bytes: number): void {
    const topic = message.topic;
    if (this.ignored(topic)) return;
    // Over a transport that could not tell before decoding (a frame in another layout, an in-process test hub).
    if (this.overLimit(topic, bytes)) return this.refuseLarge(topic, bytes);
    if (this.unread(topic)) return;
    if (this.mustWait(topic)) return this.held.add(message, bytes);
    this.dispatch(message);
  }

  /** Whether a message is a request that takes its turn (held-requests.ts): every one but those marked anytime. */
  private mustWait(topic: Topic): boolean {
    if (!('Target' in topic) || topic.Target !== this.service.name) return false;
    if (topic.Type === 'Call') {
      const call = Object.prototype.hasOwnProperty.call(this.calls, topic.Method) ? this.calls[topic.Method] : undefined;
      return !call?.anytime;
    }
    if (topic.Type === 'Get') return !this.service.anytimeStates?.includes(decodeNamePath(topic.Name)[0] ?? '');
    return topic.Type === 'Set' || topic.Type === 'Reset';
  }

  /** A request that could not wait: the service holds as many as it takes. */
  private refuseHeld({ topic }: Envelope): void {
    const why = `${this.service.name} has as many requests waiting as it takes: try again shortly`;
    if (topic.Type === 'Call') this.send(envelope<'CallResult'>({ Type: 'CallResult', Target: topic.RespondTo, ExecutedOn: this.service.name, Method: topic.Method, ID: topic.ID }, { Failure: { Code: 'OVERLOADED', Message: why } }));
    else this.log('Warning', why, topic.Type === 'Get' ? topic.RespondTo : BROADCAST);
  }

  private dispatch(message: Envelope): void {
    const topic = message.topic;
    const name = this.service.name;
    switch (topic.Type) {
      case 'Identify':
        // The hub peer answers it with this service's Self.
        return;
      case 'Get':
        if (topic.Target === name) return this.answerGet(topic.Name, topic.RespondTo);
        break;
      case 'Set':
        if (topic.Target === name) return this.applySet(topic.Name, (message.message as { Value: unknown }).Value);
        break;
      case 'Reset':
        if (topic.Target === name) return this.applyReset(topic.Name);
        break;
      case 'Call':
        if (topic.Target === name) {
          void this.answerCall(message as Envelope<'Call'>);
          return;
        }
        break;
      case 'CallResult':
        // Answers to this service's own Calls are settled by the hub peer.
        if (topic.Target === name) return;
        break;
      default:
        break;
    }
    this.service.onMessage?.(message);
  }

  private answerGet(wireName: string, asker: string): void {
    const path = decodeNamePath(wireName);
    // A state outside the offer reads like a value the service does not have, as documented, without a Warning.
    if (!this.offer.offersState(path[0])) return void this.send(envelope<'Update'>({ Type: 'Update', Target: asker, Source: this.service.name, Name: wireName }, { Value: null }));
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
    const call = Object.prototype.hasOwnProperty.call(this.calls, topic.Method) ? this.calls[topic.Method] : undefined;
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

  private limitFor(topic: Topic): number {
    const base = this.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    if (topic.Type !== 'Call') return base;
    const method = topic.Method;
    const call = Object.prototype.hasOwnProperty.call(this.calls, method) ? this.calls[method] : undefined;
    return Math.max(base, call?.maxBytes ?? 0);
  }

  /**
   * A request over the limit: not handled; the caller is told (a Call's Failure, a Get's Warning Log to the asker, a
   * Set's or Reset's Warning Log, and a Set's state broadcast unchanged). Needs only the topic.
   */
  private refuseLarge(topic: Topic, bytes: number): void {
    const why = `${topic.Type} of ${bytes} bytes refused: ${this.service.name} takes requests of at most ${this.limitFor(topic)} bytes`;
    this.options.logger.warn({ type: topic.Type, bytes }, 'refused a request over the size limit');
    if (topic.Type === 'Call') {
      this.send(envelope<'CallResult'>({ Type: 'CallResult', Target: topic.RespondTo, ExecutedOn: this.service.name, Method: topic.Method, ID: topic.ID }, { Failure: { Code: 'TOO_LARGE', Message: why } }));
    } else {
      this.log('Warning', why, topic.Type === 'Get' ? topic.RespondTo : BROADCAST);
      if (topic.Type === 'Set') this.broadcastState(decodeNamePath(topic.Name)[0] ?? 'State');
    }
  }

  async close(): Promise<void> {
    this.peer.close();
  }
}

/** The hub peer's errors, as the services' own: no connection is SERVER_UNAVAILABLE to a service's callers. */
function asServiceFailure(error: unknown): never {
  if (!(error instanceof HubError)) throw error;
  const code = !error.fromService && error.code !== 'TIMEOUT' ? 'SERVER_UNAVAILABLE' : error.code;
  throw new ServiceFailure(code, error.message, error.details ? [...error.details] : undefined);
}
