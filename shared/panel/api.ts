/**
 * The panel API: the typed contract between the panel engine (main) and the renderer, carried by Electron IPC or by
 * the browser host's WebSocket bridge. Every command and event is validated where it crosses a process boundary,
 * with these schemas.
 */
import { z } from 'zod';
import { nameRecord } from '../dict.ts';
import { ReceiverRuleAnswer } from '../assethub/demo-receiver.ts';
import { ConnectionProblemKind } from './connection-problem.ts';

// ---- shared shapes ----

export const ConnectionStatus = z.object({
  state: z.enum(['disconnected', 'connecting', 'connected', 'reconnecting', 'failed']),
  hubUrl: z.string(),
  /** The panel's own service name on the hub. */
  panelName: z.string(),
  /** Reconnect attempt number while reconnecting. */
  attempt: z.number().int().nonnegative().optional(),
  /** When the next attempt starts (ms since epoch), while reconnecting. */
  retryAt: z.number().optional(),
  /** Why the last connection ended or failed. */
  reason: z.string().optional(),
  /** The kind of `reason` (connection-problem.ts), while not connected. */
  problem: ConnectionProblemKind.optional(),
  /** When the panel was last connected to this hub (ms since epoch); absent: not yet since it was chosen. */
  lastConnected: z.number().optional(),
  /** When this state began (ms since epoch). */
  since: z.number(),
});
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

export const ServiceKind = z.enum(['server', 'client', 'hub', 'panel', 'other']);

/**
 * What a server or client offers (shared/assethub/capabilities.ts): `checking` while its GetCapabilities is asked
 * (methods and states are then the documented ones), `discovered` when it answered, `documented` when it did not
 * (within the Call timeout, or with a Failure): Pixotope's documented protocol only, and `reason` says why.
 */
export const ServiceOffer = z.object({
  source: z.enum(['checking', 'discovered', 'documented']),
  methods: z.array(z.string().max(256)).max(1024),
  states: z.array(z.string().max(256)).max(1024),
  reason: z.string().max(1024).nullable(),
});
export type ServiceOffer = z.infer<typeof ServiceOffer>;

export const ServiceEntry = z.object({
  name: z.string(),
  kind: ServiceKind,
  machine: z.string().nullable(),
  online: z.boolean(),
  /** Last time anything was heard from it (ms since epoch), or null if only known by name. */
  lastSeen: z.number().nullable(),
  version: z.string().nullable(),
  startedAt: z.string().nullable(),
  /** Set when a Value from this service failed validation: it was kept out of the cache. */
  error: z.string().nullable(),
  /** What it offers (servers and clients, once heard); null for other peers and before discovery starts. */
  offer: ServiceOffer.nullable(),
});
export type ServiceEntry = z.infer<typeof ServiceEntry>;

/** Decoded and validated states of one service, by state name; a state not read yet is absent. */
export const ServiceStates = nameRecord(z.unknown());

/** How the operator picks the hub: the embedded reference services, or a hub by address (ws://, wss://, zmq://). */
export const HubChoice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('embedded') }),
  z.object({ kind: z.literal('hub'), hubUrl: z.string().min(1).max(2048), token: z.string().max(4096).optional() }),
]);
export type HubChoice = z.infer<typeof HubChoice>;

/** What the panel's host runs and remembers about the hub (the engine only knows the connection). */
export const HostInfo = z.object({
  /** Whether this host can change hubs at all (a host without embedded services or settings cannot). */
  canChoose: z.boolean(),
  /** What the panel is on: the embedded services, a hub the operator (or the command line) chose, or none yet. */
  hub: z.enum(['embedded', 'chosen', 'none']),
  /** The embedded reference services: their fabric, whether they run, where they keep their data. */
  embedded: z.object({
    fabric: z.enum(['ws', 'zmq']),
    running: z.boolean(),
    dataDir: z.string(),
    /** A temporary folder (--ephemeral), removed when the host stops; otherwise kept between runs. */
    ephemeral: z.boolean(),
    /** How `openDataFolder` opens it, in the operator's words; null: this host cannot (the panel offers the path to copy). */
    opensWith: z.string().nullable(),
  }).nullable(),
  /** A Pixotope Data Hub answered on this machine's ports at start: the panel offers to join it. */
  offer: z.object({ hubUrl: z.string(), description: z.string() }).nullable(),
  /** Whether the current choice will be used again at the next start, and what the operator should know about it. */
  remembered: z.boolean(),
  note: z.string().nullable(),
  /** A change of hub in progress or the last one that failed. */
  switching: z.object({ to: z.string(), error: z.string().nullable() }).nullable(),
  /**
   * Whose workspace folders `openWorkspaceFolder` can open on the host's desktop: this machine's and, while they run,
   * the embedded clients' (their folders are on this disk too), and how. Null: none (the panel offers the path to copy).
   */
  folders: z.object({ opensWith: z.string(), machines: z.array(z.string()) }).nullable(),
  /**
   * The demo webhook receiver of the embedded services this host started, while they run: its webhook URL (what the
   * demo integration's EndpointUrl names). Its admin API is the engine's to call (`demoReceiverRule`,
   * `setDemoReceiverRule`), never the page's. Null: no such receiver (another hub, or the services are down).
   */
  demoReceiver: z.object({ url: z.string() }).nullable(),
});
export type HostInfo = z.infer<typeof HostInfo>;

export const NO_HOST_INFO: HostInfo = { canChoose: false, hub: 'none', embedded: null, offer: null, remembered: false, note: null, switching: null, folders: null, demoReceiver: null };

/**
 * An operation the operator started through this panel engine (a Call that changes something), kept by the engine so
 * that a reload or a second window shows it, with its outcome once known (main/hub/operations.ts).
 */
export const Operation = z.object({
  id: z.number().int().nonnegative(),
  service: z.string(),
  method: z.string(),
  /** What it acts on: its params' Workspace, Repository, Integration or URI ('' when none). */
  subject: z.string(),
  /** The panel that started it (its service name on the hub). */
  by: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /**
   * started: sent, or accepted and not yet seen working; running: the workspace reports it working; done / failed:
   * ended, `outcome` says how; unknown: ended without a word (its service went away or never reported it).
   */
  state: z.enum(['started', 'running', 'done', 'failed', 'unknown']),
  outcome: z.string().nullable(),
  /** How its end became known: its CallResult (or Failure), or later, from its workspace (null until it ends). */
  via: z.enum(['call', 'workspace']).nullable(),
  /** Its workspace's Status Message when it ended (null: no workspace, or not known): a newer one means more happened. */
  after: z.string().nullable(),
});
export type Operation = z.infer<typeof Operation>;
/** How many operations the engine keeps, newest last. */
export const OPERATIONS_KEPT = 200;

export const Snapshot = z.object({
  connection: ConnectionStatus,
  host: HostInfo,
  services: z.array(ServiceEntry),
  /** By service name (names from the wire: read into a prototype-free map). */
  states: nameRecord(ServiceStates),
  operations: z.array(Operation).max(OPERATIONS_KEPT),
  /** Sequence number of the last patch folded into this snapshot. */
  seq: z.number().int().nonnegative(),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const Patch = z.discriminatedUnion('type', [
  /**
   * A state's value; with `path`, the value at that path below the state (one client's entry of a 500-client
   * WorkspaceInfo), to be put into the state the renderer already holds.
   */
  z.object({ type: z.literal('state'), service: z.string(), state: z.string(), path: z.array(z.string()).min(1).optional(), value: z.unknown() }),
  z.object({ type: z.literal('service'), entry: ServiceEntry }),
  z.object({ type: z.literal('forget'), service: z.string() }),
]);
export type Patch = z.infer<typeof Patch>;

export const LogEntry = z.object({
  seq: z.number().int().nonnegative(),
  time: z.number(),
  direction: z.enum(['in', 'out']),
  /** The decoded topic; absent for a frame that could not be decoded. */
  topic: z.record(z.string(), z.string()).nullable(),
  size: z.number().int().nonnegative(),
  /** The Message as JSON text, cut at LOG_BODY_LIMIT characters. */
  body: z.string(),
  truncated: z.boolean(),
});
export type LogEntry = z.infer<typeof LogEntry>;
export const LOG_BODY_LIMIT = 64 * 1024;
/**
 * The most entries, and body characters, one `logHistory` page carries: well under the 1 MiB a bridge socket may
 * queue before it stops sending live `log` events, so loading the history never costs live frames.
 */
export const LOG_PAGE_LIMIT = 500;
export const LOG_PAGE_CHARS = 256 * 1024;

export const ApiError = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

// ---- commands (renderer → engine) ----

const ServiceArg = z.string().min(1);
const PathArg = z.array(z.string()).min(1);

export const COMMANDS = {
  /** The current snapshot; events follow it. */
  hello: { args: z.object({}), result: Snapshot },
  connect: { args: z.object({ hubUrl: z.string().url(), token: z.string().optional() }), result: z.object({}) },
  disconnect: { args: z.object({}), result: z.object({}) },
  /** Changes the hub through the host (embedded services or an address); remembered for the next start. */
  chooseHub: { args: z.object({ choice: HubChoice }), result: z.object({}) },
  /** Opens the embedded services' data folder on the host's desktop (the host's own folder: no path is taken). */
  openDataFolder: { args: z.object({}), result: z.object({}) },
  /**
   * Opens a client's workspace folder on the host's desktop: only a workspace that client reports, on a machine in
   * `HostInfo.folders.machines`, and only a folder (never a file, which the desktop would run).
   */
  openWorkspaceFolder: { args: z.object({ service: ServiceArg, workspace: z.string().min(1).max(4096) }), result: z.object({}) },
  /** The failure rule of the embedded demo receiver (`HostInfo.demoReceiver`), as the receiver answers it; null: none. */
  demoReceiverRule: { args: z.object({}), result: z.object({ rule: ReceiverRuleAnswer }) },
  /** Sets that rule: `none` heals the receiver (it answers every asset), `demo` puts the demo's rule back. */
  setDemoReceiverRule: { args: z.object({ rule: z.enum(['none', 'demo']) }), result: z.object({ rule: ReceiverRuleAnswer }) },
  get: { args: z.object({ service: ServiceArg, path: PathArg }), result: z.unknown() },
  /** Resolves when the service's confirming Update shows the value; rejects on refusal or timeout. */
  set: { args: z.object({ service: ServiceArg, path: PathArg, value: z.unknown() }), result: z.object({}) },
  reset: { args: z.object({ service: ServiceArg }), result: z.object({}) },
  /** Resolves to the Result; rejects with the service's Failure (code and message). */
  call: { args: z.object({ service: ServiceArg, method: z.string().min(1), params: nameRecord(z.unknown()) }), result: z.unknown() },
  /** The engine's message log before `before` (a seq), newest page first, so a reload or a second window has it. */
  logHistory: {
    args: z.object({ before: z.number().int().nonnegative().optional(), limit: z.number().int().min(1).max(LOG_PAGE_LIMIT).optional() }),
    result: z.object({ entries: z.array(LogEntry), more: z.boolean() }),
  },
  /**
   * Live `log` events to this page on or off (off when a page connects). The engine answers; the transport (the
   * page's bridge socket, the desktop window) keeps the choice: a page without the message log open does not take
   * every frame the engine sees (at 500 machines, megabytes a second).
   */
  watchLog: { args: z.object({ on: z.boolean() }), result: z.object({ on: z.boolean() }) },
  logControl: {
    args: z.object({ paused: z.boolean().optional(), capacity: z.number().int().min(100).max(1_000_000).optional(), clear: z.boolean().optional() }),
    result: z.object({ paused: z.boolean(), capacity: z.number() }),
  },
} as const;
export type CommandName = keyof typeof COMMANDS;
export type CommandArgs<C extends CommandName> = z.input<(typeof COMMANDS)[C]['args']>;
export type CommandResult<C extends CommandName> = z.output<(typeof COMMANDS)[C]['result']>;

export const CommandRequest = z.object({ id: z.number().int().nonnegative(), command: z.string(), args: z.unknown() });
export const CommandResponse = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: ApiError }),
]);
export type CommandResponse = z.infer<typeof CommandResponse>;

// ---- events (engine → renderer) ----

/** Patches come in batches, at most PATCH_RATE_HZ batches per second. */
export const PATCH_RATE_HZ = 30;

export const EVENTS = {
  patches: z.object({ seq: z.number().int(), patches: z.array(Patch) }),
  connection: ConnectionStatus,
  host: HostInfo,
  log: z.object({ entries: z.array(LogEntry) }),
  /** An operation began or changed (upsert by id). */
  operation: Operation,
} as const;
export type EventName = keyof typeof EVENTS;
export type EventData<E extends EventName> = z.infer<(typeof EVENTS)[E]>;

export const EventMessage = z.object({ event: z.enum(['patches', 'connection', 'host', 'log', 'operation']), data: z.unknown() });

/** The page's live-log choice after this answer: on or off for a successful `watchLog`, null for anything else. */
export function logWatchAfter(command: string, response: CommandResponse): boolean | null {
  if (command !== 'watchLog' || !response.ok) return null;
  const result = COMMANDS.watchLog.result.safeParse(response.result);
  return result.success ? result.data.on : null;
}

/** Validates a command's arguments; the error names the command and the field. */
export function parseCommand(command: string, args: unknown):
  | { ok: true; command: CommandName; args: unknown }
  | { ok: false; error: ApiError } {
  if (!Object.prototype.hasOwnProperty.call(COMMANDS, command)) return { ok: false, error: { code: 'UNKNOWN_COMMAND', message: `no command "${command}"` } };
  const name = command as CommandName;
  const parsed = COMMANDS[name].args.safeParse(args ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'INVALID_ARGS', message: `${command}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ')}` } };
  }
  return { ok: true, command: name, args: parsed.data };
}

export function parseEvent<E extends EventName>(event: E, data: unknown): EventData<E> | null {
  const parsed = EVENTS[event].safeParse(data);
  return parsed.success ? (parsed.data as EventData<E>) : null;
}

/**
 * What the renderer needs from a host (Electron preload or the browser bridge). Exposed on `window.assetHubPanel` by
 * the Electron preload; implemented over a WebSocket by the browser host's client.
 */
export interface PanelHostApi {
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>>;
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
}
