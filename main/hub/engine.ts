/**
 * The panel engine: one hub peer (peer/: the connection on either fabric, Gets and Calls), the directory of services,
 * the state cache, Set and Reset confirmation and the message log, behind the panel API (shared/panel/api.ts).
 * Electron-free: both hosts (Electron main, browser host) drive it the same way. Every message is decoded once, on
 * the way in, by the transport. Somewhat over 400 lines: it is the one place the panel API's commands meet the hub
 * peer's messages; what can stand alone already does (confirm, directory, state cache, host commands, operations).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import { LOG_PAGE_CHARS, LOG_PAGE_LIMIT, NO_HOST_INFO, type CommandName, type ConnectionStatus, type EventData, type EventName, type LogEntry, type Snapshot } from '../../shared/panel/api.ts';
import {
  BROADCAST, PANEL_SERVICE, decodeNamePath, serviceNameProblem, type Envelope, type MessageBodies, type UpdateTopic,
} from '../../shared/protocol/index.ts';
import { DOCUMENTED_OFFER, checkCallResult, decodeStateValue, serviceKindOf } from '../../shared/assethub/index.ts';
import { STATE_TRAITS, keyedStateNames, writeOnlyFields, type StateTraitsTable } from '../../shared/assethub/state-traits.ts';
import { HubError, HubPeer, type PeerStatus, type TapEntry, type TransportFactory } from '../../peer/index.ts';
import { problemKind } from '../../shared/panel/connection-problem.ts';
import { Batcher } from './batcher.ts';
import { Confirmations } from './confirm.ts';
import { Directory, MAX_SERVICES } from './directory.ts';
import { DEFAULT_LOG_CAPACITY, LOG_BODY_BUDGET, MessageLog } from './message-log.ts';
import { Refresher } from './refresh.ts';
import { Discovery } from './discovery.ts';
import { StateCache, isCachedState } from './state-cache.ts';
import { panelSubscriptions } from './subscriptions.ts';
import { EngineError, HUB_NAME, silentLogger, type Logger } from './types.ts';
import { hostCommand, isHostCommand, type PanelHost } from './host-commands.ts';
import { OperationJournal, workspaceStatus } from './operations.ts';

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
  /** How the hub is reached; default by the address's scheme (ws://, wss://, zmq://). */
  transport?: TransportFactory;
  /** Message log capacity; default 10,000 entries. */
  logCapacity?: number;
  /**
   * The states' traits: which are keyed by name, which entries a null removes, which fields are write-only. Default
   * the shared table (STATE_TRAITS); the engine knows no state by name beyond it.
   */
  stateTraits?: StateTraitsTable;
}

export interface PanelEngine {
  /** The current state: connection, services, validated states, and the seq of the last patches batch. */
  snapshot(): Snapshot;
  /** Runs a command whose args were validated by parseCommand; rejects with EngineError (code + message). */
  invoke(command: CommandName, args: unknown): Promise<unknown>;
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
  /** The message log's entries, oldest first (what a renderer opening the log view starts from). */
  messageLog(): LogEntry[];
  /** Connects the host's side of the panel API (which hub it runs, how the operator changes it). */
  attachHost(host: PanelHost): void;
  /** The host's info changed: tell every renderer. */
  hostChanged(): void;
  close(): Promise<void>;
}

export type { PanelHost } from './host-commands.ts';

/** `<hostname>-AssetHubPanel-<4 hex>`: the hostname reduced to characters every hub accepts in a name. */
export function defaultPanelName(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'panel';
  return `${host}-${PANEL_SERVICE}-${randomBytes(2).toString('hex')}`;
}

type Listener = (data: never) => void;

/** The Name of a whole state has no `.`; splitting is only needed below a state. */
const namePath = (name: string): string[] => (name.includes('.') || name.includes('[') ? decodeNamePath(name) : [name]);

export class PanelEngineImpl implements PanelEngine {
  readonly panelName: string;
  private readonly logger: Logger;
  private readonly peer: HubPeer;
  private readonly directory: Directory;
  private readonly cache: StateCache;
  private readonly confirmations: Confirmations;
  private readonly refresher: Refresher;
  private readonly discovery: Discovery;
  private readonly log: MessageLog;
  /** Decodes a Value's `[dot]` keys, those of the states keyed by name included. */
  private readonly decodeValue: (path: readonly string[], wireValue: unknown) => unknown;
  private readonly journal: OperationJournal;
  private readonly batcher: Batcher;
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly startedAt = new Date().toISOString();
  private readonly heartbeatMs: number;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private token: string | undefined;
  /** When the panel was last connected to the current hub: the age of what it still shows while it is not. */
  private lastConnected: number | undefined;
  private host: PanelHost | null = null;
  private closed = false;

  constructor(options: PanelEngineOptions = {}) {
    this.panelName = options.panelName ?? defaultPanelName();
    const problem = serviceNameProblem(this.panelName);
    if (problem) throw new Error(`panel name "${this.panelName}": ${problem}`);
    this.logger = options.logger ?? silentLogger;
    this.token = options.token;
    const heartbeatMs = (this.heartbeatMs = options.heartbeatMs ?? 5000);

    const traits = options.stateTraits ?? STATE_TRAITS;
    const keyed = keyedStateNames(traits);
    this.decodeValue = (path, wireValue) => decodeStateValue(path, wireValue, keyed);
    this.log = new MessageLog(options.logCapacity ?? DEFAULT_LOG_CAPACITY, LOG_BODY_BUDGET, Date.now, writeOnlyFields(traits));
    this.journal = new OperationJournal({
      by: this.panelName,
      emit: (op) => this.emit('operation', op),
      statusOf: (service, workspace) => workspaceStatus(this.cache.get(service, 'WorkspaceInfo'), workspace),
      startedAtOf: (service) => this.directory.get(service)?.startedAt ?? null,
    });
    this.batcher = new Batcher(
      { entry: (name) => this.directory.get(name), state: (service, state) => this.cache.get(service, state) },
      { patches: (data) => this.emit('patches', data), log: (data) => this.emit('log', data) },
    );
    this.directory = new Directory(this.panelName, heartbeatMs, {
      onChange: (name) => this.batcher.service(name),
      onForget: (name) => {
        this.discovery.forget(name);
        this.cache.forget(name);
        this.batcher.forget(name);
      },
      onOnline: (name, kind) => {
        this.discovery.online(name);
        this.refresher.refresh(name, kind, 'online');
      },
    });
    this.cache = new StateCache({
      onState: (service, state, path) => this.batcher.state(service, state, path),
      onError: (service, error) => {
        // Logged when it changes, not per frame: a flood of bad Values must not become a flood of log lines.
        if (error !== null) this.logger.warn({ service, error }, 'kept an invalid Value out of the state cache');
        this.directory.setError(service, error);
      },
    }, traits);
    const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.peer = new HubPeer(
      {
        name: this.panelName,
        logger: this.logger,
        requestTimeoutMs,
        subscriptions: panelSubscriptions(this.panelName),
        self: { Version: pkg.version, Machine: os.hostname(), StartedAt: this.startedAt },
        identifyEveryMs: heartbeatMs,
        decodeValue: this.decodeValue,
        ...(options.transport ? { transport: options.transport } : {}),
      },
      {
        onStatus: (status) => this.emit('connection', this.connectionStatus(status)),
        onUp: () => {
          this.logger.info({ hub: this.peer.hub, panel: this.panelName }, 'connected to the hub');
          this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMs);
        },
        onDown: (reason) => {
          if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
          this.heartbeatTimer = null;
          this.confirmations.failAll('DISCONNECTED', `the hub connection ended: ${reason}`);
          this.directory.allOffline();
        },
        // Messages were lost on the way (a ZeroMQ subscriber that fell behind): what the cache holds may be stale.
        onGap: (reason) => {
          this.logger.warn({ reason }, 're-reading every state after a gap');
          for (const entry of this.directory.list()) if (entry.online) this.refresher.refresh(entry.name, entry.kind, 'gap');
        },
        onMessage: (message) => this.handle(message, Date.now()),
        tap: (entry) => this.record(entry),
      },
    );
    this.confirmations = new Confirmations({ timeoutMs: requestTimeoutMs, traits, send: (message) => this.peer.send(message) });
    this.discovery = new Discovery({
      call: (service, method) => this.peer.call(service, method, {}),
      entry: (service) => this.directory.get(service),
      setOffer: (service, offer) => this.directory.setOffer(service, offer),
      onExtraStates: (service, kind, states) => this.refresher.refresh(service, kind, 'offered', states),
    }, this.logger);
    this.refresher = new Refresher((service, path) => this.get(service, path), this.logger, (service, state) => {
      const entry = this.directory.get(service);
      const offer = entry?.offer;
      if (!offer || (entry.kind !== 'server' && entry.kind !== 'client')) return true;
      // Until a service said what it offers, only the documented states are read; the rest once it has.
      return offer.source === 'discovered' ? offer.states.includes(state) : (DOCUMENTED_OFFER[entry.kind].states as readonly string[]).includes(state);
    });
    if (options.hubUrl) this.peer.connect(options.hubUrl, this.token);
  }

  // ---- panel API ----

  snapshot(): Snapshot {
    return {
      connection: this.connectionStatus(this.peer.status),
      host: this.host?.info() ?? NO_HOST_INFO,
      services: this.directory.list().map((e) => ({ ...e })),
      states: this.cache.all(),
      operations: this.journal.list(),
      seq: this.batcher.seq,
    };
  }

  messageLog(): LogEntry[] {
    return this.log.entries();
  }

  attachHost(host: PanelHost): void {
    this.host = host;
    this.hostChanged();
  }

  hostChanged(): void {
    if (this.host) this.emit('host', this.host.info());
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
    if (isHostCommand(command)) return hostCommand(this.host, command, args, (service) => ({ entry: this.directory.get(service), persistent: this.cache.get(service, 'PersistentState') }));
    switch (command) {
      case 'hello':
        return this.snapshot();
      case 'connect': {
        const a = args as { hubUrl: string; token?: string };
        if (a.hubUrl !== this.peer.hub) {
          // Another hub: what was known of the old one does not apply, its token included.
          if (this.peer.hub) this.journal.leave(`the panel moved from ${this.peer.hub} to ${a.hubUrl} before this ended`);
          this.directory.clear();
          this.cache.clear();
          this.token = undefined;
          this.lastConnected = undefined;
        }
        if (a.token !== undefined) this.token = a.token === '' ? undefined : a.token;
        this.peer.connect(a.hubUrl, this.token);
        return {};
      }
      case 'disconnect':
        this.peer.disconnect('disconnected by the panel');
        return {};
      case 'get': {
        const a = args as { service: string; path: string[] };
        return this.get(a.service, a.path);
      }
      case 'set': {
        const a = args as { service: string; path: string[]; value: unknown };
        await this.confirmations.set(a.service, a.path, a.value);
        return {};
      }
      case 'reset': {
        const a = args as { service: string };
        await this.confirmations.reset(a.service);
        return {};
      }
      case 'call': {
        const a = args as { service: string; method: string; params: Record<string, unknown> };
        const refusal = await this.discovery.refusal(a.service, a.method);
        if (refusal !== null) throw new EngineError('NOT_OFFERED', refusal);
        const id = this.journal.begin(a.service, a.method, a.params);
        try {
          const result = await this.peer.call(a.service, a.method, a.params).catch(rethrow);
          const checked = checkCallResult(serviceKindOf(a.service), a.method, result);
          if (!checked.ok) throw new EngineError('INVALID_RESULT', `${a.service}.${a.method} answered a Result that does not match the method: ${checked.issues}`);
          this.journal.settle(id, { ok: true, result: checked.value });
          return checked.value;
        } catch (error) {
          const code = error instanceof EngineError ? error.code : 'FAILED';
          this.journal.settle(id, { ok: false, code, message: error instanceof Error ? error.message : String(error) });
          throw error;
        }
      }
      case 'logHistory': {
        const a = args as { before?: number; limit?: number };
        return this.log.page(a.before, a.limit ?? LOG_PAGE_LIMIT, LOG_PAGE_CHARS);
      }
      case 'watchLog':
        return { on: (args as { on: boolean }).on };
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
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.peer.close();
    this.confirmations.failAll('ENGINE_CLOSED', 'the panel engine is closed');
    this.batcher.close();
    this.listeners.clear();
  }

  // ---- the hub peer ----

  private connectionStatus(status: PeerStatus): ConnectionStatus {
    const out: ConnectionStatus = { state: status.state, hubUrl: status.hub, panelName: this.panelName, since: status.since };
    if (status.attempt !== undefined) out.attempt = status.attempt;
    if (status.retryAt !== undefined) out.retryAt = status.retryAt;
    if (status.reason !== undefined) out.reason = status.reason;
    if (status.state !== 'connected' && status.reason !== undefined) out.problem = problemKind(status.reason);
    if (status.state === 'connected') this.lastConnected = status.since;
    if (this.lastConnected !== undefined) out.lastConnected = this.lastConnected;
    return out;
  }

  /**
   * Reads a value. A whole state the cache keeps resolves to its validated value: the reply went through handle()
   * (and so into the cache, or out of it as invalid) before the peer settled the Get.
   */
  private async get(service: string, path: readonly string[]): Promise<unknown> {
    const value = await this.peer.get(service, path).catch(rethrow);
    const state = path[0] as string;
    const kind = this.directory.get(service)?.kind ?? 'other';
    if (path.length !== 1 || value === null || value === undefined || !isCachedState(kind, state)) return value;
    const problem = this.cache.problemOf(service, state);
    if (problem !== null) throw new EngineError('INVALID_VALUE', `${service} ${state} does not match its schema: ${problem}`);
    return this.cache.get(service, state);
  }

  private record(entry: TapEntry): void {
    if (this.log.paused) return;
    const logged = this.log.record(entry.direction, entry.body(), entry.message, entry.bytes);
    if (logged) this.batcher.log(logged);
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
        this.discovery.self(topic.Source);
        return;
      case 'Startup': {
        this.directory.heard(topic.Source, now);
        const entry = this.directory.get(topic.Source);
        if (entry) {
          this.discovery.startup(entry.name);
          this.refresher.refresh(entry.name, entry.kind, 'Startup');
        }
        return;
      }
      case 'Log': {
        this.directory.heard(topic.Source, now);
        const body = message.message as MessageBodies['Log'];
        this.confirmations.onLog(topic.Source, body.Level, body.Message);
        return;
      }
      case 'Identify':
        // The hub peer answers it with the panel's Self.
        if (topic.Source !== this.panelName) this.directory.heard(topic.Source, now);
        return;
      case 'CallResult':
        this.directory.heard(topic.ExecutedOn, now);
        return;
      case 'Set':
      case 'Reset':
        // The panel's own requests come back in routing order (or another panel's): see confirm.ts.
        this.confirmations.onRequestSeen(topic.Type, topic.Target, topic.Name);
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
    const value = this.decodeValue(path, wireValue);
    const kind = this.directory.get(source)?.kind ?? 'other';
    const broadcast = topic.Target === BROADCAST;

    if (path.length === 1) {
      const applied = this.cache.applyWhole(source, kind, state, value);
      if (applied.outcome === 'applied' && kind === 'server' && state === 'WorkspaceInfo') this.learnClients(this.cache.get(source, state));
    } else if (broadcast) {
      const applied = this.cache.applyPath(source, kind, state, path.slice(1), value);
      if (applied.outcome === 'applied' && kind === 'server' && state === 'WorkspaceInfo' && path[1] === 'Clients' && path[2] !== undefined) this.directory.named(path[2]);
      if (applied.outcome === 'no-base' && isCachedState(kind, state)) {
        // Nothing to apply it to yet: read the whole state.
        this.refresher.refresh(source, kind, `Update of ${path.join('.')} before its state was read`);
      }
    }

    if (kind === 'client' && state === 'WorkspaceInfo') this.journal.onWorkspaceInfo(source, this.cache.get(source, state));
    if (broadcast) this.confirmations.onBroadcast(source, path, value);
  }

  /** The server's WorkspaceInfo.Clients names clients that may not have been heard yet. */
  private learnClients(info: unknown): void {
    const clients = (info as { Clients?: Record<string, unknown> } | undefined)?.Clients;
    if (clients) for (const name of Object.keys(clients)) this.directory.named(name);
  }

  private heartbeat(): void {
    this.directory.sweep(Date.now());
    this.journal.sweep((service) => this.directory.get(service)?.online ?? false);
    if (this.directory.refused > 0) {
      this.logger.warn({ refused: this.directory.refused, max: MAX_SERVICES }, 'names not listed: the directory was full of services that outrank them (the server, clients it lists, peers that answered Identify and are online)');
      this.directory.refused = 0;
    }
    // The hub's Stats only come by Get: read them once per heartbeat.
    if (this.directory.get(HUB_NAME)?.online) this.peer.get(HUB_NAME, ['Stats']).catch(() => {});
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

/** A hub peer's error as the engine's (same code and message; the panel API carries both). */
function rethrow(error: unknown): never {
  if (error instanceof HubError) throw new EngineError(error.code === 'CLOSED' ? 'ENGINE_CLOSED' : error.code, error.message);
  throw error;
}

export function createPanelEngine(options?: PanelEngineOptions): PanelEngine {
  return new PanelEngineImpl(options);
}
