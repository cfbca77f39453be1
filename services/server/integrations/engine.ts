/**
 * The managed integrations engine of AssetHubServer (docs/PROTOCOL.md §5; decisions in
 * docs/PROTOCOL-EXTENSIONS.md, "Managed integrations"): the coordinator of a pipeline
 *   changes (changes.ts) → work queue (work-queue.ts) and Sync all (sync-all.ts) → batches (batch.ts)
 *   → delivery (delivery.ts, one worker per integration) → settle (settle.ts decides, record-outcome.ts writes)
 * over the integrations database (db.ts). Here: the hooks and Calls the server wires in, the workers' lives, and the
 * `Integrations` state with its broadcasts.
 */
import type { TIntegrationAsset, TIntegrationEntry } from '../../../shared/assethub/integrations.ts';
import { dict, dictFrom } from '../../../shared/dict.ts';
import { encodeKey } from '../../../shared/protocol/dot.ts';
import type { Logger } from '../../lib/log.ts';
import type { Catalogue } from '../catalogue/index.ts';
import type { ServerStore } from '../store.ts';
import { Throttle } from './broadcast.ts';
import { queueMetadataChanges } from './changes.ts';
import { Configurations } from './configure.ts';
import { QueryCursor } from './cursor.ts';
import { IntegrationsDb } from './db.ts';
import { Worker } from './delivery.ts';
import { Branches, type Loaded, type Pipeline } from './pipeline.ts';
import { queryAssets, type AssetQuery } from './query.ts';
import { DeliverySender, RETRY_THREAD_MS } from './sender.ts';
import { integrationEntry } from './state-view.ts';
import { cancelSyncAll, startSyncAll } from './sync-all.ts';
import { requeue } from './work-queue.ts';

/** Live figures are broadcast at most this often. */
const BROADCAST_EVERY_MS = 250;

export interface IntegrationEngineOptions {
  /** The integrations database (`integrations.sqlite` in the server's data folder). */
  file: string;
  store: ServerStore;
  catalogue: Catalogue;
  logger: Logger;
  /** The `Integrations` state changed (live counts, progress): broadcast it. Called at most ~4 times a second. */
  onChange?: () => void;
  /** Clock for due times and attempt times (ms since the epoch). */
  now?: () => number;
  /** Bytes of a receiver's answer read at most (contract.ts MAX_RESPONSE_BYTES by default). */
  maxResponseBytes?: number;
}

export class IntegrationEngine {
  private readonly db: IntegrationsDb;
  private readonly sender: DeliverySender;
  private readonly pipeline: Pipeline;
  private readonly configurations: Configurations;
  private readonly workers = new Map<string, Worker>();
  private readonly cursors: QueryCursor;
  private readonly broadcast: Throttle;
  private readonly unsubscribe: () => void;
  private started = false;
  private closed = false;

  constructor(private readonly options: IntegrationEngineOptions) {
    this.db = new IntegrationsDb(options.file);
    const now = options.now ?? Date.now;
    this.sender = new DeliverySender((why) => {
      options.logger.warn({ err: why }, `the delivery thread failed; batches go out from the service's main thread for ${RETRY_THREAD_MS / 1000} s`);
    });
    this.cursors = new QueryCursor(this.db.cursorKey(), now);
    this.broadcast = new Throttle(BROADCAST_EVERY_MS, () => options.onChange?.());
    this.pipeline = {
      db: this.db, store: options.store, catalogue: options.catalogue, logger: options.logger, now,
      branches: new Branches(options.store), touched: (name) => this.touched(name),
    };
    this.configurations = new Configurations(this.pipeline, {
      applied: (it) => this.applied(it),
      removing: (name) => this.stopWorker(name),
    });
    this.unsubscribe = options.catalogue.onMetadataChanged((changed) => {
      if (!this.closed) queueMetadataChanges(this.pipeline, this.loaded.values(), changed);
    });
  }

  private get loaded(): Map<string, Loaded> {
    return this.configurations.loaded;
  }

  /** Starts every integration's worker: pending work, unqueued commits and a running Sync all resume. */
  start(): void {
    this.started = true;
    for (const name of this.loaded.keys()) this.startWorker(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.broadcast.close();
    const workers = [...this.workers.values()];
    for (const w of workers) this.stopWorker(w.name);
    await Promise.all(workers.map((w) => w.done));
    await this.sender.close();
    this.db.close();
  }

  integrityCheck(): string {
    return this.db.integrityCheck();
  }

  /** A commit landed on a branch (or a branch or repository appeared): queue its changes for the integrations following it. */
  onCommit(repository: string): void {
    for (const it of this.loaded.values()) {
      if (!this.pipeline.branches.follows(it.config, repository)) continue;
      const w = this.workers.get(it.name);
      if (!w) continue;
      w.scanNeeded = true;
      w.poke();
    }
  }

  // ---- the state ----

  /** The `Integrations` state: every integration's configuration (no Secret) with its live figures. */
  state(): Record<string, TIntegrationEntry> {
    const out = dict<TIntegrationEntry>(); // keyed by names from Sets: any name is a plain key
    for (const it of [...this.loaded.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const w = this.workers.get(it.name);
      let counts = w?.counts ?? null;
      if (!counts) {
        counts = this.db.counts(it.name);
        if (w) w.counts = counts;
      }
      out[it.name] = integrationEntry(it, counts, w ? w.stream.sync : this.db.sync(it.name));
    }
    return out;
  }

  /**
   * The whole state as it goes on the wire: the state is itself a marked map, so its keys are `[dot]`-encoded here
   * (the service host's codec encodes marked maps inside a state, not a state that is one).
   */
  wire(): Record<string, TIntegrationEntry> {
    return dictFrom(Object.entries(this.state()).map(([name, entry]) => [encodeKey(name), entry] as const));
  }

  /** A Set below `Integrations` (`path` without the state name). Throws ServiceFailure when refused; nothing changes then. */
  set(path: readonly string[], value: unknown): void {
    this.configurations.set(path, value);
  }

  // ---- Calls ----

  queryAssets(p: AssetQuery): { pagination: { limit: number; cursor: string | null; nextCursor: string | null }; results: TIntegrationAsset[] } {
    this.configurations.get(p.Integration);
    return queryAssets(this.pipeline, this.cursors, p);
  }

  /** Queues assets for an immediate attempt, attempts reset (forced past the managed rule). */
  resync(p: { Integration: string; AssetIds: string[] } | { Integration: string; AllFailed: true }): { Queued: number } {
    this.configurations.get(p.Integration);
    const queued = requeue(this.pipeline, p);
    this.touched(p.Integration);
    return { Queued: queued };
  }

  syncAll(p: { Integration: string }): { Total: number } {
    const it = this.configurations.get(p.Integration);
    const row = startSyncAll(this.pipeline, it);
    const w = this.workers.get(it.name);
    if (w) w.stream.sync = row;
    this.touched(it.name);
    return { Total: row.total };
  }

  cancelSync(p: { Integration: string }): { Cancelled: boolean } {
    const it = this.configurations.get(p.Integration);
    const row = cancelSyncAll(this.pipeline, it);
    if (!row) return { Cancelled: false };
    const w = this.workers.get(it.name);
    if (w) w.stream.sync = row;
    this.touched(it.name);
    return { Cancelled: true };
  }

  // ---- workers ----

  private applied(it: Loaded): void {
    const w = this.workers.get(it.name);
    if (!w) {
      if (this.started) this.startWorker(it.name);
    } else {
      w.scanNeeded = true;
      w.stream.dropReadAhead(); // the Filter may have changed
      w.poke();
    }
  }

  private startWorker(name: string): void {
    const w = new Worker(name, {
      pipeline: this.pipeline, sender: this.sender, integration: (n) => this.loaded.get(n), maxResponseBytes: this.options.maxResponseBytes,
    });
    this.workers.set(name, w);
    w.start();
  }

  private stopWorker(name: string): void {
    const w = this.workers.get(name);
    if (!w) return;
    w.stop();
    this.workers.delete(name);
  }

  /** Records changed: counts are stale, the worker may have work, panels should hear of it. */
  private touched(name: string): void {
    const w = this.workers.get(name);
    if (w) {
      w.counts = null;
      w.poke();
    }
    if (!this.closed && this.options.onChange) this.broadcast.poke();
  }
}
