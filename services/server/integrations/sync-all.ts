/**
 * Sync all → batches: every asset an integration's Filter selects on its followed branches, at the heads fixed when it
 * started, streamed page by page from the catalogue (read ahead READ_AHEAD at a time) into batches. Its cursor (branch
 * index, last URI) and tally move with each batch's outcome, so it resumes after a restart where it was; the same
 * position always gives the same assets, so the same delivery id.
 */
import { randomUUID } from 'node:crypto';
import type { TAsset } from '../../../shared/assethub/catalogue.ts';
import { fail } from '../../lib/failure.ts';
import { requestBody, type Batch, type Member, type StreamPosition } from './batch.ts';
import { contentHash, derivedDeliveryId } from './contract.ts';
import type { RecordRow, SyncBranch, SyncRow } from './db.ts';
import type { Loaded, Pipeline } from './pipeline.ts';
import { emptyTally, type SyncTally } from './sync-tally.ts';

/** Assets read ahead per catalogue page (fewer, larger reads: each page costs a read transaction and lookups). */
const READ_AHEAD = 500;

/** Starts a Sync all of `it` (BUSY while one runs); the row as stored. */
export function startSyncAll(p: Pipeline, it: Loaded): SyncRow {
  const running = p.db.sync(it.name);
  if (running?.outcome === 'Running') {
    fail('BUSY', `a Sync all of "${it.name}" is running (${running.current} of ${running.total}): wait for it or cancel it with CancelSync`);
  }
  const branches = p.branches.followed(it.config).map(({ repository, branch }) => ({
    repository: repository.name,
    branch: branch.name,
    position: p.store.head(branch.id).position,
  }));
  let total = 0;
  for (const b of branches) {
    const branch = p.branches.branchOf(b.repository, b.branch);
    if (branch) total += p.catalogue.count(branch, { from: null, to: b.position }, it.filter);
  }
  const row: SyncRow = {
    gen: randomUUID(),
    startedAt: new Date(p.now()).toISOString(),
    total,
    current: 0,
    branches,
    branchIndex: 0,
    after: null,
    outcome: total === 0 ? 'Completed' : 'Running',
    tally: emptyTally(),
  };
  p.db.transaction(() => p.db.putSync(it.name, row));
  p.logger.info({ integration: it.name, total }, 'Sync all started');
  return row;
}

/** Cancels a running Sync all of `it`; the row as stored then, or null when none was running. */
export function cancelSyncAll(p: Pipeline, it: Loaded): SyncRow | null {
  const s = p.db.sync(it.name);
  if (!s || s.outcome !== 'Running') return null;
  p.db.transaction(() => p.db.finishSync(it.name, s.gen, 'Cancelled'));
  p.logger.info({ integration: it.name, current: s.current, total: s.total }, 'Sync all cancelled');
  return p.db.sync(it.name);
}

/** Assets of one branch after `from`, in uri order, from one catalogue page. */
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

/** One integration's Sync all as its worker streams it: the row as stored, and the read-ahead. */
export class SyncAllStream {
  private readAhead: ReadAhead | null = null;

  constructor(private readonly p: Pipeline, public sync: SyncRow | null) {}

  /** The Filter may have changed: what was read ahead is read again. */
  dropReadAhead(): void {
    this.readAhead = null;
  }

  /**
   * The next batch of a running Sync all, after the last of its batches still out; 'progress' when it just completed;
   * null when there is nothing to send.
   */
  next(it: Loaded, inFlight: readonly Batch[]): Batch | 'progress' | null {
    const s = this.sync;
    if (!s || s.outcome !== 'Running') return null;
    let last: Batch['stream'] = null;
    for (const b of inFlight) last = b.stream ?? last;
    if (last && last.gen !== s.gen) return null;
    let branchIndex = last?.branchIndex ?? s.branchIndex;
    let after = last ? last.after : s.after;
    const size = it.config.BatchSize;
    while (branchIndex < s.branches.length) {
      const b = s.branches[branchIndex];
      const page = b ? this.assets(it, s.gen, branchIndex, b, after, size) : [];
      if (!b || page.length === 0) {
        branchIndex++;
        after = null;
        continue;
      }
      const records = this.aheadRecords(it, page);
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
        kind: 'stream', deliveryId, members, forced, body: requestBody(it.config, members), epoch: this.p.db.epoch(it.name), // aheadRecords read them in it
        stream: { gen: s.gen, branchIndex, after: page.at(-1)?.uri ?? after, count: page.length },
      };
    }
    if (last) return null; // finished once the last page's outcome is in
    this.p.db.transaction(() => this.p.db.finishSync(it.name, s.gen, 'Completed'));
    this.sync = this.p.db.sync(it.name);
    this.p.logger.info({ integration: it.name, total: s.total }, 'Sync all completed');
    return 'progress';
  }

  /** The tally a settled batch at `pos` adds to (a batch of another generation starts a new one). */
  tallyBefore(pos: StreamPosition): SyncTally {
    return this.sync?.gen === pos.gen ? this.sync.tally : emptyTally();
  }

  /** A batch at `pos` was settled with `tally` (what the database now holds). */
  advanced(name: string, pos: StreamPosition, tally: SyncTally): void {
    const s = this.sync;
    // What advanceSync wrote, without reading it back; another generation (cancelled, started again) is read.
    this.sync = s?.gen === pos.gen
      ? { ...s, branchIndex: pos.branchIndex, after: pos.after, current: Math.min(s.total, s.current + pos.count), tally }
      : this.p.db.sync(name);
  }

  /**
   * A settled stream batch of the read-ahead's branch wrote only its own assets' records, which the read-ahead no longer
   * offers (a branch's snapshot holds each asset once): the records it holds for the others are still as they are.
   */
  keepAhead(batch: Batch, before: number, after: number): void {
    const ahead = this.readAhead;
    if (ahead && ahead.epoch === before && batch.stream && batch.stream.gen === ahead.gen && batch.stream.branchIndex === ahead.branchIndex) ahead.epoch = after;
  }

  /**
   * The next `size` assets after `after` of a Sync all branch, from the read-ahead when it covers them, else from a new
   * catalogue page of READ_AHEAD.
   */
  private assets(it: Loaded, gen: string, branchIndex: number, b: SyncBranch, after: string | null, size: number): TAsset[] {
    const ahead = this.readAhead;
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
    const branch = this.p.branches.branchOf(b.repository, b.branch);
    if (!branch) return [];
    const limit = Math.max(READ_AHEAD, size);
    const page = this.p.catalogue.page(branch, { from: null, to: b.position }, it.filter, after, limit);
    this.readAhead = { gen, branchIndex, from: after, assets: page, last: page.length < limit, next: Math.min(size, page.length), records: new Map(), epoch: -1 };
    return page.slice(0, size);
  }

  /** The records of `page` (just taken from the read-ahead) as they are now: from the read-ahead's lookup while it holds. */
  private aheadRecords(it: Loaded, page: readonly TAsset[]): Map<string, RecordRow> {
    const ahead = this.readAhead;
    const epoch = this.p.db.epoch(it.name);
    if (!ahead || ahead.assets[ahead.next - 1] !== page.at(-1)) return this.p.db.records(it.name, page.map((a) => a.id));
    if (ahead.epoch !== epoch) {
      // The page and the rest of the read-ahead in one lookup.
      const start = ahead.next - page.length;
      ahead.records = this.p.db.records(it.name, ahead.assets.slice(start).map((a) => a.id));
      ahead.epoch = epoch;
    }
    return ahead.records;
  }
}
