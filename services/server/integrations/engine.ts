/**
 * The managed integrations engine of AssetHubServer (docs/PROTOCOL.md §5; decisions in
 * docs/PROTOCOL-EXTENSIONS.md, "Managed integrations").
 *
 * Per integration one worker loop, which in turn:
 * 1. queues the changes of new commits: for every followed branch whose head is past the integration's cursor, one
 *    page of the delta (cursor, head] through the catalogue with the integration's Filter becomes work (INSERT/MODIFY
 *    → `sync` unless the managed rule skips it, REMOVE → `deleted` for an asset the receiver has) in the same
 *    transaction that moves the cursor; so a commit that landed is delivered even if the server dies right after it
 *    (on start every cursor is compared with its branch head again);
 * 2. when Enabled, delivers one batch: queued or retrying records that are due (a batch that failed as a whole is
 *    retried together under its delivery id), else the next page of a running Sync all (streamed from the catalogue
 *    at the branch heads fixed when it started, its cursor moved with each batch's outcome);
 * 3. otherwise sleeps until the next record is due or something wakes it.
 * Up to MAX_IN_FLIGHT batches per integration are out at once, never two with the same asset; the next one is
 * prepared while they are (pipelining), and their outcomes are recorded in sending order.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as immediate } from 'node:timers/promises';
import type { TAsset } from '../../../shared/assethub/catalogue.ts';
import { QUERY_LIMIT_DEFAULT } from '../../../shared/assethub/catalogue.ts';
import { addToTally, emptyTally, tallyFields, type TallyItem } from './sync-tally.ts';
import {
  integrationNameProblem, type TIntegrationAsset, type TIntegrationConfig, type TIntegrationEntry, type TIntegrationStatus,
} from '../../../shared/assethub/integrations.ts';
import { dict, dictFrom } from '../../../shared/dict.ts';
import { decodeKey, encodeKey } from '../../../shared/protocol/dot.ts';
import { compileFilter, emptyFilter, type CompiledFilter } from '../../../shared/rsql/filter.ts';
import { ServiceFailure, fail } from '../../lib/failure.ts';
import type { Logger } from '../../lib/log.ts';
import { assetMatches, type Catalogue, type MetadataChange } from '../catalogue/index.ts';
import type { Branch, Repository, ServerStore } from '../store.ts';
import { checkConfig, resolveField, resolveInput } from './config.ts';
import {
  assetForDelivery, contentHash, deliveryBody, derivedDeliveryId, type Action, type PostOutcome, type SyncType,
} from './contract.ts';
import { QueryCursor } from './cursor.ts';
import { DeliverySender, RETRY_THREAD_MS } from './sender.ts';
import { IntegrationsDb, cursorKey, type RecordRow, type SyncRow } from './db.ts';
import { ATTEMPTS_KEPT } from './schema.ts';

/** Changes queued per step when turning a commit into work. */
const SCAN_PAGE = 500;
/** Assets read ahead per catalogue page for Sync all (fewer, larger reads: each page costs a read transaction and lookups). */
const READ_AHEAD = 500;
/** Records looked at per QueryIntegrationAssets with selectors beyond assetId (a page may come back short, with a cursor). */
const QUERY_SCAN_BUDGET = 2000;
/** Sync all outcomes are committed together: after this many batches or this long, whichever comes first. */
const GROUP_BATCHES = 100;
const GROUP_DELAY_MS = 500;
/**
 * Batches out at once per integration (never two with the same asset): the receiver works on one while the outcome
 * of the other is recorded and the next is prepared.
 */
const MAX_IN_FLIGHT = 2;
/** The outcome of a batch with nothing to send (every asset of a Sync all page left to its own pending work). */
const NOTHING_SENT: PostOutcome = { ok: true, httpStatus: 0, items: new Map(), response: '' };
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

interface Loaded {
  name: string;
  uid: string;
  config: TIntegrationConfig;
  filter: CompiledFilter;
  lastDeliveryAt: string | null;
  lastError: string | null;
}

interface Member {
  assetId: string;
  repository: string;
  branch: string;
  uri: string;
  action: SyncType;
  asset: TAsset;
  /** The record as it was when the batch was built (null: none). */
  record: RecordRow | null;
  hash: string;
}

interface Batch {
  kind: 'records' | 'stream';
  deliveryId: string;
  members: Member[];
  /** The request body; emptied once handed to the sender. */
  body: string;
  /** Stream batches: assets left to their own pending work (forced), and the Sync all cursor after this batch. */
  forced: string[];
  stream: { gen: string; branchIndex: number; after: string | null; count: number } | null;
  /**
   * The integration's record epoch (IntegrationsDb.epoch) when the members' records were read, if they were read as
   * they are in the database (stream batches); while it is unchanged they still are, and settle() needs no lookup.
   */
  epoch: number | null;
}

/** Whether two batches share no asset (members or forced). */
function disjoint(a: Batch, b: Batch): boolean {
  const ids = new Set<string>(a.forced);
  for (const m of a.members) ids.add(m.assetId);
  return !b.members.some((m) => ids.has(m.assetId)) && !b.forced.some((id) => ids.has(id));
}

interface Worker {
  name: string;
  stopped: boolean;
  scanNeeded: boolean;
  wake: (() => void) | null;
  cancel: AbortController;
  done: Promise<void>;
  counts: Record<TIntegrationStatus, number> | null;
  sync: SyncRow | null;
  /** Sync all read-ahead: assets of one branch after `from`, in uri order, from one catalogue page. */
  readAhead: ReadAhead | null;
}

interface ReadAhead {
  gen: string;
  branchIndex: number;
  from: string | null;
  assets: TAsset[];
  last: boolean;
  /** Index of the first asset not yet taken into a batch. */
  next: number;
  /**
   * The records of the assets not yet taken, as they were at record epoch `epoch` (one lookup per page instead of one
   * per batch); read again when the epoch moved for another reason than a batch of this page being settled.
   */
  records: Map<string, RecordRow>;
  epoch: number;
}

interface Attempt { at: string; deliveryId: string; httpStatus: number | null; error: string | null; response: string | null }

function appendAttempt(log: string, attempt: Attempt): string {
  if (log === '[]') return JSON.stringify([attempt]);
  let list: Attempt[];
  try {
    list = JSON.parse(log) as Attempt[];
  } catch {
    list = [];
  }
  list.push(attempt);
  return JSON.stringify(list.slice(-ATTEMPTS_KEPT));
}

export class IntegrationEngine {
  private readonly db: IntegrationsDb;
  private readonly sender: DeliverySender;
  private readonly loaded = new Map<string, Loaded>();
  private readonly workers = new Map<string, Worker>();
  private readonly now: () => number;
  private readonly cursors: QueryCursor;
  private readonly unsubscribe: () => void;
  /** Branches by repository and name (they are never renamed or removed). */
  private readonly branchCache = new Map<string, Branch>();
  private broadcastTimer: NodeJS.Timeout | null = null;
  private lastBroadcast = 0;
  private started = false;
  private closed = false;

  constructor(private readonly options: IntegrationEngineOptions) {
    this.db = new IntegrationsDb(options.file);
    this.now = options.now ?? Date.now;
    this.sender = new DeliverySender((why) => {
      options.logger.warn({ err: why }, `the delivery thread failed; batches go out from the service's main thread for ${RETRY_THREAD_MS / 1000} s`);
    });
    this.cursors = new QueryCursor(this.db.cursorKey(), this.now);
    for (const row of this.db.integrations()) {
      try {
        // Stored before such names were refused: not run (its records stay in the database).
        const problem = integrationNameProblem(row.name);
        if (problem) throw new Error(problem);
        const { config, filter } = checkConfig(JSON.parse(row.config), new Set(this.options.store.repositories().map((r) => r.name)));
        this.loaded.set(row.name, { name: row.name, uid: row.uid, config, filter, lastDeliveryAt: row.lastDeliveryAt, lastError: row.lastError });
      } catch (error) {
        options.logger.error({ integration: row.name, err: error instanceof Error ? error.message : String(error) }, 'integration configuration no longer valid; it is not run');
      }
    }
    this.unsubscribe = options.catalogue.onMetadataChanged((changed) => this.onMetadataChanged(changed));
  }

  /** Starts every integration's worker: pending work, unqueued commits and a running Sync all resume. */
  start(): void {
    this.started = true;
    for (const name of this.loaded.keys()) this.startWorker(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    if (this.broadcastTimer) clearTimeout(this.broadcastTimer);
    const workers = [...this.workers.values()];
    for (const w of workers) this.stopWorker(w);
    await Promise.all(workers.map((w) => w.done));
    await this.sender.close();
    this.db.close();
  }

  integrityCheck(): string {
    return this.db.integrityCheck();
  }

  // ---- hooks ----

  /** A commit landed on a branch (or a branch or repository appeared): queue its changes for the integrations following it. */
  onCommit(repository: string): void {
    for (const it of this.loaded.values()) {
      if (!this.follows(it, repository)) continue;
      const w = this.workers.get(it.name);
      if (!w) continue;
      w.scanNeeded = true;
      w.wake?.();
    }
  }

  private onMetadataChanged(changed: MetadataChange[]): void {
    if (this.closed) return;
    const byBranch = new Map<string, { repository: string; branch: string; ids: string[] }>();
    for (const c of changed) {
      const key = cursorKey(c.repository, c.branch);
      const entry = byBranch.get(key) ?? { repository: c.repository, branch: c.branch, ids: [] };
      entry.ids.push(c.assetId);
      byBranch.set(key, entry);
    }
    for (const it of this.loaded.values()) {
      let queued = false;
      for (const { repository, branch: branchName, ids } of byBranch.values()) {
        if (!this.follows(it, repository)) continue;
        const branch = this.branchOf(repository, branchName);
        if (!branch) continue;
        const head = this.options.store.head(branch.id).position;
        for (let i = 0; i < ids.length; i += SCAN_PAGE) {
          const chunk = ids.slice(i, i + SCAN_PAGE);
          const assets = this.options.catalogue.page(branch, { from: null, to: head }, { ...it.filter, assetIds: [...it.filter.assetIds, chunk] }, null, SCAN_PAGE);
          this.db.transaction(() => {
            const records = this.db.records(it.name, assets.map((a) => a.id));
            for (const asset of assets) queued = this.queueChange(it, repository, branchName, asset, records.get(asset.id) ?? null) || queued;
          });
        }
      }
      if (queued) this.touched(it.name);
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
      const c = it.config;
      const s = w ? w.sync : this.db.sync(it.name);
      out[it.name] = {
        Name: it.name,
        Enabled: c.Enabled,
        EndpointUrl: c.EndpointUrl,
        Filter: c.Filter,
        Configuration: c.Configuration,
        TenantId: c.TenantId,
        BatchSize: c.BatchSize,
        TimeoutMs: c.TimeoutMs,
        Retry: c.Retry,
        Repositories: c.Repositories,
        SecretSet: c.Secret !== undefined,
        Tracked: counts.Tracked,
        Failed: counts.Failed,
        Pending: counts.Pending,
        Sync: s === null ? null : {
          Running: s.outcome === 'Running',
          Current: s.current,
          Total: s.total,
          Progress: s.total === 0 ? 1 : Math.min(1, s.current / s.total),
          StartedAt: s.startedAt,
          Outcome: s.outcome,
          ...tallyFields(s.tally),
        },
        LastDeliveryAt: it.lastDeliveryAt,
        LastError: it.lastError,
      };
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
    const repositories = new Set(this.options.store.repositories().map((r) => r.name));
    if (path.length === 0) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('INVALID_PARAMS', 'Integrations: expected an object keyed by integration name');
      const plan: Array<() => void> = [];
      // Keys of the whole map arrive [dot]-encoded (see wire()).
      for (const [key, input] of Object.entries(value as Record<string, unknown>)) plan.push(this.planEntry(decodeKey(key), input, repositories));
      for (const apply of plan) apply();
      return;
    }
    const [name, ...rest] = path as [string, ...string[]];
    if (rest.length === 0) {
      this.planEntry(name, value, repositories)();
      return;
    }
    const it = this.integration(name);
    const checked = checkConfig(resolveField(name, it.config, rest, value), repositories);
    this.apply(name, checked.config, checked.filter);
  }

  /** Checks a Set of one entry and returns what applies it. */
  private planEntry(name: string, input: unknown, repositories: ReadonlySet<string>): () => void {
    const problem = integrationNameProblem(name);
    if (problem !== null) fail('INVALID_PARAMS', problem);
    if (input === null) {
      this.integration(name);
      return () => this.remove(name);
    }
    const current = this.loaded.get(name)?.config ?? null;
    const checked = checkConfig(resolveInput(name, current, input), repositories);
    return () => this.apply(name, checked.config, checked.filter);
  }

  private apply(name: string, config: TIntegrationConfig, filter: CompiledFilter): void {
    const previous = this.loaded.get(name);
    const it: Loaded = previous
      ? { ...previous, config, filter }
      : { name, uid: randomUUID(), config, filter, lastDeliveryAt: null, lastError: null };
    const followedBefore = previous ? new Set(this.followed(previous.config).map((f) => f.repository.name)) : new Set<string>();
    this.db.transaction(() => {
      this.db.putIntegration({ name, uid: it.uid, config: JSON.stringify(config), createdAt: new Date(this.now()).toISOString() });
      // A newly followed branch starts at its head: what it held before is for Sync all. Branches that appear later
      // (CreateBranch, CreateRepository) have no cursor and are queued from their start.
      for (const { repository, branch } of this.followed(config)) {
        if (followedBefore.has(repository.name)) continue;
        this.db.putCursor(name, { repository: repository.name, branch: branch.name, position: this.options.store.head(branch.id).position, target: null, after: null });
      }
    });
    this.loaded.set(name, it);
    this.options.logger.info({ integration: name, created: !previous }, previous ? 'integration changed' : 'integration created');
    if (!this.workers.has(name)) {
      if (this.started) this.startWorker(name);
    } else {
      const w = this.workers.get(name);
      if (w) {
        w.scanNeeded = true;
        w.readAhead = null; // the Filter may have changed
        w.wake?.();
      }
    }
  }

  private remove(name: string): void {
    const w = this.workers.get(name);
    if (w) this.stopWorker(w);
    this.db.deleteIntegration(name);
    this.loaded.delete(name);
    this.options.logger.info({ integration: name }, 'integration deleted');
  }

  // ---- Calls ----

  queryAssets(p: { Integration: string; Status: TIntegrationStatus; Filter?: string; Cursor?: string; Limit?: number }): {
    pagination: { limit: number; cursor: string | null; nextCursor: string | null };
    results: TIntegrationAsset[];
  } {
    this.integration(p.Integration);
    const limit = p.Limit ?? QUERY_LIMIT_DEFAULT;
    const filterText = p.Filter ?? '';
    const compiled = compileFilter(filterText, 'assets');
    if (!compiled.ok) throw new ServiceFailure('INVALID_FILTER', `Filter: ${compiled.error.message} (at "${compiled.error.part}")`);
    const filter = compiled.value;
    if (filter.fromRevision !== null || filter.toRevision !== null) {
      fail('INVALID_FILTER', 'Filter: revision selectors do not apply to integration records (they are matched against each asset at its branch head)');
    }
    const query = { integration: p.Integration, status: p.Status, filter: filterText };
    const start = p.Cursor === undefined ? null : this.cursors.read(p.Cursor, query);
    // assetId clauses narrow the records in SQL; other selectors are matched against each asset at its branch head.
    let ids: string[] | null = null;
    for (const clause of filter.assetIds) ids = ids === null ? [...clause] : ids.filter((id) => clause.includes(id));
    const selectors = filter.names.length + filter.uris.length + filter.typeNames.length + filter.parameterValues.length + filter.parameters.length + filter.refParameters.length > 0;
    const results: RecordRow[] = [];
    let after = start;
    let more = false;
    if (!selectors) {
      const rows = this.db.page(p.Integration, p.Status, after, limit + 1, ids);
      more = rows.length > limit;
      results.push(...rows.slice(0, limit));
      after = results.at(-1)?.assetId ?? after;
    } else {
      let scanned = 0;
      for (;;) {
        const rows = this.db.page(p.Integration, p.Status, after, 200, ids);
        for (const row of rows) {
          if (results.length === limit) {
            more = true;
            break;
          }
          after = row.assetId;
          scanned++;
          const found = this.options.catalogue.byId(row.assetId);
          if (found && assetMatches(filter, found.asset)) results.push(row);
        }
        if (more || rows.length < 200) break;
        if (scanned >= QUERY_SCAN_BUDGET) {
          more = true;
          break;
        }
      }
    }
    return {
      pagination: { limit, cursor: p.Cursor ?? null, nextCursor: more && after !== null ? this.cursors.issue({ ...query, after }) : null },
      results: results.map((r) => this.assetEntry(r)),
    };
  }

  private assetEntry(r: RecordRow): TIntegrationAsset {
    let attempts: TIntegrationAsset['attempts'];
    try {
      attempts = JSON.parse(r.attemptLog) as TIntegrationAsset['attempts'];
    } catch {
      attempts = [];
    }
    return {
      assetId: r.assetId,
      status: r.status,
      ...(r.reason !== null ? { reason: r.reason } : {}),
      attempts,
      ...(r.integrationState !== null ? { integrationState: r.integrationState } : {}),
      ...(r.assetStateHash !== null ? { assetStateHash: r.assetStateHash } : {}),
      revisionId: r.revisionId,
      ...(r.lastSyncedAt !== null ? { lastSyncedAt: r.lastSyncedAt } : {}),
      ...(r.status === 'Pending' && r.dueAt !== null ? { nextRetryAt: new Date(r.dueAt).toISOString() } : {}),
      repository: r.repository,
      branch: r.branch,
      uri: r.uri,
      action: r.action,
    };
  }

  /** Queues assets for an immediate attempt, attempts reset (forced past the managed rule). */
  resync(p: { Integration: string; AssetIds: string[] } | { Integration: string; AllFailed: true }): { Queued: number } {
    this.integration(p.Integration);
    const now = this.now();
    let queued: number;
    if ('AssetIds' in p) {
      const ids = [...new Set(p.AssetIds)];
      const known = this.db.knownIds(p.Integration, ids);
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        fail('UNKNOWN_ASSET', `integration "${p.Integration}" has no record of ${unknown.length} asset(s): ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}; nothing was queued`);
      }
      queued = this.db.transaction(() => this.db.resync(p.Integration, ids, now));
    } else {
      queued = this.db.transaction(() => this.db.resyncFailed(p.Integration, now));
    }
    this.touched(p.Integration);
    return { Queued: queued };
  }

  syncAll(p: { Integration: string }): { Total: number } {
    const it = this.integration(p.Integration);
    const w = this.workers.get(it.name);
    const running = this.db.sync(it.name);
    if (running?.outcome === 'Running') {
      fail('BUSY', `a Sync all of "${it.name}" is running (${running.current} of ${running.total}): wait for it or cancel it with CancelSync`);
    }
    const branches = this.followed(it.config).map(({ repository, branch }) => ({
      repository: repository.name,
      branch: branch.name,
      position: this.options.store.head(branch.id).position,
      total: 0,
    }));
    let total = 0;
    for (const b of branches) {
      const branch = this.branchOf(b.repository, b.branch);
      if (branch) total += this.options.catalogue.count(branch, { from: null, to: b.position }, it.filter);
    }
    const row: SyncRow = {
      gen: randomUUID(),
      startedAt: new Date(this.now()).toISOString(),
      total,
      current: 0,
      branches: branches.map(({ repository, branch, position }) => ({ repository, branch, position })),
      branchIndex: 0,
      after: null,
      outcome: total === 0 ? 'Completed' : 'Running',
      tally: emptyTally(),
    };
    this.db.transaction(() => this.db.putSync(it.name, row));
    if (w) w.sync = row;
    this.options.logger.info({ integration: it.name, total }, 'Sync all started');
    this.touched(it.name);
    return { Total: total };
  }

  cancelSync(p: { Integration: string }): { Cancelled: boolean } {
    const it = this.integration(p.Integration);
    const s = this.db.sync(it.name);
    if (!s || s.outcome !== 'Running') return { Cancelled: false };
    this.db.transaction(() => this.db.finishSync(it.name, s.gen, 'Cancelled'));
    const w = this.workers.get(it.name);
    if (w) w.sync = this.db.sync(it.name);
    this.options.logger.info({ integration: it.name, current: s.current, total: s.total }, 'Sync all cancelled');
    this.touched(it.name);
    return { Cancelled: true };
  }

  // ---- helpers ----

  private integration(name: string): Loaded {
    const it = this.loaded.get(name);
    if (!it) throw new ServiceFailure('UNKNOWN_INTEGRATION', `no integration "${name}"`);
    return it;
  }

  private follows(it: Loaded, repository: string): boolean {
    return it.config.Repositories.length === 0 || it.config.Repositories.includes(repository);
  }

  /** Every branch of every repository the configuration follows. */
  private followed(config: TIntegrationConfig): Array<{ repository: Repository; branch: Branch }> {
    const store = this.options.store;
    const repos = config.Repositories.length === 0
      ? store.repositories()
      : store.repositories().filter((r) => config.Repositories.includes(r.name));
    return repos.flatMap((repository) => store.branches(repository.id).map((branch) => ({ repository, branch })));
  }

  private branchOf(repository: string, branch: string): Branch | null {
    const key = cursorKey(repository, branch);
    const cached = this.branchCache.get(key);
    if (cached) return cached;
    try {
      const found = this.options.store.branch(repository, branch);
      this.branchCache.set(key, found);
      return found;
    } catch {
      return null;
    }
  }

  /** Records changed: counts are stale, the worker may have work, panels should hear of it. */
  private touched(name: string): void {
    const w = this.workers.get(name);
    if (w) {
      w.counts = null;
      w.wake?.();
    }
    this.changed();
  }

  private changed(): void {
    if (this.broadcastTimer || this.closed || !this.options.onChange) return;
    const wait = Math.max(0, this.lastBroadcast + BROADCAST_EVERY_MS - Date.now());
    this.broadcastTimer = setTimeout(() => {
      this.broadcastTimer = null;
      this.lastBroadcast = Date.now();
      if (!this.closed) this.options.onChange?.();
    }, wait);
    this.broadcastTimer.unref();
  }

  /** One change of the catalogue becomes work (or not: the managed rule); returns whether anything was written. */
  private queueChange(it: Loaded, repository: string, branch: string, asset: TAsset, record: RecordRow | null): boolean {
    const now = this.now();
    if (asset.operation === 'REMOVE') {
      if (!record) return false;
      if (record.integrationState === null) {
        // Never delivered: nothing to tell the receiver.
        this.db.deleteRecord(it.name, asset.id);
        return true;
      }
      this.db.enqueue(it.name, {
        assetId: asset.id, repository, branch, uri: asset.uri, action: 'deleted', revisionId: asset.revisionId, force: false,
        pendingAsset: JSON.stringify(assetForDelivery(asset)), dueAt: now,
      });
      return true;
    }
    // Managed: the receiver already has exactly this content.
    if (record && record.status === 'Tracked' && record.integrationState !== null && record.contentHash === contentHash(asset)) return false;
    this.db.enqueue(it.name, {
      assetId: asset.id, repository, branch, uri: asset.uri, action: 'sync', revisionId: asset.revisionId, force: false, pendingAsset: null, dueAt: now,
    });
    return true;
  }

  // ---- the worker ----

  private startWorker(name: string): void {
    const w: Worker = {
      name, stopped: false, scanNeeded: true, wake: null, cancel: new AbortController(), done: Promise.resolve(), counts: null, sync: this.db.sync(name),
      readAhead: null,
    };
    this.workers.set(name, w);
    w.done = this.run(w);
  }

  private stopWorker(w: Worker): void {
    w.stopped = true;
    w.cancel.abort();
    w.wake?.();
    if (this.workers.get(w.name) === w) this.workers.delete(w.name);
  }

  private async run(w: Worker): Promise<void> {
    // Batches out, oldest first; their outcomes are recorded in sending order.
    const out: Array<{ batch: Batch; outcome: Promise<PostOutcome> }> = [];
    while (!w.stopped) {
      try {
        const it = this.loaded.get(w.name);
        if (!it) break;
        if (w.scanNeeded) {
          if (this.scanStep(it)) {
            this.touched(it.name);
            await immediate();
            continue;
          }
          w.scanNeeded = false;
        }
        if (it.config.Enabled && out.length < MAX_IN_FLIGHT) {
          const inFlight = out.map((o) => o.batch);
          const next = this.prepare(w, it, inFlight);
          if (next === 'progress') {
            this.touched(it.name);
            await immediate();
            continue;
          }
          // A batch sharing an asset with one still out waits for that one's outcome (and is prepared again then).
          if (next && inFlight.every((b) => disjoint(b, next))) {
            out.push({ batch: next, outcome: next.members.length === 0 ? Promise.resolve(NOTHING_SENT) : this.post(w, it, next) });
            next.body = ''; // not kept while the batch is out (a ~70 KB string that would outlive the young generation)
            // Let the request go out before preparing the next batch or recording an outcome (which hold the thread).
            await immediate();
            continue;
          }
        }
        const oldest = out.shift();
        if (!oldest) {
          await this.sleep(w, it);
          continue;
        }
        const result = await oldest.outcome;
        if (w.stopped || result.ok === false && result.aborted) break;
        const epoch = this.db.epoch(w.name);
        this.settle(w, oldest.batch, result);
        // The batches still out hold other assets: this outcome left their records as they were read.
        const now = this.db.epoch(w.name);
        for (const o of out) if (o.batch.epoch === epoch) o.batch.epoch = now;
        this.keepAhead(w, oldest.batch, epoch, now);
      } catch (error) {
        this.options.logger.error({ integration: w.name, err: error instanceof Error ? error.stack : String(error) }, 'integration worker step failed; retrying in 1 s');
        out.length = 0;
        await this.pause(w, 1000);
      }
    }
  }

  private pause(w: Worker, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        w.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      w.wake = done;
    });
  }

  private sleep(w: Worker, it: Loaded): Promise<void> {
    if (w.stopped) return Promise.resolve();
    this.db.flush();
    const due = it.config.Enabled ? this.db.nextDue(it.name) : null;
    if (due === null) {
      return new Promise((resolve) => {
        w.wake = () => {
          w.wake = null;
          resolve();
        };
      });
    }
    // A record due now that prepare() left alone waits for the commit scan: look again shortly.
    return this.pause(w, Math.min(60_000, Math.max(10, due - this.now())));
  }

  /** One page of one branch's unqueued commits becomes work; false when every cursor is at its head. */
  private scanStep(it: Loaded): boolean {
    const cursors = this.db.cursors(it.name);
    for (const { repository, branch } of this.followed(it.config)) {
      const c = cursors.get(cursorKey(repository.name, branch.name)) ?? { repository: repository.name, branch: branch.name, position: -1, target: null, after: null };
      const head = this.options.store.head(branch.id).position;
      if (c.target === null && c.position >= head) continue;
      const target = c.target ?? head;
      const page = this.options.catalogue.page(branch, { from: c.position, to: target }, it.filter, c.after, SCAN_PAGE);
      this.db.transaction(() => {
        const records = this.db.records(it.name, page.map((a) => a.id));
        for (const asset of page) this.queueChange(it, repository.name, branch.name, asset, records.get(asset.id) ?? null);
        const last = page.at(-1);
        this.db.putCursor(it.name, page.length < SCAN_PAGE || !last
          ? { ...c, position: target, target: null, after: null }
          : { ...c, target, after: last.uri });
      });
      return true;
    }
    return false;
  }

  /** The next batch to send; 'progress' when records were settled without sending; null when there is nothing to do. */
  private prepare(w: Worker, it: Loaded, inFlight: readonly Batch[]): Batch | 'progress' | null {
    return this.recordBatch(w, it, inFlight) ?? this.streamBatch(w, it, inFlight);
  }

  private recordBatch(w: Worker, it: Loaded, inFlight: readonly Batch[]): Batch | 'progress' | null {
    const now = this.now();
    const size = it.config.BatchSize;
    if (!this.db.anyDue(it.name, now)) return null;
    const busy = new Set(inFlight.flatMap((b) => b.members.map((m) => m.assetId)));
    let rows = this.db.due(it.name, now, size + busy.size).filter((r) => !busy.has(r.assetId));
    const first = rows[0];
    if (!first) return null;
    rows = first.deliveryId !== null
      ? this.db.dueOfDelivery(it.name, first.deliveryId, now, size + busy.size).filter((r) => !busy.has(r.assetId)).slice(0, size)
      : rows.filter((r) => r.deliveryId === null).slice(0, size);
    const members: Member[] = [];
    let progress = false;
    this.db.transaction(() => {
      for (const r of rows) {
        if (r.action === 'deleted') {
          if (r.integrationState === null || r.pendingAsset === null) {
            this.db.deleteRecord(it.name, r.assetId);
            progress = true;
            continue;
          }
          const asset = JSON.parse(r.pendingAsset) as TAsset;
          members.push({ assetId: r.assetId, repository: r.repository, branch: r.branch, uri: r.uri, action: 'deleted', asset, record: r, hash: '' });
          continue;
        }
        const found = this.options.catalogue.byId(r.assetId);
        if (!found) {
          if (w.scanNeeded) continue; // the commit scan will turn it into a `deleted` (or drop it)
          progress = true;
          this.vanished(it, r);
          continue;
        }
        const hash = contentHash(found.asset);
        if (!r.force && r.integrationState !== null && r.contentHash === hash) {
          // Managed: the receiver already has this content.
          this.db.writeRecord(it.name, { ...r, status: 'Tracked', dueAt: null, deliveryId: null, force: false, reason: null });
          progress = true;
          continue;
        }
        members.push({ assetId: r.assetId, repository: r.repository, branch: r.branch, uri: found.asset.uri, action: 'sync', asset: found.asset, record: r, hash });
      }
    });
    if (members.length === 0) return progress ? 'progress' : null;
    const deliveryId = first.deliveryId ?? randomUUID();
    // Remembered before sending: a batch cut short by a crash is sent again under the same id.
    const fresh = members.filter((m) => m.record?.deliveryId !== deliveryId);
    if (fresh.length > 0) this.db.setDeliveryId(it.name, fresh.map((m) => ({ assetId: m.assetId, workSeq: m.record?.workSeq ?? 0 })), deliveryId);
    return { kind: 'records', deliveryId, members, forced: [], stream: null, body: this.body(it, members), epoch: null };
  }

  /** A sync record whose asset is gone from its branch without a REMOVE reaching the integration (e.g. the Filter changed). */
  private vanished(it: Loaded, r: RecordRow): void {
    if (r.integrationState === null) {
      this.db.deleteRecord(it.name, r.assetId);
      return;
    }
    const last = this.assetAt(r.repository, r.branch, r.revisionId, r.assetId);
    if (last) {
      this.db.enqueue(it.name, {
        assetId: r.assetId, repository: r.repository, branch: r.branch, uri: r.uri, action: 'deleted', revisionId: r.revisionId,
        force: false, pendingAsset: JSON.stringify(assetForDelivery(last)), dueAt: this.now(),
      });
    } else {
      this.db.writeRecord(it.name, { ...r, status: 'Failed', dueAt: null, deliveryId: null, reason: 'the asset no longer exists on its branch and its last version cannot be read' });
    }
  }

  /** An asset as it was at a revision of its branch, or null. */
  private assetAt(repository: string, branchName: string, revisionId: string, assetId: string): TAsset | null {
    const branch = this.branchOf(repository, branchName);
    if (!branch) return null;
    try {
      const position = this.options.store.position(branch, revisionId);
      return this.options.catalogue.page(branch, { from: null, to: position }, { ...emptyFilter('assets'), assetIds: [[assetId]] }, null, 1)[0] ?? null;
    } catch {
      return null;
    }
  }

  private streamBatch(w: Worker, it: Loaded, inFlight: readonly Batch[]): Batch | 'progress' | null {
    const s = w.sync;
    if (!s || s.outcome !== 'Running') return null;
    // The Sync all goes on after the last of its batches still out.
    let last: Batch['stream'] = null;
    for (const b of inFlight) last = b.stream ?? last;
    if (last && last.gen !== s.gen) return null;
    let branchIndex = last?.branchIndex ?? s.branchIndex;
    let after = last ? last.after : s.after;
    const size = it.config.BatchSize;
    while (branchIndex < s.branches.length) {
      const b = s.branches[branchIndex];
      const page = b ? this.streamAssets(w, it, s.gen, branchIndex, b, after, size) : [];
      if (!b || page.length === 0) {
        branchIndex++;
        after = null;
        continue;
      }
      const records = this.aheadRecords(w, it, page);
      const members: Member[] = [];
      const forced: string[] = [];
      for (const asset of page) {
        const record = records.get(asset.id) ?? null;
        // Work already queued for it delivers its current version (forced: Sync all skips nothing).
        if (record?.status === 'Pending') forced.push(asset.id);
        else members.push({ assetId: asset.id, repository: b.repository, branch: b.branch, uri: asset.uri, action: 'sync', asset, record, hash: contentHash(asset) });
      }
      const deliveryId = derivedDeliveryId([it.uid, s.gen, String(branchIndex), after ?? '', ...page.map((a) => a.id)]);
      return {
        kind: 'stream', deliveryId, members, forced, body: this.body(it, members), epoch: this.db.epoch(it.name), // aheadRecords read them in it
        stream: { gen: s.gen, branchIndex, after: page.at(-1)?.uri ?? after, count: page.length },
      };
    }
    if (last) return null; // finished once the last page's outcome is in
    this.db.transaction(() => this.db.finishSync(it.name, s.gen, 'Completed'));
    w.sync = this.db.sync(it.name);
    this.options.logger.info({ integration: it.name, total: s.total }, 'Sync all completed');
    return 'progress';
  }

  /**
   * The next `size` assets after `after` of a Sync all branch, from the read-ahead when it covers them, else from a new
   * catalogue page of READ_AHEAD. The same position always gives the same assets (so the same delivery id after a restart).
   */
  private streamAssets(w: Worker, it: Loaded, gen: string, branchIndex: number, b: SyncRow['branches'][number], after: string | null, size: number): TAsset[] {
    const ahead = w.readAhead;
    if (ahead && ahead.gen === gen && ahead.branchIndex === branchIndex) {
      // Usually the next batch starts where the last one taken from the read-ahead ended.
      const start = after === ahead.from ? 0
        : ahead.assets[ahead.next - 1]?.uri === after ? ahead.next
        : ahead.assets.findIndex((a) => a.uri === after) + 1;
      if (start > 0 || after === ahead.from) {
        const rest = ahead.assets.slice(start, start + size);
        if (rest.length === size || ahead.last) {
          ahead.next = start + rest.length;
          return rest;
        }
      }
    }
    const branch = this.branchOf(b.repository, b.branch);
    if (!branch) return [];
    const limit = Math.max(READ_AHEAD, size);
    const page = this.options.catalogue.page(branch, { from: null, to: b.position }, it.filter, after, limit);
    w.readAhead = { gen, branchIndex, from: after, assets: page, last: page.length < limit, next: Math.min(size, page.length), records: new Map(), epoch: -1 };
    return page.slice(0, size);
  }

  /** The records of `page` (just taken from the read-ahead) as they are now: from the read-ahead's lookup while it holds. */
  private aheadRecords(w: Worker, it: Loaded, page: readonly TAsset[]): Map<string, RecordRow> {
    const ahead = w.readAhead;
    const epoch = this.db.epoch(it.name);
    if (!ahead || ahead.assets[ahead.next - 1] !== page.at(-1)) return this.db.records(it.name, page.map((a) => a.id));
    if (ahead.epoch !== epoch) {
      // The page and the rest of the read-ahead in one lookup.
      const start = ahead.next - page.length;
      ahead.records = this.db.records(it.name, ahead.assets.slice(start).map((a) => a.id));
      ahead.epoch = epoch;
    }
    return ahead.records;
  }

  /**
   * A settled stream batch of the read-ahead's branch wrote only its own assets' records, which the read-ahead no longer
   * offers (a branch's snapshot holds each asset once): the records it holds for the others are still as they are.
   */
  private keepAhead(w: Worker, batch: Batch, before: number, after: number): void {
    const ahead = w.readAhead;
    if (ahead && ahead.epoch === before && batch.stream && batch.stream.gen === ahead.gen && batch.stream.branchIndex === ahead.branchIndex) ahead.epoch = after;
  }

  private body(it: Loaded, members: readonly Member[]): string {
    const actions: Action[] = members.map((m) => ({
      type: m.action,
      asset: m.asset,
      integrationState: m.record?.integrationState ?? null,
      assetStateHash: m.record?.assetStateHash ?? null,
      assetId: m.assetId,
    }));
    return deliveryBody(actions, it.config.Configuration, it.config.TenantId);
  }

  private post(w: Worker, it: Loaded, batch: Batch): Promise<PostOutcome> {
    return this.sender.post({
      url: it.config.EndpointUrl,
      secret: it.config.Secret ?? '',
      body: batch.body,
      deliveryId: batch.deliveryId,
      timeoutMs: it.config.TimeoutMs,
      cancel: w.cancel.signal,
      nowSeconds: this.now() / 1000,
      maxResponseBytes: this.options.maxResponseBytes,
    });
  }

  /** Records the outcome of a batch, for each of its assets, in one transaction (with the Sync all cursor). */
  private settle(w: Worker, batch: Batch, outcome: PostOutcome): void {
    const it = this.loaded.get(w.name);
    if (!it || w.stopped) return;
    const at = this.now();
    const iso = new Date(at).toISOString();
    const retry = it.config.Retry;
    let firstError: string | null = null;
    let tally = emptyTally();
    // A Sync all batch is committed with the next ones (group commit): lost in a crash, it is sent again.
    const atomically = <T>(fn: () => T): T => (batch.kind === 'stream' ? this.db.grouped(fn, GROUP_BATCHES, GROUP_DELAY_MS) : this.db.transaction(fn));
    atomically(() => {
      // Whole records, written together after the loop (each asset is in a batch once, so order does not matter).
      const writes: RecordRow[] = [];
      const firstLogs = new Map<string | null, string>();
      // What each asset of a Sync all batch came to (its tally, written with its cursor).
      const tallied: TallyItem[] = [];
      // The records as they are now: those read for the batch when nothing wrote this integration's records since, else
      // their work sequence and status read again (with the old statuses, writeRecords keeps the counts exact).
      const seqs = batch.epoch !== null && batch.epoch === this.db.epoch(it.name)
        ? new Map(batch.members.flatMap((m) => (m.record ? [[m.assetId, { workSeq: m.record.workSeq, status: m.record.status }] as const] : [])))
        : this.db.workSeqs(it.name, batch.members.map((m) => m.assetId));
      for (const m of batch.members) {
        const seq = seqs.get(m.assetId)?.workSeq;
        // New work queued since the batch was built (a commit, a Resync): this outcome does not settle it.
        const changed = (seq ?? 0) !== (m.record?.workSeq ?? 0);
        // Only new work changes a record while its batch is out (the worker is its only other writer).
        const rec = seq === undefined ? null : changed || !m.record ? this.db.record(it.name, m.assetId) : m.record;
        const item = outcome.ok ? outcome.items.get(m.assetId) : undefined;
        const error = item !== undefined ? null : outcome.ok ? 'no Item for this asset in the response' : outcome.reason;
        const previous = rec?.attemptLog ?? m.record?.attemptLog ?? '[]';
        const attempt = { at: iso, deliveryId: batch.deliveryId, httpStatus: outcome.httpStatus, error, response: item !== undefined ? null : outcome.response };
        let log: string;
        if (previous === '[]') {
          // A first attempt's log is the same text for every asset with the same error (usually the whole batch).
          log = firstLogs.get(error) ?? appendAttempt('[]', attempt);
          firstLogs.set(error, log);
        } else {
          log = appendAttempt(previous, attempt);
        }
        const base: RecordRow = rec ?? {
          assetId: m.assetId, repository: m.repository, branch: m.branch, uri: m.uri, status: 'Pending', action: m.action, force: true,
          workSeq: 0, integrationState: null, assetStateHash: null, contentHash: null, revisionId: m.asset.revisionId, lastSyncedAt: null,
          attempts: 0, dueAt: null, reason: null, deliveryId: null, pendingAsset: null, attemptLog: '[]',
        };
        if (rec === null && m.record !== null) continue; // the record went away meanwhile (its asset was removed)
        if (item !== undefined) {
          if (m.action === 'deleted') {
            if (!changed) this.db.deleteRecord(it.name, m.assetId);
            else writes.push({ ...base, integrationState: null, assetStateHash: null, contentHash: null, attemptLog: log });
            continue;
          }
          const delivered = { integrationState: item.integrationState, assetStateHash: item.assetStateHash, contentHash: m.hash, lastSyncedAt: iso, attemptLog: log };
          tallied.push(changed ? { kind: 'pending' } : { kind: 'delivered' });
          if (changed) {
            writes.push({ ...base, ...delivered });
          } else {
            writes.push({
              ...base, ...delivered, uri: m.uri, status: 'Tracked', action: 'sync', force: false, revisionId: m.asset.revisionId,
              attempts: (batch.kind === 'stream' ? 0 : base.attempts) + 1, dueAt: null, reason: null, deliveryId: null, pendingAsset: null,
            });
          }
          continue;
        }
        firstError ??= error;
        if (changed) {
          tallied.push({ kind: 'pending' });
          writes.push({ ...base, attemptLog: log });
          continue;
        }
        const attempts = (batch.kind === 'stream' ? 0 : base.attempts) + 1;
        const final = attempts >= retry.MaxAttempts;
        tallied.push(final ? { kind: 'failed', reason: error ?? 'failed' } : { kind: 'pending' });
        writes.push({
          ...base,
          uri: m.uri,
          status: final ? 'Failed' : 'Pending',
          action: m.action,
          force: batch.kind === 'stream' ? true : base.force,
          revisionId: m.asset.revisionId,
          attempts,
          dueAt: final ? null : at + Math.round(retry.InitialDelayMs * retry.Multiplier ** (attempts - 1)),
          reason: error,
          // A batch that failed as a whole is retried as a whole, under its delivery id.
          deliveryId: final || outcome.ok ? null : batch.deliveryId,
          pendingAsset: m.action === 'deleted' ? base.pendingAsset ?? JSON.stringify(assetForDelivery(m.asset)) : null,
          attemptLog: log,
        });
      }
      this.db.writeRecords(it.name, writes, seqs); // the old statuses (for the counts) as read above
      if (batch.forced.length > 0) this.db.forcePending(it.name, batch.forced);
      if (batch.stream) {
        tally = addToTally(w.sync?.gen === batch.stream.gen ? w.sync.tally : emptyTally(), tallied, batch.forced.length);
        this.db.advanceSync(it.name, batch.stream.gen, batch.stream.branchIndex, batch.stream.after, batch.stream.count, tally);
      }
      if (batch.members.length > 0) {
        this.db.setDeliveryInfo(it.name, outcome.ok ? iso : null, firstError);
        it.lastDeliveryAt = outcome.ok ? iso : it.lastDeliveryAt;
        it.lastError = firstError;
      }
    });
    if (batch.stream) {
      // What advanceSync wrote, without reading it back; another generation (cancelled, started again) is read.
      const s = w.sync;
      w.sync = s?.gen === batch.stream.gen
        ? { ...s, branchIndex: batch.stream.branchIndex, after: batch.stream.after, current: Math.min(s.total, s.current + batch.stream.count), tally }
        : this.db.sync(it.name);
    }
    if (firstError !== null) this.options.logger.warn({ integration: it.name, deliveryId: batch.deliveryId, error: firstError }, 'delivery failed');
    this.touched(it.name);
  }
}
