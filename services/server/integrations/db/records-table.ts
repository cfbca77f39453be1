/**
 * The `records` table: one row per (integration, asset), what was delivered and the work still to do (schema.ts).
 * Every write reports its old and new status to the counts and bumps the integration's record epoch.
 */
import type { TIntegrationStatus } from '../../../../shared/assethub/integrations.ts';
import type { SyncType } from '../contract.ts';
import { str, type Connection, type Row } from './connection.ts';
import type { CountsTable } from './counts-table.ts';
import { RecordUpsert } from './record-upsert.ts';

export interface RecordRow {
  assetId: string;
  repository: string;
  branch: string;
  uri: string;
  status: TIntegrationStatus;
  action: SyncType;
  force: boolean;
  workSeq: number;
  integrationState: string | null;
  assetStateHash: string | null;
  contentHash: string | null;
  revisionId: string;
  lastSyncedAt: string | null;
  attempts: number;
  dueAt: number | null;
  reason: string | null;
  deliveryId: string | null;
  pendingAsset: string | null;
  attemptLog: string;
}

/** New work for an asset: replaces any older work (attempts start again). */
export interface Work {
  assetId: string;
  repository: string;
  branch: string;
  uri: string;
  action: SyncType;
  revisionId: string;
  force: boolean;
  pendingAsset: string | null;
  dueAt: number;
}

/** A record's work sequence and status (what settling a batch compares and the counts need). */
export interface RecordSeq { workSeq: number; status: TIntegrationStatus }

function recordOf(r: Row): RecordRow {
  return {
    assetId: String(r.asset_id),
    repository: String(r.repository),
    branch: String(r.branch),
    uri: String(r.uri),
    status: String(r.status) as TIntegrationStatus,
    action: r.action === 'deleted' ? 'deleted' : 'sync',
    force: Number(r.force) === 1,
    workSeq: Number(r.work_seq),
    integrationState: str(r.integration_state),
    assetStateHash: str(r.asset_state_hash),
    contentHash: str(r.content_hash),
    revisionId: String(r.revision_id),
    lastSyncedAt: str(r.last_synced_at),
    attempts: Number(r.attempts),
    dueAt: r.due_at === null || r.due_at === undefined ? null : Number(r.due_at),
    reason: str(r.reason),
    deliveryId: str(r.delivery_id),
    pendingAsset: str(r.pending_asset),
    attemptLog: String(r.attempt_log ?? '[]'),
  };
}

/** `SELECT <columns> … WHERE integration = ? AND asset_id IN (the ids)` */
const AMONG = 'FROM records WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?))';

export class RecordsTable {
  /** Per integration, bumped by every write of its records (a batch whose records' epoch is unchanged read them as they are). */
  private readonly epochs = new Map<string, number>();
  private readonly upsert: RecordUpsert;

  constructor(private readonly c: Connection, private readonly counts: CountsTable) {
    this.upsert = new RecordUpsert(c);
  }

  close(): void {
    this.upsert.close();
  }

  touch(name: string): void {
    this.epochs.set(name, (this.epochs.get(name) ?? 0) + 1);
  }

  /** Bumped by every write of `name`'s records (see epochs). */
  epoch(name: string): number {
    return this.epochs.get(name) ?? 0;
  }

  record(name: string, assetId: string): RecordRow | null {
    const r = this.c.statement('SELECT * FROM records WHERE integration = ? AND asset_id = ?').get([name, assetId]);
    return r ? recordOf(r as Row) : null;
  }

  records(name: string, assetIds: readonly string[]): Map<string, RecordRow> {
    const out = new Map<string, RecordRow>();
    if (assetIds.length === 0) return out;
    for (const r of this.c.statement(`SELECT * ${AMONG}`).all([name, JSON.stringify(assetIds)])) {
      const row = recordOf(r as Row);
      out.set(row.assetId, row);
    }
    return out;
  }

  /** The work sequence and status of each record that exists among these assets. */
  workSeqs(name: string, assetIds: readonly string[]): Map<string, RecordSeq> {
    const out = new Map<string, RecordSeq>();
    if (assetIds.length === 0) return out;
    for (const r of this.c.statement(`SELECT asset_id, work_seq, status ${AMONG}`).all([name, JSON.stringify(assetIds)])) {
      out.set(String(r.asset_id), { workSeq: Number(r.work_seq), status: String(r.status) as TIntegrationStatus });
    }
    return out;
  }

  /** The status of each record that exists among these assets. */
  private statuses(name: string, assetIds: readonly string[]): Map<string, { status: TIntegrationStatus }> {
    const out = new Map<string, { status: TIntegrationStatus }>();
    if (assetIds.length === 0) return out;
    for (const r of this.c.statement(`SELECT asset_id, status ${AMONG}`).all([name, JSON.stringify(assetIds)])) {
      out.set(String(r.asset_id), { status: String(r.status) as TIntegrationStatus });
    }
    return out;
  }

  knownIds(name: string, assetIds: readonly string[]): Set<string> {
    return new Set(this.c.statement(`SELECT asset_id ${AMONG}`).all([name, JSON.stringify(assetIds)]).map((r) => String(r.asset_id)));
  }

  /** Queues work for an asset, replacing older work (attempts start again; a pending force is kept). */
  enqueue(name: string, w: Work): void {
    this.c.transaction(() => {
      const old = this.c.statement('SELECT status FROM records WHERE integration = ? AND asset_id = ?').get([name, w.assetId]);
      this.c.statement(
        `INSERT INTO records (integration, asset_id, repository, branch, uri, status, action, force, work_seq, revision_id, attempts, due_at, pending_asset)
         VALUES (?, ?, ?, ?, ?, 'Pending', ?, ?, 1, ?, 0, ?, ?)
         ON CONFLICT (integration, asset_id) DO UPDATE SET
           uri = excluded.uri, action = excluded.action,
           force = CASE WHEN records.status = 'Pending' THEN MAX(records.force, excluded.force) ELSE excluded.force END,
           status = 'Pending', work_seq = records.work_seq + 1, revision_id = excluded.revision_id, attempts = 0,
           due_at = excluded.due_at, reason = NULL, delivery_id = NULL, pending_asset = excluded.pending_asset`,
      ).run([name, w.assetId, w.repository, w.branch, w.uri, w.action, w.force ? 1 : 0, w.revisionId, w.dueAt, w.pendingAsset]);
      this.counts.count(name, old ? (String(old.status) as TIntegrationStatus) : null, 'Pending');
      this.touch(name);
    });
  }

  /**
   * Writes whole records (insert or overwrite; record-upsert.ts). Each asset at most once.
   *
   * `existing`, when given, holds the status of every record among `rows` that exists (read in this transaction); a
   * row absent from it is a new record. Without it the old statuses are read here. They keep the counts exact.
   */
  writeRecords(name: string, rows: readonly RecordRow[], existing?: ReadonlyMap<string, { status: TIntegrationStatus }>): void {
    if (rows.length === 0) return;
    this.c.transaction(() => {
      const old = existing ?? this.statuses(name, rows.map((r) => r.assetId));
      for (const r of rows) this.counts.count(name, old.get(r.assetId)?.status ?? null, r.status);
      this.upsert.write(name, rows);
      this.touch(name);
    });
  }

  deleteRecord(name: string, assetId: string): void {
    this.c.transaction(() => {
      for (const r of this.c.statement('DELETE FROM records WHERE integration = ? AND asset_id = ? RETURNING status').all([name, assetId])) {
        this.counts.count(name, String(r.status) as TIntegrationStatus, null);
      }
      this.touch(name);
    });
  }

  /** Pending records due at `now`, earliest first. */
  due(name: string, now: number, limit: number): RecordRow[] {
    return this.c.statement('SELECT * FROM records WHERE integration = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, asset_id LIMIT ?')
      .all([name, now, limit]).map((r) => recordOf(r as Row));
  }

  /** Whether any Pending record is due at `now` (one narrow row instead of due()'s whole records: asked per batch). */
  anyDue(name: string, now: number): boolean {
    return this.c.statement('SELECT 1 AS due FROM records WHERE integration = ? AND due_at IS NOT NULL AND due_at <= ? LIMIT 1').get([name, now]) !== null;
  }

  /** Due records of one failed batch (retried together under its delivery id). */
  dueOfDelivery(name: string, deliveryId: string, now: number, limit: number): RecordRow[] {
    return this.c.statement('SELECT * FROM records WHERE integration = ? AND delivery_id = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY asset_id LIMIT ?')
      .all([name, deliveryId, now, limit]).map((r) => recordOf(r as Row));
  }

  /** When the next Pending record is due, or null. */
  nextDue(name: string): number | null {
    const r = this.c.statement('SELECT MIN(due_at) AS due FROM records WHERE integration = ? AND due_at IS NOT NULL').get([name]);
    return r && r.due !== null ? Number(r.due) : null;
  }

  /** Remembers the delivery id a batch is sent under (before it is sent), for records whose work is unchanged. */
  setDeliveryId(name: string, members: ReadonlyArray<{ assetId: string; workSeq: number }>, deliveryId: string): void {
    this.c.transaction(() => {
      this.touch(name);
      for (const m of members) {
        this.c.statement('UPDATE records SET delivery_id = ? WHERE integration = ? AND asset_id = ? AND work_seq = ?').run([deliveryId, name, m.assetId, m.workSeq]);
      }
    });
  }

  /** Pending records are forced (a Sync all leaves them to their own pending work, which must not be skipped). */
  forcePending(name: string, assetIds: readonly string[]): void {
    if (assetIds.length === 0) return;
    this.touch(name);
    this.c.statement("UPDATE records SET force = 1 WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?)) AND status = 'Pending'")
      .run([name, JSON.stringify(assetIds)]);
  }

  /** One page of records with a status in asset id order after `after`, optionally only these ids. */
  page(name: string, status: TIntegrationStatus, after: string | null, limit: number, ids: readonly string[] | null): RecordRow[] {
    // Failed and Pending through the partial index (its condition spelled out, so the planner may use it).
    const where = status === 'Tracked' ? "status = 'Tracked'" : "status = ? AND status != 'Tracked'";
    const bound = status === 'Tracked' ? [] : [status];
    const rows = ids === null
      ? this.c.statement(`SELECT * FROM records WHERE integration = ? AND ${where} AND asset_id > ? ORDER BY asset_id LIMIT ?`).all([name, ...bound, after ?? '', limit])
      : this.c.statement(`SELECT * FROM records WHERE integration = ? AND ${where} AND asset_id > ? AND asset_id IN (SELECT value FROM json_each(?))
                ORDER BY asset_id LIMIT ?`).all([name, ...bound, after ?? '', JSON.stringify(ids), limit]);
    return rows.map((r) => recordOf(r as Row));
  }

  /** Queues the given records again at once, attempts reset and forced; returns how many. */
  resync(name: string, assetIds: readonly string[], now: number): number {
    return this.c.transaction(() => {
      for (const { status } of this.statuses(name, assetIds).values()) this.counts.count(name, status, 'Pending');
      this.touch(name);
      return this.c.statement(
        `UPDATE records SET status = 'Pending', force = 1, work_seq = work_seq + 1, attempts = 0, due_at = ?, delivery_id = NULL
         WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?))`,
      ).run([now, name, JSON.stringify(assetIds)]).changes;
    });
  }

  /** Queues every Failed record again at once, attempts reset and forced; returns how many. */
  resyncFailed(name: string, now: number): number {
    return this.c.transaction(() => {
      const changes = this.c.statement(
        `UPDATE records SET status = 'Pending', force = 1, work_seq = work_seq + 1, attempts = 0, due_at = ?, delivery_id = NULL
         WHERE integration = ? AND status = 'Failed' AND status != 'Tracked'`,
      ).run([now, name]).changes;
      this.counts.count(name, 'Failed', 'Pending', changes);
      this.touch(name);
      return changes;
    });
  }
}
