/**
 * The hub peer: the one connection to a Data Hub that every peer of the hub uses (the panel engine, the reference
 * services, the test probes). It owns
 * - the connection: connect / disconnect, reconnect with the one backoff policy (peer/backoff.ts), a status;
 * - liveness: its own round trip through the hub (peer/heartbeat.ts) decides "connected", notices a hub that died or
 *   stopped routing within `lostAfterMs`, and a numbering gap in the round trips says messages were lost (`onGap`);
 * - topic-prefix subscriptions, sent again on every connection;
 * - Identify / Self: answers Identify with its Self when it has one, sends Identify on connect and periodically when
 *   asked, and Startup once per process when it is a service with state;
 * - Get → Update and Call → CallResult correlation with time limits (peer/correlation.ts);
 * - the tap: every message in and out (heartbeats aside), for message logs.
 * Which fabric carries the frames is the transport's business (chosen by the hub address); nothing here knows.
 * Somewhat over 400 lines: the connection, liveness and subscriptions share one state machine; its parts are already
 * modules of their own (backoff, heartbeat, correlation).
 */
import os from 'node:os';
import {
  BROADCAST, decodeValueKeys, encodeSubscribe, encodeTopic, envelope, type Envelope, type MessageBodies, type SelfInfo,
} from '../shared/protocol/index.ts';
import { backoffDelay } from './backoff.ts';
import { Correlation } from './correlation.ts';
import { HubError } from './errors.ts';
import { heartbeatPrefix, isHeartbeat } from './heartbeat.ts';
import { errorText, silentLogger, type Logger } from './log.ts';
import { RoundTrips } from './round-trips.ts';
import { defaultTransport } from './transports.ts';
import type { HubPeerEvents, HubPeerOptions, PeerStatus } from './peer-types.ts';
import type { Inbound, RefusedInbound, Transport, TransportOptions } from './transport.ts';

export type { HubPeerEvents, HubPeerOptions, PeerState, PeerStatus, TapEntry } from './peer-types.ts';

/**
 * A connection whose round trips stay away this long is given up. Not shorter: a dead hub is noticed sooner by its
 * transport (a closed WebSocket; a dropped ZeroMQ link, which libzmq's own heartbeats also catch within 3 s), while a
 * hub that is only busy (the WebSocket hub shares its event loop with services scanning 100,000 files) must not cost
 * every request in flight.
 */
export const DEFAULT_LOST_AFTER_MS = 15_000;

/** How often an attempt that is not yet up sends a heartbeat (on ZeroMQ the first ones are lost while subscriptions travel). */
const PROBE_MS = 100;
/**
 * Messages that arrive before the first round trip (on ZeroMQ, others' broadcasts can beat it) are held and handed on
 * right after onUp, when the owner can act on them (a read sent before that could not go out); past this many the
 * rest are dropped and reported as a gap.
 */
const EARLY_MAX = 10_000;

export class HubPeer {
  readonly name: string;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly correlation: Correlation;
  private readonly prefixes = new Set<string>();
  private readonly self: SelfInfo | null;
  private transport: Transport | null = null;
  private url = '';
  private token: string | undefined;
  private up = false;
  private everUp = false;
  private startupSent = false;
  private attempt = 0;
  private closed = false;
  private current: PeerStatus;
  private retryTimer: NodeJS.Timeout | null = null;
  private beatTimer: NodeJS.Timeout | null = null;
  private openTimer: NodeJS.Timeout | null = null;
  private identifyTimer: NodeJS.Timeout | null = null;
  private readonly trips: RoundTrips;
  private invalid = 0;
  private early: Array<Inbound | RefusedInbound> = [];
  private earlyDropped = 0;
  private readonly statusWaiters = new Set<(status: PeerStatus) => void>();

  constructor(
    private readonly options: HubPeerOptions,
    private readonly events: HubPeerEvents = {},
  ) {
    this.name = options.name;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.self = options.self
      ? { Version: options.self.Version, Machine: options.self.Machine ?? os.hostname(), StartedAt: options.self.StartedAt ?? new Date().toISOString() }
      : null;
    for (const p of options.subscriptions ?? []) this.prefixes.add(p);
    this.correlation = new Correlation({
      name: this.name,
      timeoutMs: options.requestTimeoutMs ?? 5000,
      send: (message) => this.send(message),
      decode: options.decodeValue ?? decodeValueKeys,
    });
    this.trips = new RoundTrips(this.name, this.now);
    this.current = { state: 'disconnected', hub: '', since: this.now() };
  }

  get status(): PeerStatus {
    return this.current;
  }

  get connected(): boolean {
    return this.up;
  }

  /** What came from the hub that was not a valid message (dropped and logged), since the peer was made. */
  get invalidCount(): number {
    return this.invalid;
  }

  get hub(): string {
    return this.url;
  }

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.correlation.pending;
  }

  /** Connects to `url` (dropping any current connection first); progress comes as status events. */
  connect(url: string, token?: string): void {
    if (this.closed) return;
    this.stop('connecting to another hub');
    this.url = url;
    this.token = token;
    this.attempt = 0;
    this.setStatus({ state: 'connecting' });
    this.open();
  }

  /** Resolves once connected; rejects when this attempt fails (or the connection fails for good), or after `timeoutMs`. */
  whenUp(timeoutMs = 30_000): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = (status: PeerStatus) => {
        if (status.state === 'connected') finish();
        else if (status.state !== 'connecting') finish(new HubError('NOT_CONNECTED', `cannot join the hub at ${this.url || '(no address)'}: ${status.reason ?? status.state}`));
      };
      const timer = setTimeout(() => finish(new HubError('TIMEOUT', `no connection to ${this.url} within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.statusWaiters.delete(waiter);
        if (error) reject(error);
        else resolve();
      };
      this.statusWaiters.add(waiter);
    });
  }

  /** Ends the connection and stops retrying. */
  disconnect(reason = 'disconnected'): void {
    this.stop(reason);
    this.setStatus({ state: 'disconnected', reason });
  }

  /** Stops for good: pending requests fail with CLOSED, no event follows. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop('closed', true);
    this.correlation.failAll('CLOSED', `${this.name} is closed`);
  }

  subscribe(prefixes: readonly string[]): void {
    const fresh = prefixes.filter((p) => !this.prefixes.has(p));
    for (const p of fresh) this.prefixes.add(p);
    if (fresh.length > 0 && this.transport) this.sendSubscribe(this.transport, fresh);
  }

  unsubscribe(prefixes: readonly string[]): void {
    const known = prefixes.filter((p) => this.prefixes.delete(p));
    if (known.length > 0) this.transport?.unsubscribe(known);
  }

  /** Sends a message; false when not connected (nothing was sent). */
  send(message: Envelope, attachment?: Uint8Array): boolean {
    if (!this.up || !this.transport) return false;
    const out = this.transport.send(message, attachment);
    if (out === null) return false;
    this.events.tap?.({ direction: 'out', message, bytes: out.bytes, body: out.body, attachment: attachment !== undefined });
    return true;
  }

  /** Bytes as given, past the codec (tests that attack a hub); see Transport.sendRaw. */
  sendRaw(data: string | Uint8Array | readonly Uint8Array[]): boolean {
    return this.up && this.transport !== null && this.transport.sendRaw(data);
  }

  /** The transport of the current connection (tests that need the socket under it). */
  get currentTransport(): Transport | null {
    return this.transport;
  }

  /** Reads a value of another service; `path` is decoded (state name first). */
  get(target: string, path: readonly string[], timeoutMs?: number): Promise<unknown> {
    return this.correlation.get(target, path, timeoutMs);
  }

  /** Calls a method of another service; rejects with HubError (the service's Failure code, or TIMEOUT…). */
  call(target: string, method: string, params: Record<string, unknown> = {}, timeoutMs?: number): Promise<unknown> {
    return this.correlation.call(target, method, params, timeoutMs);
  }

  /** Resolves once the hub has routed everything this peer sent before (a heartbeat round trip). */
  sync(timeoutMs = 5000): Promise<void> {
    const transport = this.transport;
    if (!this.up || !transport) return Promise.reject(new HubError('NOT_CONNECTED', `${this.name} is not connected`));
    return this.trips.waitFor(this.beat(transport), timeoutMs);
  }

  // ---- connection ----

  private open(): void {
    const { admit, maxMessageBytes } = this.options;
    const options: TransportOptions = {
      url: this.url,
      ...(this.token ? { token: this.token } : {}),
      ...(maxMessageBytes ? { maxMessageBytes } : {}),
      // The peer's own round trips are always read: liveness is not the owner's to refuse.
      ...(admit ? { admit: (topic, bytes) => isHeartbeat(topic) || admit.call(this.options, topic, bytes) } : {}),
    };
    const transport = (this.options.transport ?? defaultTransport)(
      options,
      {
        onOpen: () => {
          if (this.transport === transport) this.onOpen(transport);
        },
        onMessage: (inbound) => {
          if (this.transport === transport) this.receive(transport, inbound);
        },
        onInvalid: (problem) => {
          if (this.transport !== transport) return;
          this.invalid++;
          this.logger.warn({ hub: this.url, error: problem.error, raw: problem.raw }, 'dropped an invalid message from the hub');
          this.events.tap?.({ direction: 'in', message: null, bytes: problem.bytes, body: () => problem.raw, attachment: false });
          this.events.onInvalid?.(problem);
        },
        onRefused: (refused) => {
          if (this.transport === transport) this.hold(refused);
        },
        onClose: (reason, fatal) => {
          if (this.transport === transport) this.lost(reason, fatal);
        },
      },
    );
    this.transport = transport;
  }

  private onOpen(transport: Transport): void {
    const beat = heartbeatPrefix(this.name);
    const all = [...this.prefixes];
    if (!all.some((p) => beat.startsWith(p))) all.push(beat);
    this.sendSubscribe(transport, all);
    // Heartbeats until one comes back: that one proves the hub routes for us.
    this.beat(transport);
    this.beatTimer = setInterval(() => this.beat(transport), PROBE_MS);
    const limit = this.options.openTimeoutMs ?? 5000;
    this.openTimer = setTimeout(() => this.lost(`no answer from the hub at ${this.url} within ${limit / 1000} s (is a Data Hub running there?)`, false), limit);
  }

  private sendSubscribe(transport: Transport, prefixes: readonly string[]): void {
    transport.subscribe(prefixes);
    const text = encodeSubscribe(prefixes);
    this.events.tap?.({ direction: 'out', message: null, bytes: Buffer.byteLength(text), body: () => text, attachment: false });
  }

  private beat(transport: Transport): number {
    const { seq, message } = this.trips.next();
    transport.send(message);
    return seq;
  }

  private becameUp(transport: Transport, seq: number): void {
    this.clearTimers();
    this.up = true;
    this.attempt = 0;
    this.trips.start(seq);
    const first = !this.everUp;
    this.everUp = true;
    this.setStatus({ state: 'connected' });
    if (this.options.announceStartup && !this.startupSent) {
      this.startupSent = true;
      this.send(envelope<'Startup'>({ Type: 'Startup', Target: BROADCAST, Source: this.name }, {}));
    }
    const every = this.options.identifyEveryMs ?? 0;
    if (every > 0) {
      this.identify();
      this.identifyTimer = setInterval(() => this.identify(), every);
    }
    const liveness = this.options.livenessMs ?? 1000;
    if (liveness > 0) {
      const lostAfter = this.options.lostAfterMs ?? DEFAULT_LOST_AFTER_MS;
      this.beatTimer = setInterval(() => {
        if (this.trips.silentFor > lostAfter) {
          this.lost(`no heartbeat back from the hub for ${Math.round(this.trips.silentFor / 100) / 10} s`, false);
          return;
        }
        this.beat(transport);
      }, liveness);
    }
    this.events.onUp?.(first);
    const early = this.early;
    const dropped = this.earlyDropped;
    this.early = [];
    this.earlyDropped = 0;
    for (const inbound of early) if (this.transport === transport) this.dispatch(inbound);
    if (dropped > 0) this.events.onGap?.(`${dropped} message(s) that came while connecting were dropped`);
  }

  private identify(): void {
    this.send(envelope<'Identify'>({ Type: 'Identify', Source: this.name }, {}));
  }

  /** The connection ended (transport closed, or the hub stopped answering): retry unless it cannot help. */
  private lost(reason: string, fatal: boolean): void {
    const transport = this.transport;
    this.transport = null;
    this.clearTimers();
    transport?.close();
    this.wentDown(reason);
    if (fatal) {
      this.logger.error({ hub: this.url, reason }, 'hub connection failed; not retrying');
      this.setStatus({ state: 'failed', reason });
      return;
    }
    if (this.options.reconnect === false) {
      this.setStatus({ state: 'disconnected', reason });
      return;
    }
    this.attempt++;
    const delay = backoffDelay(this.attempt);
    this.logger.warn({ hub: this.url, reason, attempt: this.attempt, delayMs: delay }, 'hub connection down; retrying');
    this.setStatus({ state: 'reconnecting', attempt: this.attempt, retryAt: this.now() + delay, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private wentDown(reason: string): void {
    this.early = [];
    this.earlyDropped = 0;
    this.trips.ended(reason);
    if (!this.up) return;
    this.up = false;
    this.correlation.failAll('DISCONNECTED', `the hub connection ended: ${reason}`);
    this.events.onDown?.(reason);
  }

  private stop(reason: string, quiet = false): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.clearTimers();
    const transport = this.transport;
    this.transport = null;
    transport?.close();
    if (quiet) this.up = false;
    else this.wentDown(reason);
  }

  private clearTimers(): void {
    for (const t of [this.beatTimer, this.identifyTimer]) if (t) clearInterval(t);
    if (this.openTimer) clearTimeout(this.openTimer);
    this.beatTimer = this.identifyTimer = this.openTimer = null;
  }

  private setStatus(fields: Pick<PeerStatus, 'state'> & Partial<Pick<PeerStatus, 'attempt' | 'retryAt' | 'reason'>>): void {
    const status: PeerStatus = { state: fields.state, hub: this.url, since: this.now() };
    if (fields.attempt !== undefined) status.attempt = fields.attempt;
    if (fields.retryAt !== undefined) status.retryAt = fields.retryAt;
    if (fields.reason !== undefined) status.reason = fields.reason;
    this.current = status;
    this.events.onStatus?.(status);
    for (const waiter of [...this.statusWaiters]) waiter(status);
  }

  // ---- receiving ----

  private receive(transport: Transport, inbound: Inbound): void {
    const topic = inbound.envelope.topic;
    if (topic.Type === 'Update' && isHeartbeat(topic)) {
      if (topic.Source === this.name) this.onHeartbeat(transport, (inbound.envelope.message as MessageBodies['Update']).Value);
      return;
    }
    this.hold(inbound);
  }

  /** Hands a message (or a refusal) on once connected; holds it until then. */
  private hold(inbound: Inbound | RefusedInbound): void {
    if (this.up) this.dispatch(inbound);
    else if (this.early.length < EARLY_MAX) this.early.push(inbound);
    else this.earlyDropped++;
  }

  private dispatch(inbound: Inbound | RefusedInbound): void {
    if (!('envelope' in inbound)) return this.dispatchRefused(inbound);
    const message = inbound.envelope;
    const topic = message.topic;
    this.events.tap?.({ direction: 'in', message, bytes: inbound.bytes, body: inbound.body, attachment: inbound.attachment !== undefined });
    try {
      if (topic.Type === 'Identify' && this.self && topic.Source !== this.name) {
        this.send(envelope<'Self'>({ Type: 'Self', Target: topic.Source, Source: this.name }, { Value: this.self }));
      }
      this.events.onMessage?.(message, inbound);
      if (topic.Type === 'Update' && topic.Target === this.name) {
        this.correlation.onReply(topic.Source, topic.Name, (message.message as MessageBodies['Update']).Value);
      } else if (topic.Type === 'CallResult' && topic.Target === this.name) {
        this.correlation.onCallResult(topic, message.message as MessageBodies['CallResult']);
      }
    } catch (error) {
      this.logger.error({ err: error instanceof Error ? error.stack : errorText(error), topic }, 'failed to handle a message');
    }
  }

  private dispatchRefused({ topic, bytes }: RefusedInbound): void {
    this.events.tap?.({ direction: 'in', message: null, refused: topic, bytes, body: () => `refused unread (${bytes} bytes): ${encodeTopic(topic)}`, attachment: false });
    try {
      this.events.onRefused?.(topic, bytes);
    } catch (error) {
      this.logger.error({ err: error instanceof Error ? error.stack : errorText(error), topic }, 'failed to handle a refused message');
    }
  }

  private onHeartbeat(transport: Transport, value: unknown): void {
    if (!this.up) {
      const seq = this.trips.ours(value);
      if (seq !== null && this.openTimer !== null) this.becameUp(transport, seq);
      return;
    }
    const outcome = this.trips.back(value);
    if (outcome.kind !== 'gap') return;
    this.logger.warn({ hub: this.url, missing: outcome.missing }, 'heartbeats were lost: messages from the hub may have been dropped');
    this.events.onGap?.(`${outcome.missing} heartbeat(s) never came back: messages from the hub may have been dropped`);
  }
}
