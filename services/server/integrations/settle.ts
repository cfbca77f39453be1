/**
 * Settling a batch: what its outcome means for each of its assets' records, decided without touching the database
 * (record-outcome.ts reads the records and writes what this returns, in one transaction).
 *
 * The rules:
 * - An asset the receiver answered an Item for is delivered: Tracked with the Item's state, attempts counted, no work
 *   left. A `deleted` it acknowledged loses its record.
 * - Any other asset failed this attempt, with the request's reason (or "no Item" when the request itself succeeded):
 *   Pending again after InitialDelayMs × Multiplier^(attempts−1) while attempts < MaxAttempts, else Failed with that
 *   reason. Only a batch that failed as a whole is retried as a whole (its delivery id kept).
 * - A Sync all (stream) batch counts attempts from zero (its work is a new send) and forces its records past the
 *   managed rule; each asset's result is a tally item (delivered, pending, failed with its reason).
 * - Work queued while the batch was out (the record's work_seq moved) is not settled by this outcome: the record keeps
 *   that work, only what was delivered and the attempt are noted. A record removed meanwhile is left removed.
 * - Every attempt is logged with the record (the last ATTEMPTS_KEPT).
 */
import type { TIntegrationConfig } from '../../../shared/assethub/integrations.ts';
import type { Batch } from './batch.ts';
import { assetForDelivery, type PostOutcome } from './contract.ts';
import type { RecordRow } from './db.ts';
import { ATTEMPTS_KEPT } from './schema.ts';
import type { TallyItem } from './sync-tally.ts';

export type RetryPolicy = TIntegrationConfig['Retry'];

/** What to write for a settled batch. */
export interface Settlement {
  /** Whole records to write (insert or overwrite). */
  writes: RecordRow[];
  /** Records to delete (a `deleted` the receiver acknowledged). */
  deletes: string[];
  /** What each member came to, for a Sync all's tally (its forced assets are counted by the caller). */
  tally: TallyItem[];
  /** The integration's LastDeliveryAt and LastError after this batch; null when it sent nothing. */
  delivery: { at: string | null; error: string | null } | null;
}

export const NO_ITEM = 'no Item for this asset in the response';

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

/**
 * What `outcome` means for each member of `batch`. `records` holds the members' records as they are now (absent: no
 * record); `now` is the time of the attempt (ms since the epoch).
 */
export function settle(
  batch: Pick<Batch, 'kind' | 'deliveryId' | 'members'>, outcome: PostOutcome, records: ReadonlyMap<string, RecordRow>, policy: RetryPolicy, now: number,
): Settlement {
  const iso = new Date(now).toISOString();
  const stream = batch.kind === 'stream';
  const writes: RecordRow[] = [];
  const deletes: string[] = [];
  const tally: TallyItem[] = [];
  // A first attempt's log is the same text for every asset with the same error (usually the whole batch).
  const firstLogs = new Map<string | null, string>();
  let firstError: string | null = null;
  for (const m of batch.members) {
    const rec = records.get(m.assetId) ?? null;
    if (rec === null && m.record !== null) continue; // the record went away meanwhile (its asset was removed)
    // New work queued since the batch was built (a commit, a Resync): this outcome does not settle it.
    const changed = (rec?.workSeq ?? 0) !== (m.record?.workSeq ?? 0);
    const item = outcome.ok ? outcome.items.get(m.assetId) : undefined;
    const error = item !== undefined ? null : outcome.ok ? NO_ITEM : outcome.reason;
    const previous = rec?.attemptLog ?? '[]';
    const attempt = { at: iso, deliveryId: batch.deliveryId, httpStatus: outcome.httpStatus, error, response: item !== undefined ? null : outcome.response };
    let log: string;
    if (previous === '[]') {
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
    const attempts = (stream ? 0 : base.attempts) + 1;
    if (item !== undefined) {
      if (m.action === 'deleted') {
        if (!changed) deletes.push(m.assetId);
        else writes.push({ ...base, integrationState: null, assetStateHash: null, contentHash: null, attemptLog: log });
        continue;
      }
      const delivered = { integrationState: item.integrationState, assetStateHash: item.assetStateHash, contentHash: m.hash, lastSyncedAt: iso, attemptLog: log };
      tally.push(changed ? { kind: 'pending' } : { kind: 'delivered' });
      writes.push(changed ? { ...base, ...delivered } : {
        ...base, ...delivered, uri: m.uri, status: 'Tracked', action: 'sync', force: false, revisionId: m.asset.revisionId,
        attempts, dueAt: null, reason: null, deliveryId: null, pendingAsset: null,
      });
      continue;
    }
    firstError ??= error;
    if (changed) {
      tally.push({ kind: 'pending' });
      writes.push({ ...base, attemptLog: log });
      continue;
    }
    const final = attempts >= policy.MaxAttempts;
    tally.push(final ? { kind: 'failed', reason: error ?? 'failed' } : { kind: 'pending' });
    writes.push({
      ...base,
      uri: m.uri,
      status: final ? 'Failed' : 'Pending',
      action: m.action,
      force: stream ? true : base.force,
      revisionId: m.asset.revisionId,
      attempts,
      dueAt: final ? null : now + Math.round(policy.InitialDelayMs * policy.Multiplier ** (attempts - 1)),
      reason: error,
      // A batch that failed as a whole is retried as a whole, under its delivery id.
      deliveryId: final || outcome.ok ? null : batch.deliveryId,
      pendingAsset: m.action === 'deleted' ? base.pendingAsset ?? JSON.stringify(assetForDelivery(m.asset)) : null,
      attemptLog: log,
    });
  }
  const delivery = batch.members.length > 0 ? { at: outcome.ok ? iso : null, error: firstError } : null;
  return { writes, deletes, tally, delivery };
}
