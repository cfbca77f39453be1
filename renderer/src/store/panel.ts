/**
 * The panel's state in the renderer: the snapshot from `hello`, then `patches` (in order, ignoring any batch whose seq
 * is not after the data's) and `connection` events. The transitions are pure functions (tested in panel.test.ts); the
 * zustand store wires them to a host.
 *
 * Events can arrive before the `hello` answer (they travel on the same channel); they are held and applied after the
 * snapshot when they are newer than it. Whenever the browser bridge reopens, the snapshot is loaded again.
 */
import { create } from 'zustand';
import { OPERATIONS_KEPT, type CommandArgs, type CommandName, type CommandResult, type ConnectionStatus, type EventData, type HostInfo, type Operation, type PanelHostApi, type Patch, type ServiceEntry, type Snapshot } from '../../../shared/panel/api.ts';
import type { PanelHost } from '../api/host.ts';
import type { TransportState } from '../api/bridge.ts';
import { copyDict, dict, own } from '../../../shared/dict.ts';
import { withValuesAt } from '../../../shared/protocol/value-path.ts';

export interface PanelData {
  connection: ConnectionStatus;
  /** What the panel's host runs and remembers about the hub. */
  host: HostInfo;
  /** By service name. */
  services: Record<string, ServiceEntry>;
  /** Decoded states by service, then state name. */
  states: Record<string, Record<string, unknown>>;
  /** The operations the engine keeps (newest last), with their outcomes. */
  operations: Operation[];
  /** Seq of the last patch batch applied. */
  seq: number;
}

export function fromSnapshot(snapshot: Snapshot): PanelData {
  const services = dict<ServiceEntry>();
  for (const entry of snapshot.services) services[entry.name] = entry;
  const states = dict<Record<string, unknown>>();
  for (const [service, values] of Object.entries(snapshot.states)) states[service] = { ...values };
  return { connection: snapshot.connection, host: snapshot.host, services, states, operations: snapshot.operations, seq: snapshot.seq };
}

const STAGE: Record<Operation['state'], number> = { started: 0, running: 1, done: 2, failed: 2, unknown: 2 };

/** An operation began or changed; an older report of it (one held while a snapshot loaded) never undoes a newer one. */
export function applyOperation(data: PanelData, op: Operation): PanelData {
  const at = data.operations.findIndex((o) => o.id === op.id);
  if (at >= 0 && STAGE[op.state] < STAGE[data.operations[at]!.state]) return data;
  const operations = at >= 0 ? data.operations.map((o, i) => (i === at ? op : o)) : [...data.operations, op].slice(-OPERATIONS_KEPT);
  return { ...data, operations };
}

/** Puts a state's value into a copy of the service's states. */
function putState(data: PanelData, service: string, state: string, value: unknown): void {
  data.states[service] = { ...own(data.states, service), [state]: value };
}

/** Values below states, gathered per service and state so that each state is copied once per batch. */
type Puts = Map<string, Map<string, Array<readonly [readonly string[], unknown]>>>;

/** Puts the gathered values below `service`'s states (all services' when none is named) into the states held here. */
function flushPuts(data: PanelData, puts: Puts, service?: string): void {
  for (const [name, byState] of puts) {
    if (service !== undefined && name !== service) continue;
    puts.delete(name);
    for (const [state, values] of byState) {
      // A value below a state goes into the state held here (needsSnapshot() says when there is none).
      const base = own(own(data.states, name) ?? {}, state);
      if (base !== undefined) putState(data, name, state, withValuesAt(base, values));
    }
  }
}

function applyPatch(data: PanelData, patch: Patch, puts: Puts): void {
  switch (patch.type) {
    case 'state': {
      if (patch.path) {
        const byState = puts.get(patch.service) ?? new Map<string, Array<readonly [readonly string[], unknown]>>();
        puts.set(patch.service, byState);
        const values = byState.get(patch.state);
        if (values) values.push([patch.path, patch.value]);
        else byState.set(patch.state, [[patch.path, patch.value]]);
        break;
      }
      flushPuts(data, puts, patch.service);
      putState(data, patch.service, patch.state, patch.value);
      break;
    }
    case 'service':
      data.services[patch.entry.name] = patch.entry;
      break;
    case 'forget':
      flushPuts(data, puts, patch.service);
      delete data.services[patch.service];
      delete data.states[patch.service];
      break;
  }
}

/** Whether the batch puts a value below a state this data does not hold: only a new snapshot can apply it. */
export function needsSnapshot(data: PanelData, batch: EventData<'patches'>): boolean {
  if (batch.seq <= data.seq) return false;
  // Whole states earlier in this batch, by service then state (a path below one of them goes into it).
  const held = new Map<string, Set<string>>();
  for (const patch of batch.patches) {
    if (patch.type !== 'state') continue;
    if (!patch.path) {
      const states = held.get(patch.service) ?? new Set<string>();
      held.set(patch.service, states.add(patch.state));
    } else if (!held.get(patch.service)?.has(patch.state) && own(own(data.states, patch.service) ?? {}, patch.state) === undefined) return true;
  }
  return false;
}

/** Applies one batch; a batch at or before the data's seq is ignored (returns the same object). */
export function applyPatches(data: PanelData, batch: EventData<'patches'>): PanelData {
  if (batch.seq <= data.seq) return data;
  // Copies without a prototype: a service named `__proto__` or `constructor` is a key like any other. The services map
  // is copied only when the batch changes it, so what is derived from it (the sorted clients) is kept across Updates;
  // applyPatch replaces the states object of the service a patch names and no other.
  const services = batch.patches.some((p) => p.type !== 'state') ? copyDict(data.services) : data.services;
  const next: PanelData = { ...data, services, states: copyDict(data.states), seq: batch.seq };
  const puts: Puts = new Map();
  for (const patch of batch.patches) applyPatch(next, patch, puts);
  flushPuts(next, puts);
  return next;
}

/** A connection status replaces the current one unless it is older. */
export function applyConnection(data: PanelData, status: ConnectionStatus): PanelData {
  return status.since < data.connection.since ? data : { ...data, connection: status };
}

const KIND_ORDER: Record<ServiceEntry['kind'], number> = { server: 0, client: 1, hub: 2, panel: 3, other: 4 };

/** Services for display: the server, then clients, hub, panels, others; by name within each. */
export function sortedServices(data: PanelData | null): ServiceEntry[] {
  if (!data) return [];
  return Object.values(data.services).sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));
}

// ---- the store ----

export type LoadState = { phase: 'idle' } | { phase: 'loading' } | { phase: 'ready' } | { phase: 'error'; message: string };

export interface PanelStore {
  host: PanelHost['kind'];
  /** The browser bridge's own state; null for Electron and without a host. */
  transport: TransportState | null;
  load: LoadState;
  data: PanelData | null;
  /** Attaches to a host; returns the detach function. */
  start(host: PanelHost): () => void;
  /** Loads the snapshot again. */
  reload(): Promise<void>;
  connect(hubUrl: string, token?: string): Promise<void>;
  disconnect(): Promise<void>;
  /** Runs a panel API command through the attached host. */
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>>;
  /** Listens to the message log's entries from whichever host is attached (now or later); returns the unsubscribe. */
  onLog(listener: (data: EventData<'log'>) => void): () => void;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const createPanelStore = () => {
  let api: PanelHostApi | null = null;
  /** Events that came while a snapshot was loading. */
  let held: Array<
    { type: 'patches'; data: EventData<'patches'> } | { type: 'connection'; data: ConnectionStatus } | { type: 'host'; data: HostInfo } | { type: 'operation'; data: Operation }
  > | null = null;
  let loadGeneration = 0;
  /**
   * Patch batches received, applied together once the tasks already queued have run: frames that piled up while the
   * page was kept from a core (or busy) become one store change and one render, not one each.
   */
  let queued: Array<EventData<'patches'>> = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const logListeners = new Set<(data: EventData<'log'>) => void>();
  const onLogEvent = (data: EventData<'log'>) => {
    for (const listener of logListeners) listener(data);
  };

  return create<PanelStore>()((set, get) => {
    const reload = async (): Promise<void> => {
      if (!api) return;
      const generation = ++loadGeneration;
      // Batches still queued go after the snapshot, like those that come while it loads (only newer ones apply).
      held = queued.map((data) => ({ type: 'patches' as const, data }));
      queued = [];
      set({ load: { phase: 'loading' } });
      try {
        const snapshot = await api.invoke('hello', {});
        if (generation !== loadGeneration) return;
        let data = fromSnapshot(snapshot);
        for (const event of held ?? []) {
          if (event.type === 'patches') data = applyPatches(data, event.data);
          else if (event.type === 'connection') data = applyConnection(data, event.data);
          else if (event.type === 'operation') data = applyOperation(data, event.data);
          else data = { ...data, host: event.data };
        }
        held = null;
        set({ data, load: { phase: 'ready' } });
      } catch (error) {
        if (generation !== loadGeneration) return;
        held = null;
        set({ load: { phase: 'error', message: errorText(error) } });
      }
    };

    /** Applies the batches queued, as one batch: one store change, one render. */
    const applyQueued = () => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      const data = get().data;
      const fresh = queued.filter((b) => data && b.seq > data.seq);
      queued = [];
      const last = fresh.at(-1);
      if (!data || !last) return;
      const batch = fresh.length === 1 ? last : { seq: last.seq, patches: fresh.flatMap((b) => b.patches) };
      if (needsSnapshot(data, batch)) void reload();
      else set({ data: applyPatches(data, batch) });
    };
    const onPatches = (batch: EventData<'patches'>) => {
      if (held) held.push({ type: 'patches', data: batch });
      if (!get().data || held) return;
      queued.push(batch);
      flushTimer ??= setTimeout(applyQueued, 0);
    };
    const onConnection = (status: ConnectionStatus) => {
      if (held) held.push({ type: 'connection', data: status });
      applyQueued();
      const data = get().data;
      if (data && !held) set({ data: applyConnection(data, status) });
    };

    const onOperation = (op: Operation) => {
      if (held) held.push({ type: 'operation', data: op });
      applyQueued();
      const data = get().data;
      if (data && !held) set({ data: applyOperation(data, op) });
    };

    const onHost = (info: HostInfo) => {
      if (held) held.push({ type: 'host', data: info });
      applyQueued();
      const data = get().data;
      if (data && !held) set({ data: { ...data, host: info } });
    };

    return {
      host: 'none',
      transport: null,
      load: { phase: 'idle' },
      data: null,
      start(host) {
        if (host.kind === 'none') {
          set({ host: 'none', transport: null, load: { phase: 'idle' }, data: null });
          return () => {};
        }
        api = host.api;
        set({ host: host.kind });
        const offs = [host.api.on('patches', onPatches), host.api.on('connection', onConnection), host.api.on('host', onHost), host.api.on('log', onLogEvent), host.api.on('operation', onOperation)];
        if (host.kind === 'bridge') {
          const bridge = host.api;
          offs.push(
            bridge.onTransport((transport) => {
              set({ transport });
              if (transport.state === 'open') void reload();
            }),
          );
          bridge.start();
          set({ transport: bridge.transport });
          if (bridge.transport.state === 'open') void reload();
          offs.push(() => bridge.close());
        } else {
          void reload();
        }
        return () => {
          for (const off of offs) off();
          api = null;
          loadGeneration++;
          held = null;
          queued = [];
          if (flushTimer) clearTimeout(flushTimer);
          flushTimer = null;
        };
      },
      reload,
      async connect(hubUrl, token) {
        if (!api) throw new Error('no panel host');
        await api.invoke('connect', token ? { hubUrl, token } : { hubUrl });
      },
      async disconnect() {
        if (!api) throw new Error('no panel host');
        await api.invoke('disconnect', {});
      },
      invoke(command, args) {
        if (!api) return Promise.reject(Object.assign(new Error('no panel host is attached'), { code: 'NO_HOST' }));
        return api.invoke(command, args);
      },
      onLog(listener) {
        logListeners.add(listener);
        return () => logListeners.delete(listener);
      },
    };
  });
};

/** The page's store. */
export const usePanel = createPanelStore();
