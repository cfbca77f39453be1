/**
 * What the renderer is told, at most PATCH_RATE_HZ times per second. Changes are marked, not queued: a service entry
 * or a state changed 500 times between two flushes is sent once, with its value at flush time, so the pending work
 * is bounded by the number of services and states, never by the Update rate. Message log entries are batched on the
 * same tick, at most LOG_BATCH_MAX per batch (the oldest pending ones are dropped; their seq gap shows it; the
 * engine's ring still holds them).
 */
import { PATCH_RATE_HZ, type EventData, type LogEntry, type Patch, type ServiceEntry } from '../../shared/panel/api.ts';

export const LOG_BATCH_MAX = 1000;

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
  /** Changed states, by service. */
  private readonly states = new Map<string, Set<string>>();
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

  state(service: string, state: string): void {
    const set = this.states.get(service);
    if (set) set.add(state);
    else this.states.set(service, new Set([state]));
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
    for (const [service, states] of this.states) {
      for (const state of states) {
        const value = this.source.state(service, state);
        if (value !== undefined) patches.push({ type: 'state', service, state, value });
      }
    }
    this.states.clear();
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
