/**
 * The panel engine: one hub connection, the directory of services, the state cache, the requests in flight and the
 * message log, behind the panel API (shared/panel/api.ts). Electron-free: both hosts (Electron main, browser host)
 * drive it the same way. Every frame is decoded once, on the way in, by the shared codec.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import type { CommandName, EventData, EventName, LogEntry, Snapshot } from '../../shared/panel/api.ts';
import {
  BROADCAST, PANEL_SERVICE, decodeFrame, decodeNamePath, envelope, serviceNameProblem,
  type Envelope, type MessageBodies, type UpdateTopic,
} from '../../shared/protocol/index.ts';
import { decodeStateValue } from '../../shared/assethub/index.ts';
import { Batcher } from './batcher.ts';
import { Connection } from './connection.ts';
import { Directory } from './directory.ts';
import { DEFAULT_LOG_CAPACITY, MessageLog } from './message-log.ts';
import { Refresher } from './refresh.ts';
import { Requests, type GetOutcome } from './requests.ts';
import { StateCache, isCachedState } from './state-cache.ts';
import { wsTransport, type TransportFactory } from './transport.ts';
import { EngineError, HUB_NAME, silentLogger, type Logger } from './types.ts';

export interface PanelEngineOptions {
  /** The panel's service name on the hub; default `<hostname>-AssetHubPanel-<4 hex>` (unique per run). */
  panelName?: string;
  /** When given, the engine connects at once; otherwise it waits for the `connect` command. */
  hubUrl?: string;
  token?: string;
  logger?: Logger;
  /** Get, Set, Reset and Call time limit; default 5000 ms. */
  requestTimeoutMs?: number;
  /** Identify every this many ms; default 5000. A service is online while heard within 2.5 heartbeats. */
  heartbeatMs?: number;
  /** How the hub is reached; default the WebSocket hub transport. */
  transport?: TransportFactory;
  /** Message log capacity; default 10,000 entries. */
  logCapacity?: number;
}

export interface PanelEngine {
  /** The current state: connection, services, validated states, and the seq of the last patches batch. */
  snapshot(): Snapshot;
  /** Runs a command whose args were validated by parseCommand; rejects with EngineError (code + message). */
  invoke(command: CommandName, args: unknown): Promise<unknown>;
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
  /** The message log's entries, oldest first (what a renderer opening the log view starts from). */
  messageLog(): LogEntry[];
  close(): Promise<void>;
}

/** `<hostname>-AssetHubPanel-<4 hex>`: the hostname reduced to characters every hub accepts in a name. */
export function defaultPanelName(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'panel';
  return `${host}-${PANEL_SERVICE}-${randomBytes(2).toString('hex')}`;
}

type Listener = (data: never) => void;

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The Name of a whole state has no `.`; splitting is only needed below a state. */
const namePath = (name: string): string[] => (name.includes('.') || name.includes('[') ? decodeNamePath(name) : [name]);

export class PanelEngineImpl implements PanelEngine {
  readonly panelName: string;
  private readonly logger: Logger;
  private readonly connection: Connection;
  private readonly directory: Directory;
  private readonly cache: StateCache;
  private readonly requests: Requests;
  private readonly refresher: Refresher;
  private readonly log: MessageLog;
  private readonly batcher: Batcher;
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly startedAt = new Date().toISOString();
  private token: string | undefined;
  private closed = false;

  constructor(options: PanelEngineOptions = {}) {
    this.panelName = options.panelName ?? defaultPanelName();
    const problem = serviceNameProblem(this.panelName);
    if (problem) throw new Error(`panel name "${this.panelName}": ${problem}`);
    this.logger = options.logger ?? silentLogger;
    this.token = options.token;
    const heartbeatMs = options.heartbeatMs ?? 5000;

    this.log = new MessageLog(options.logCapacity ?? DEFAULT_LOG_CAPACITY);
    this.batcher = new Batcher(
      { entry: (name) => this.directory.get(name), state: (service, state) => this.cache.get(service, state) },
      { patches: (data) => this.emit('patches', data), log: (data) => this.emit('log', data) },
    );
    this.directory = new Directory(this.panelName, heartbeatMs, {
      onChange: (name) => this.batcher.service(name),
      onForget: (name) => {
        this.cache.forget(name);
        this.batcher.forget(name);
      },
      onOnline: (name, kind) => this.refresher.refresh(name, kind, 'online'),
    });
    this.cache = new StateCache({
      onState: (service, state) => this.batcher.state(service, state),
      onError: (service, error) => {
        // Logged when it changes, not per frame: a flood of bad Values must not become a flood of log lines.
        if (error !== null) this.logger.warn({ service, error }, 'kept an invalid Value out of the state cache');
        this.directory.setError(service, error);
      },
    });
    this.connection = new Connection(
      { panelName: this.panelName, transport: options.transport ?? wsTransport, heartbeatMs, logger: this.logger },
      {
        onStatus: (status) => this.emit('connection', status),
        onUp: () => this.logger.info({ hub: this.connection.hubUrl, panel: this.panelName }, 'connected to the hub'),
        onDown: (reason) => {
          this.requests.failAll('DISCONNECTED', `the hub connection ended: ${reason}`);
          this.directory.allOffline();
        },
        onFrame: (text) => this.receiveFrame(text),
        onSent: (text, message) => this.record('out', text, message),
        onHeartbeat: () => this.heartbeat(),
      },
    );
    this.requests = new Requests({
      panelName: this.panelName,
      timeoutMs: options.requestTimeoutMs ?? 5000,
      send: (message) => this.connection.send(message),
    });
    this.refresher = new Refresher((service, path) => this.requests.get(service, path), this.logger);
    if (options.hubUrl) this.connection.connect(options.hubUrl, this.token);
  }

  // ---- panel API ----

  snapshot(): Snapshot {
    return {
      connection: this.connection.status,
      services: this.directory.list().map((e) => ({ ...e })),
      states: this.cache.all(),
      seq: this.batcher.seq,
    };
  }

  messageLog(): LogEntry[] {
    return this.log.entries();
  }

  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener);
    return () => void set.delete(listener as Listener);
  }

  async invoke(command: CommandName, args: unknown): Promise<unknown> {
    if (this.closed) throw new EngineError('ENGINE_CLOSED', 'the panel engine is closed');
    switch (command) {
      case 'hello':
        return this.snapshot();
      case 'connect': {
        const a = args as { hubUrl: string; token?: string };
        if (a.hubUrl !== this.connection.hubUrl) {
          // Another hub: what was known of the old one does not apply.
          this.directory.clear();
          this.cache.clear();
        }
        if (a.token !== undefined) this.token = a.token === '' ? undefined : a.token;
        this.connection.connect(a.hubUrl, this.token);
        return {};
      }
      case 'disconnect':
        this.connection.disconnect();
        return {};
      case 'get': {
        const a = args as { service: string; path: string[] };
        return this.requests.get(a.service, a.path);
      }
      case 'set': {
        const a = args as { service: string; path: string[]; value: unknown };
        await this.requests.set(a.service, a.path, a.value);
        return {};
      }
      case 'reset': {
        const a = args as { service: string };
        await this.requests.reset(a.service);
        return {};
      }
      case 'call': {
        const a = args as { service: string; method: string; params: Record<string, unknown> };
        return this.requests.call(a.service, a.method, a.params);
      }
      case 'logControl': {
        const a = args as { paused?: boolean; capacity?: number; clear?: boolean };
        if (a.capacity !== undefined) this.log.setCapacity(a.capacity);
        if (a.paused !== undefined) this.log.paused = a.paused;
        if (a.clear) {
          this.log.clear();
          this.batcher.clearLog();
        }
        return { paused: this.log.paused, capacity: this.log.capacity };
      }
      default: {
        const unknown: never = command;
        throw new EngineError('UNKNOWN_COMMAND', `no command "${String(unknown)}"`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.close();
    this.requests.failAll('ENGINE_CLOSED', 'the panel engine is closed');
    this.batcher.close();
    this.listeners.clear();
  }

  // ---- the receive path ----

  /** One text frame from the hub: logged, decoded once, then applied. Never throws. */
  receiveFrame(text: string): void {
    const decoded = decodeFrame(text);
    if (!decoded.ok) {
      this.record('in', text, null);
      this.logger.warn({ error: decoded.error }, 'dropped an invalid frame from the hub');
      return;
    }
    if (decoded.value.kind !== 'message') {
      this.record('in', text, null);
      return;
    }
    const message = decoded.value.envelope;
    this.record('in', text, message, decoded.value.attachment !== undefined);
    try {
      this.handle(message, Date.now());
    } catch (error) {
      this.logger.error({ err: error instanceof Error ? error.stack : String(error), topic: message.topic }, 'failed to handle a message');
    }
  }

  private record(direction: 'in' | 'out', text: string, message: Envelope | null, attachment = false): void {
    if (this.log.paused) return;
    const entry = this.log.record(direction, text, message, byteLength(text), attachment);
    if (entry) this.batcher.log(entry);
  }

  private handle(message: Envelope, now: number): void {
    const topic = message.topic;
    switch (topic.Type) {
      case 'Update':
        this.directory.heard(topic.Source, now);
        this.onUpdate(topic, (message.message as MessageBodies['Update']).Value);
        return;
      case 'Self':
        this.directory.self(topic.Source, (message.message as MessageBodies['Self']).Value, now);
        return;
      case 'Startup': {
        this.directory.heard(topic.Source, now);
        const entry = this.directory.get(topic.Source);
        if (entry) this.refresher.refresh(entry.name, entry.kind, 'Startup');
        return;
      }
      case 'Log': {
        this.directory.heard(topic.Source, now);
        const body = message.message as MessageBodies['Log'];
        this.requests.onLog(topic.Source, body.Level, body.Message);
        return;
      }
      case 'Identify':
        if (topic.Source === this.panelName) return;
        this.directory.heard(topic.Source, now);
        this.connection.send(envelope<'Self'>(
          { Type: 'Self', Target: topic.Source, Source: this.panelName },
          { Value: { Version: pkg.version, Machine: os.hostname(), StartedAt: this.startedAt } },
        ));
        return;
      case 'CallResult':
        this.directory.heard(topic.ExecutedOn, now);
        this.requests.onCallResult(topic.ID, message.message as MessageBodies['CallResult']);
        return;
      case 'Set':
      case 'Reset':
        // The panel's own requests come back in routing order (or another panel's): see requests.ts.
        this.requests.onRequestSeen(topic.Type, topic.Target, topic.Name);
        return;
      default:
        // Get and Call are not subscribed to: the panel has no states or methods of its own.
        return;
    }
  }

  private onUpdate(topic: UpdateTopic, wireValue: unknown): void {
    const source = topic.Source;
    const path = namePath(topic.Name);
    const state = path[0] as string;
    const value = decodeStateValue(path, wireValue);
    const kind = this.directory.get(source)?.kind ?? 'other';
    const toMe = topic.Target === this.panelName;
    const broadcast = topic.Target === BROADCAST;
    let reply: GetOutcome | null = null;

    if (path.length === 1) {
      const applied = this.cache.applyWhole(source, kind, state, value);
      if (applied.outcome === 'invalid') {
        reply = { ok: false, code: 'INVALID_VALUE', message: `${source} ${state} does not match its schema: ${(applied.issues ?? []).join('; ')}` };
      } else if (applied.outcome === 'applied') {
        reply = { ok: true, value: this.cache.get(source, state) };
        if (kind === 'server' && state === 'WorkspaceInfo') this.learnClients(this.cache.get(source, state));
      }
    } else if (broadcast) {
      const applied = this.cache.applyPath(source, kind, state, path.slice(1), value);
      if (applied.outcome === 'no-base' && isCachedState(kind, state)) {
        // Nothing to apply it to yet: read the whole state.
        this.refresher.refresh(source, kind, `Update of ${path.join('.')} before its state was read`);
      }
    }

    if (broadcast) this.requests.onBroadcast(source, path, value);
    if (toMe) this.requests.onGetReply(source, topic.Name, reply ?? { ok: true, value });
  }

  /** The server's WorkspaceInfo.Clients names clients that may not have been heard yet. */
  private learnClients(info: unknown): void {
    const clients = (info as { Clients?: Record<string, unknown> } | undefined)?.Clients;
    if (clients) for (const name of Object.keys(clients)) this.directory.named(name);
  }

  private heartbeat(): void {
    this.directory.sweep(Date.now());
    // The hub's Stats only come by Get: read them once per heartbeat.
    if (this.directory.get(HUB_NAME)?.online) this.requests.get(HUB_NAME, ['Stats']).catch(() => {});
  }

  private emit<E extends EventName>(event: E, data: EventData<E>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (d: EventData<E>) => void)(data);
      } catch (error) {
        this.logger.error({ event, err: error instanceof Error ? error.stack : String(error) }, 'an event listener failed');
      }
    }
  }
}

export function createPanelEngine(options?: PanelEngineOptions): PanelEngine {
  return new PanelEngineImpl(options);
}
