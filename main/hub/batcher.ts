/**
 * What the renderer is told, at most PATCH_RATE_HZ times per second. Changes are marked, not queued: a service entry
 * or a state changed 500 times between two flushes is sent once, with its value at flush time, so the pending work
 * is bounded by the number of services and states, never by the Update rate, and a batch by
 * STATE_PATCHES_PER_BATCH_MAX state patches. A state that changed only at a few paths
 * below it (one client's entry of the server's WorkspaceInfo) is sent as those paths' values. Message log entries are batched on the
 * same tick, at most LOG_BATCH_MAX per batch (the oldest pending ones are dropped; their seq gap shows it; the
 * engine's ring still holds them).
 */
import { PATCH_RATE_HZ, type EventData, type LogEntry, type Patch, type ServiceEntry } from '../../shared/panel/api.ts';
import { valueAt } from '../../shared/protocol/value-path.ts';

export const LOG_BATCH_MAX = 1000;
/**
 * Beyond this many changed paths in one state between two flushes, the whole state is sent: a path patch saves
 * sending a 500-client WorkspaceInfo for one client's entry, not for most of them.
 */
export const PATHS_PER_STATE_MAX = 64;
/**
 * The most state patches one batch carries; the rest go in the next ones, oldest marked first. A commit makes every
 * client re-broadcast its states at once (500 machines: some 2,000 patches); the page takes them as a few batches a
 * tick apart, each a short task, rather than as one that holds its main thread for a fifth of a second.
 */
export const STATE_PATCHES_PER_BATCH_MAX = 256;

/** A state changed anywhere, or only at these paths (keyed by their segments as JSON: no two paths share a key). */
type Mark = 'whole' | Map<string, readonly string[]>;

export interface BatchSource {
  entry(name: string): ServiceEntry | undefined;
  state(service: string, state: string): unknown;
}

export interface BatchSink {
  patches(data: EventData<'patches'>): void;
  log(data: EventData<'log'>): void;
}

export class Batcher {
  private readonly services = new Set<string>();
  private readonly forgotten = new Set<string>();
  /** Changed states, by service, then state. */
  private readonly states = new Map<string, Map<string, Mark>>();
  private logs: LogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;
  private readonly intervalMs: number;
  private closed = false;
  /** Sequence number of the last patches batch emitted. */
  seq = 0;

  constructor(
    private readonly source: BatchSource,
    private readonly sink: BatchSink,
    rateHz: number = PATCH_RATE_HZ,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = Math.ceil(1000 / rateHz);
  }

  service(name: string): void {
    this.services.add(name);
    this.schedule();
  }

  forget(name: string): void {
    this.forgotten.add(name);
    this.services.delete(name);
    this.states.delete(name);
    this.schedule();
  }

  /** A state changed: at `path` below it only, or (no path) anywhere. */
  state(service: string, state: string, path?: readonly string[]): void {
    let marks = this.states.get(service);
    if (!marks) this.states.set(service, (marks = new Map()));
    const mark = marks.get(state);
    if (!path || path.length === 0 || mark === 'whole') marks.set(state, 'whole');
    else {
      const paths = mark ?? new Map<string, readonly string[]>();
      paths.set(JSON.stringify(path), path);
      marks.set(state, paths.size > PATHS_PER_STATE_MAX ? 'whole' : paths);
    }
    this.schedule();
  }

  log(entry: LogEntry): void {
    this.logs.push(entry);
    // Keep at most twice the batch size pending: trimming one element at a time would be quadratic under a flood.
    if (this.logs.length > 2 * LOG_BATCH_MAX) this.logs = this.logs.slice(-LOG_BATCH_MAX);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const delay = Math.max(0, this.lastFlush + this.intervalMs - this.now());
    this.timer = setTimeout(() => this.flush(), delay);
  }

  /** Emits what is pending now (normally called by the timer). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastFlush = this.now();
    const patches: Patch[] = [];
    for (const name of this.forgotten) patches.push({ type: 'forget', service: name });
    this.forgotten.clear();
    for (const name of this.services) {
      const entry = this.source.entry(name);
      if (entry) patches.push({ type: 'service', entry: { ...entry } });
    }
    this.services.clear();
    const limit = patches.length + STATE_PATCHES_PER_BATCH_MAX;
    for (const [service, marks] of this.states) {
      for (const [state, mark] of marks) {
        if (patches.length >= limit) break;
        marks.delete(state);
        const value = this.source.state(service, state);
        if (value === undefined) continue;
        // Values as they are now, so the order of the paths does not matter; one that is gone sends the whole state.
        const parts = mark === 'whole' ? null : [...mark.values()].map((path) => ({ path: [...path], value: valueAt(value, path) }));
        if (!parts || parts.some((p) => p.value === undefined)) patches.push({ type: 'state', service, state, value });
        else for (const p of parts) patches.push({ type: 'state', service, state, path: p.path, value: p.value });
      }
      if (marks.size === 0) this.states.delete(service);
      if (patches.length >= limit) break;
    }
    // What did not fit goes in the next batch, a tick from now.
    if (this.states.size > 0) this.schedule();
    const logs = this.logs.length > LOG_BATCH_MAX ? this.logs.slice(-LOG_BATCH_MAX) : this.logs;
    this.logs = [];
    if (patches.length > 0) this.sink.patches({ seq: ++this.seq, patches });
    if (logs.length > 0) this.sink.log({ entries: logs });
  }

  /** Drops the pending log entries (the log was cleared). */
  clearLog(): void {
    this.logs = [];
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
