/** SQL access to the integrations database (schema.ts): prepared statements and typed rows. */
import { randomBytes } from 'node:crypto';
import type sqlite from 'node-sqlite3-wasm';
import type { TIntegrationStatus } from '../../../shared/assethub/integrations.ts';
import { inTransaction, openDatabase } from '../../lib/sqlite.ts';
import { INTEGRATIONS_MIGRATE_TO_2, INTEGRATIONS_MIGRATE_TO_3, INTEGRATIONS_SCHEMA, INTEGRATIONS_SCHEMA_VERSION } from './schema.ts';
import { parseTally, type SyncTally } from './sync-tally.ts';
import type { SyncType } from './contract.ts';

type Row = Record<string, sqlite.SQLiteValue>;

export interface IntegrationRow {
  name: string;
  uid: string;
  config: string;
  createdAt: string;
  lastDeliveryAt: string | null;
  lastError: string | null;
}

export interface CursorRow { repository: string; branch: string; position: number; target: number | null; after: string | null }

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

export interface SyncBranch { repository: string; branch: string; position: number }

export interface SyncRow {
  gen: string;
  startedAt: string;
  total: number;
  current: number;
  branches: SyncBranch[];
  branchIndex: number;
  after: string | null;
  outcome: 'Running' | 'Completed' | 'Cancelled';
  tally: SyncTally;
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

const str = (v: sqlite.SQLiteValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

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

const RECORD_COLUMNS = [
  'integration', 'asset_id', 'repository', 'branch', 'uri', 'status', 'action', 'force', 'work_seq', 'integration_state',
  'asset_state_hash', 'content_hash', 'revision_id', 'last_synced_at', 'attempts', 'due_at', 'reason', 'delivery_id',
  'pending_asset', 'attempt_log',
] as const;

/** Integer columns of RECORD_COLUMNS (the others hold text or NULL). */
const INTEGER_COLUMNS: ReadonlySet<string> = new Set(['force', 'work_seq', 'attempts', 'due_at']);

/**
 * Texts at least this long are bound as their UTF-8 bytes (read back as TEXT by a CAST in the statement): Buffer's
 * native encoder instead of node-sqlite3-wasm's per-character one, about a sixth of what a record costs to write.
 */
const BYTES_FROM = 24;

/** Records written per statement by writeRecords (20 values each, well under SQLite's 32,766 variables). */
const WRITE_CHUNK = 100;

/** writeRecords' prepared statements kept (by row count and shared columns; a handful in practice). */
const WRITE_STATEMENTS_KEPT = 64;

/**
 * `rows` whole records in one upsert; the columns in the bit mask `shared` take one parameter for all rows (numbered
 * first, in column order), the others one per row (row after row, in column order).
 */
function upsertSql(rows: number, shared: number): string {
  const sharedCount = RECORD_COLUMNS.filter((_, c) => shared & (1 << c)).length;
  const perRow = RECORD_COLUMNS.length - sharedCount;
  const tuples: string[] = [];
  for (let j = 0; j < rows; j++) {
    let s = 0;
    let p = 0;
    tuples.push(`(${RECORD_COLUMNS.map((name, c) => {
      const param = shared & (1 << c) ? `?${++s}` : `?${sharedCount + j * perRow + ++p}`;
      return INTEGER_COLUMNS.has(name) ? param : `CAST(${param} AS TEXT)`;
    }).join(', ')})`);
  }
  return `INSERT INTO records (${RECORD_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}
     ON CONFLICT (integration, asset_id) DO UPDATE SET ${RECORD_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

/** A value as writeRows binds it (see BYTES_FROM). */
const bindable = (v: sqlite.SQLiteValue): sqlite.SQLiteValue => (typeof v === 'string' && v.length >= BYTES_FROM ? Buffer.from(v, 'utf8') : v);

export class IntegrationsDb {
  private readonly db: sqlite.Database;
  private readonly statements = new Map<string, sqlite.Statement>();
  /** writeRecords' statements by row count and shared columns. */
  private readonly writeStatements = new Map<number, sqlite.Statement>();
  /**
   * Count deltas not yet in `counts`, by integration and status: gathered while a counted scope (a transaction or a
   * group step) runs, added to `counts` with one statement per changed status when its outermost level ends (inside
   * the same transaction), dropped when it fails (its writes are rolled back with it).
   */
  private deltas = new Map<string, Map<TIntegrationStatus, number>>();
  private depth = 0;
  /** Per integration, bumped by every write of its records (a batch whose records' epoch is unchanged read them as they are). */
  private readonly epochs = new Map<string, number>();

  constructor(file: string) {
    this.db = openDatabase(file);
    // One process owns the data folder (lockDataDir): holding the lock spares node-sqlite3-wasm's lock directory being
    // made and removed around every statement; a persisted journal spares creating and deleting it per transaction.
    this.db.exec('PRAGMA synchronous = FULL; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = PERSIST; PRAGMA cache_size = -16384;');
    this.db.exec(INTEGRATIONS_SCHEMA);
    const version = this.db.get("SELECT value FROM meta WHERE key = 'schema_version'");
    if (version && Number(version.value) > INTEGRATIONS_SCHEMA_VERSION) {
      this.db.close();
      throw new Error(`${file} has schema version ${String(version.value)}, newer than this server's ${INTEGRATIONS_SCHEMA_VERSION}`);
    }
    if (!version || Number(version.value) < INTEGRATIONS_SCHEMA_VERSION) {
      inTransaction(this.db, () => {
        // Version 1 kept `counts` by per-row triggers: they go, and the counts are recomputed (a new file: nothing to count).
        if (!version || Number(version.value) < 2) this.db.exec(INTEGRATIONS_MIGRATE_TO_2);
        // A file made before version 3 has `syncs` without `tally` (CREATE TABLE IF NOT EXISTS left it as it was).
        const columns = this.db.all('PRAGMA table_info(syncs)').map((c) => String(c.name));
        if (!columns.includes('tally')) this.db.exec(INTEGRATIONS_MIGRATE_TO_3);
        this.db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', ['schema_version', String(INTEGRATIONS_SCHEMA_VERSION)]);
      });
    }
  }

  close(): void {
    this.flush();
    for (const s of this.statements.values()) s.finalize();
    this.statements.clear();
    for (const s of this.writeStatements.values()) s.finalize();
    this.writeStatements.clear();
    if (this.db.isOpen) this.db.close();
  }

  /** The query plan of a statement (tests check that the indexes are used). */
  explain(sql: string, params: sqlite.BindValues): string {
    return this.db.all(`EXPLAIN QUERY PLAN ${sql}`, params).map((r) => String(r.detail)).join('; ');
  }

  integrityCheck(): string {
    return String(this.db.get('PRAGMA integrity_check')?.integrity_check ?? 'no answer');
  }

  /** Runs `fn` in one transaction, committed when it returns (an open group is committed with it). */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn(); // inside a transaction or group step already: part of it
    if (this.group) {
      const result = this.savepoint(fn);
      this.flush();
      return result;
    }
    return this.db.inTransaction ? this.savepoint(fn) : inTransaction(this.db, () => this.counted(fn));
  }

  /** Runs `fn` as a counted scope: its count deltas are added to `counts` when the outermost scope ends, or dropped. */
  private counted<T>(fn: () => T): T {
    const before = this.depth === 0 ? null : this.cloneDeltas();
    this.depth++;
    try {
      const result = fn();
      if (this.depth === 1) this.applyCounts();
      return result;
    } catch (error) {
      this.deltas = before ?? new Map();
      throw error;
    } finally {
      this.depth--;
    }
  }

  private cloneDeltas(): Map<string, Map<TIntegrationStatus, number>> {
    const out = new Map<string, Map<TIntegrationStatus, number>>();
    for (const [name, m] of this.deltas) out.set(name, new Map(m));
    return out;
  }

  /** A record of `name` went from status `from` (null: none) to `to` (null: deleted). */
  private count(name: string, from: TIntegrationStatus | null, to: TIntegrationStatus | null, n = 1): void {
    if (from === to || n === 0) return;
    let m = this.deltas.get(name);
    if (!m) {
      m = new Map();
      this.deltas.set(name, m);
    }
    if (from !== null) m.set(from, (m.get(from) ?? 0) - n);
    if (to !== null) m.set(to, (m.get(to) ?? 0) + n);
  }

  private applyCounts(): void {
    if (this.deltas.size === 0) return;
    const deltas = this.deltas;
    this.deltas = new Map();
    for (const [name, m] of deltas) {
      for (const [status, n] of m) {
        if (n === 0) continue;
        this.s(`INSERT INTO counts (integration, status, n) VALUES (?, ?, ?)
                ON CONFLICT (integration, status) DO UPDATE SET n = n + excluded.n`).run([name, status, n]);
      }
    }
  }

  private touch(name: string): void {
    this.epochs.set(name, (this.epochs.get(name) ?? 0) + 1);
  }

  /** Bumped by every write of `name`'s records (see epochs). */
  epoch(name: string): number {
    return this.epochs.get(name) ?? 0;
  }

  private group: { count: number; timer: NodeJS.Timeout } | null = null;

  /**
   * Group commit: runs `fn` atomically (a savepoint) in a transaction left open for more, committed after `maxCount`
   * calls, `maxDelayMs`, the next transaction() or flush(). For work whose loss in a crash only means doing it again
   * (a Sync all batch's outcome: its cursor is in the same transaction, so the batch is sent again, same delivery id).
   */
  grouped<T>(fn: () => T, maxCount: number, maxDelayMs: number): T {
    if (this.depth > 0) return fn();
    if (!this.group) {
      if (this.db.inTransaction) return this.savepoint(fn);
      this.db.exec('BEGIN IMMEDIATE');
      const timer = setTimeout(() => this.flush(), maxDelayMs);
      timer.unref();
      this.group = { count: 0, timer };
    }
    const result = this.savepoint(fn);
    if (++this.group.count >= maxCount) this.flush();
    return result;
  }

  /** Commits an open group. */
  flush(): void {
    const group = this.group;
    if (!group) return;
    this.group = null;
    clearTimeout(group.timer);
    if (this.db.isOpen && this.db.inTransaction) this.db.exec('COMMIT');
  }

  private savepoint<T>(fn: () => T): T {
    this.db.exec('SAVEPOINT step');
    try {
      const result = this.counted(fn);
      this.db.exec('RELEASE step');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK TO step');
      this.db.exec('RELEASE step');
      throw error;
    }
  }

  private s(sql: string): sqlite.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** The key query cursors are signed with, created once and kept, so cursors survive a restart. */
  cursorKey(): Buffer {
    this.db.run('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)', ['cursor_key', randomBytes(32).toString('hex')]);
    return Buffer.from(String(this.db.get("SELECT value FROM meta WHERE key = 'cursor_key'")?.value), 'hex');
  }

  // ---- integrations ----

  integrations(): IntegrationRow[] {
    return this.s('SELECT name, uid, config, created_at, last_delivery_at, last_error FROM integrations ORDER BY name').all().map((r) => ({
      name: String(r.name),
      uid: String(r.uid),
      config: String(r.config),
      createdAt: String(r.created_at),
      lastDeliveryAt: str(r.last_delivery_at as sqlite.SQLiteValue),
      lastError: str(r.last_error as sqlite.SQLiteValue),
    }));
  }

  putIntegration(row: Pick<IntegrationRow, 'name' | 'uid' | 'config' | 'createdAt'>): void {
    this.s(
      `INSERT INTO integrations (name, uid, config, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET config = excluded.config`,
    ).run([row.name, row.uid, row.config, row.createdAt]);
  }

  deleteIntegration(name: string): void {
    this.transaction(() => {
      for (const table of ['records', 'cursors', 'syncs', 'counts']) this.s(`DELETE FROM ${table} WHERE integration = ?`).run([name]);
      this.s('DELETE FROM integrations WHERE name = ?').run([name]);
      this.deltas.delete(name); // its counts are gone with its records
      this.touch(name);
    });
  }

  setDeliveryInfo(name: string, lastDeliveryAt: string | null, lastError: string | null): void {
    this.s('UPDATE integrations SET last_delivery_at = COALESCE(?, last_delivery_at), last_error = ? WHERE name = ?').run([lastDeliveryAt, lastError, name]);
  }

  // ---- cursors ----

  cursors(name: string): Map<string, CursorRow> {
    const out = new Map<string, CursorRow>();
    for (const r of this.s('SELECT repository, branch, position, target, after FROM cursors WHERE integration = ?').all([name])) {
      const row: CursorRow = {
        repository: String(r.repository),
        branch: String(r.branch),
        position: Number(r.position),
        target: r.target === null ? null : Number(r.target),
        after: str(r.after as sqlite.SQLiteValue),
      };
      out.set(cursorKey(row.repository, row.branch), row);
    }
    return out;
  }

  putCursor(name: string, c: CursorRow): void {
    this.s(
      `INSERT INTO cursors (integration, repository, branch, position, target, after) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (integration, repository, branch) DO UPDATE SET position = excluded.position, target = excluded.target, after = excluded.after`,
    ).run([name, c.repository, c.branch, c.position, c.target, c.after]);
  }

  // ---- records ----

  record(name: string, assetId: string): RecordRow | null {
    const r = this.s('SELECT * FROM records WHERE integration = ? AND asset_id = ?').get([name, assetId]);
    return r ? recordOf(r as Row) : null;
  }

  records(name: string, assetIds: readonly string[]): Map<string, RecordRow> {
    const out = new Map<string, RecordRow>();
    if (assetIds.length === 0) return out;
    for (const r of this.s('SELECT * FROM records WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?))').all([name, JSON.stringify(assetIds)])) {
      const row = recordOf(r as Row);
      out.set(row.assetId, row);
    }
    return out;
  }

  /** The work sequence and status of each record that exists among these assets. */
  workSeqs(name: string, assetIds: readonly string[]): Map<string, { workSeq: number; status: TIntegrationStatus }> {
    const out = new Map<string, { workSeq: number; status: TIntegrationStatus }>();
    if (assetIds.length === 0) return out;
    for (const r of this.s('SELECT asset_id, work_seq, status FROM records WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?))').all([name, JSON.stringify(assetIds)])) {
      out.set(String(r.asset_id), { workSeq: Number(r.work_seq), status: String(r.status) as TIntegrationStatus });
    }
    return out;
  }

  /** The status of each record that exists among these assets. */
  private statuses(name: string, assetIds: readonly string[]): Map<string, { status: TIntegrationStatus }> {
    const out = new Map<string, { status: TIntegrationStatus }>();
    if (assetIds.length === 0) return out;
    for (const r of this.s('SELECT asset_id, status FROM records WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?))').all([name, JSON.stringify(assetIds)])) {
      out.set(String(r.asset_id), { status: String(r.status) as TIntegrationStatus });
    }
    return out;
  }

  /** Queues work for an asset, replacing older work (attempts start again; a pending force is kept). */
  enqueue(name: string, w: Work): void {
    this.transaction(() => {
      const old = this.s('SELECT status FROM records WHERE integration = ? AND asset_id = ?').get([name, w.assetId]);
      this.enqueueRow(name, w);
      this.count(name, old ? (String(old.status) as TIntegrationStatus) : null, 'Pending');
      this.touch(name);
    });
  }

  private enqueueRow(name: string, w: Work): void {
    this.s(
      `INSERT INTO records (integration, asset_id, repository, branch, uri, status, action, force, work_seq, revision_id, attempts, due_at, pending_asset)
       VALUES (?, ?, ?, ?, ?, 'Pending', ?, ?, 1, ?, 0, ?, ?)
       ON CONFLICT (integration, asset_id) DO UPDATE SET
         uri = excluded.uri, action = excluded.action,
         force = CASE WHEN records.status = 'Pending' THEN MAX(records.force, excluded.force) ELSE excluded.force END,
         status = 'Pending', work_seq = records.work_seq + 1, revision_id = excluded.revision_id, attempts = 0,
         due_at = excluded.due_at, reason = NULL, delivery_id = NULL, pending_asset = excluded.pending_asset`,
    ).run([name, w.assetId, w.repository, w.branch, w.uri, w.action, w.force ? 1 : 0, w.revisionId, w.dueAt, w.pendingAsset]);
  }

  /** Writes a whole record (insert or overwrite). */
  writeRecord(name: string, r: RecordRow): void {
    this.writeRecords(name, [r]);
  }

  /**
   * Writes whole records (insert or overwrite), up to WRITE_CHUNK per statement: a batch's outcomes cost one statement
   * instead of one per asset. A column with the same value in every row of a chunk (the integration, the status, the
   * time, …) is bound once (binding a value is most of what a row costs in node-sqlite3-wasm); statements are prepared
   * once per row count and set of such columns. Each asset at most once.
   *
   * `existing`, when given, holds the status of every record among `rows` that exists (read in this transaction); a
   * row absent from it is a new record. Without it the old statuses are read here. They keep the counts exact.
   */
  writeRecords(name: string, rows: readonly RecordRow[], existing?: ReadonlyMap<string, { status: TIntegrationStatus }>): void {
    if (rows.length === 0) return;
    this.transaction(() => {
      const old = existing ?? this.statuses(name, rows.map((r) => r.assetId));
      for (const r of rows) {
        this.count(name, old.get(r.assetId)?.status ?? null, r.status);
      }
      this.writeRows(name, rows);
      this.touch(name);
    });
  }

  private writeRows(name: string, rows: readonly RecordRow[]): void {
    const width = RECORD_COLUMNS.length;
    for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
      const n = Math.min(WRITE_CHUNK, rows.length - i);
      const table: sqlite.SQLiteValue[] = new Array<sqlite.SQLiteValue>(n * width);
      let k = 0;
      for (let j = i; j < i + n; j++) {
        const r = rows[j] as RecordRow;
        table[k++] = name;
        table[k++] = r.assetId;
        table[k++] = r.repository;
        table[k++] = r.branch;
        table[k++] = r.uri;
        table[k++] = r.status;
        table[k++] = r.action;
        table[k++] = r.force ? 1 : 0;
        table[k++] = r.workSeq;
        table[k++] = r.integrationState;
        table[k++] = r.assetStateHash;
        table[k++] = r.contentHash;
        table[k++] = r.revisionId;
        table[k++] = r.lastSyncedAt;
        table[k++] = r.attempts;
        table[k++] = r.dueAt;
        table[k++] = r.reason;
        table[k++] = r.deliveryId;
        table[k++] = r.pendingAsset;
        table[k++] = r.attemptLog;
      }
      let mask = 0;
      let sharedCount = 0;
      for (let c = 0; c < width; c++) {
        const first = table[c];
        let same = true;
        for (let j = 1; j < n && same; j++) same = table[j * width + c] === first;
        if (same) {
          mask |= 1 << c;
          sharedCount++;
        }
      }
      const values: sqlite.SQLiteValue[] = new Array<sqlite.SQLiteValue>(sharedCount + n * (width - sharedCount));
      k = 0;
      for (let c = 0; c < width; c++) if (mask & (1 << c)) values[k++] = bindable(table[c] as sqlite.SQLiteValue);
      for (let j = 0; j < n; j++) {
        for (let c = 0; c < width; c++) if (!(mask & (1 << c))) values[k++] = bindable(table[j * width + c] as sqlite.SQLiteValue);
      }
      this.writeStatement(n, mask).run(values);
    }
  }

  private writeStatement(rows: number, shared: number): sqlite.Statement {
    const key = rows * 2 ** RECORD_COLUMNS.length + shared;
    let statement = this.writeStatements.get(key);
    if (!statement) {
      if (this.writeStatements.size >= WRITE_STATEMENTS_KEPT) {
        for (const s of this.writeStatements.values()) s.finalize();
        this.writeStatements.clear();
      }
      statement = this.db.prepare(upsertSql(rows, shared));
      this.writeStatements.set(key, statement);
    }
    return statement;
  }

  deleteRecord(name: string, assetId: string): void {
    this.transaction(() => {
      for (const r of this.s('DELETE FROM records WHERE integration = ? AND asset_id = ? RETURNING status').all([name, assetId])) {
        this.count(name, String(r.status) as TIntegrationStatus, null);
      }
      this.touch(name);
    });
  }

  /** Pending records due at `now`, earliest first. */
  due(name: string, now: number, limit: number): RecordRow[] {
    return this.s('SELECT * FROM records WHERE integration = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, asset_id LIMIT ?')
      .all([name, now, limit]).map((r) => recordOf(r as Row));
  }

  /** Whether any Pending record is due at `now` (one narrow row instead of due()'s whole records: asked per batch). */
  anyDue(name: string, now: number): boolean {
    return this.s('SELECT 1 AS due FROM records WHERE integration = ? AND due_at IS NOT NULL AND due_at <= ? LIMIT 1').get([name, now]) !== null;
  }

  /** Due records of one failed batch (retried together under its delivery id). */
  dueOfDelivery(name: string, deliveryId: string, now: number, limit: number): RecordRow[] {
    return this.s('SELECT * FROM records WHERE integration = ? AND delivery_id = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY asset_id LIMIT ?')
      .all([name, deliveryId, now, limit]).map((r) => recordOf(r as Row));
  }

  /** When the next Pending record is due, or null. */
  nextDue(name: string): number | null {
    const r = this.s('SELECT MIN(due_at) AS due FROM records WHERE integration = ? AND due_at IS NOT NULL').get([name]);
    return r && r.due !== null ? Number(r.due) : null;
  }

  /** Remembers the delivery id a batch is sent under (before it is sent), for records whose work is unchanged. */
  setDeliveryId(name: string, members: ReadonlyArray<{ assetId: string; workSeq: number }>, deliveryId: string): void {
    this.transaction(() => {
      this.touch(name);
      for (const m of members) {
        this.s('UPDATE records SET delivery_id = ? WHERE integration = ? AND asset_id = ? AND work_seq = ?').run([deliveryId, name, m.assetId, m.workSeq]);
      }
    });
  }

  /** Pending records are forced (a Sync all leaves them to their own pending work, which must not be skipped). */
  forcePending(name: string, assetIds: readonly string[]): void {
    if (assetIds.length === 0) return;
    this.touch(name);
    this.s("UPDATE records SET force = 1 WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?)) AND status = 'Pending'")
      .run([name, JSON.stringify(assetIds)]);
  }

  counts(name: string): Record<TIntegrationStatus, number> {
    const out = { Tracked: 0, Failed: 0, Pending: 0 };
    for (const r of this.s('SELECT status, n FROM counts WHERE integration = ?').all([name])) {
      out[String(r.status) as TIntegrationStatus] = Number(r.n);
    }
    return out;
  }

  /** The counts as a scan of the records sees them (what `counts` must always equal; for checks and tests). */
  countsByScan(name: string): Record<TIntegrationStatus, number> {
    const out = { Tracked: 0, Failed: 0, Pending: 0 };
    for (const r of this.s('SELECT status, COUNT(*) AS n FROM records WHERE integration = ? GROUP BY status').all([name])) {
      out[String(r.status) as TIntegrationStatus] = Number(r.n);
    }
    return out;
  }

  /** One page of records with a status in asset id order after `after`, optionally only these ids. */
  page(name: string, status: TIntegrationStatus, after: string | null, limit: number, ids: readonly string[] | null): RecordRow[] {
    // Failed and Pending through the partial index (its condition spelled out, so the planner may use it).
    const where = status === 'Tracked' ? "status = 'Tracked'" : "status = ? AND status != 'Tracked'";
    const bound = status === 'Tracked' ? [] : [status];
    const rows = ids === null
      ? this.s(`SELECT * FROM records WHERE integration = ? AND ${where} AND asset_id > ? ORDER BY asset_id LIMIT ?`).all([name, ...bound, after ?? '', limit])
      : this.s(`SELECT * FROM records WHERE integration = ? AND ${where} AND asset_id > ? AND asset_id IN (SELECT value FROM json_each(?))
                ORDER BY asset_id LIMIT ?`).all([name, ...bound, after ?? '', JSON.stringify(ids), limit]);
    return rows.map((r) => recordOf(r as Row));
  }

  /** Queues the given records again at once, attempts reset and forced; returns how many. */
  resync(name: string, assetIds: readonly string[], now: number): number {
    return this.transaction(() => {
      for (const { status } of this.statuses(name, assetIds).values()) this.count(name, status, 'Pending');
      this.touch(name);
      return this.s(
        `UPDATE records SET status = 'Pending', force = 1, work_seq = work_seq + 1, attempts = 0, due_at = ?, delivery_id = NULL
         WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?))`,
      ).run([now, name, JSON.stringify(assetIds)]).changes;
    });
  }

  resyncFailed(name: string, now: number): number {
    return this.transaction(() => {
      const changes = this.s(
        `UPDATE records SET status = 'Pending', force = 1, work_seq = work_seq + 1, attempts = 0, due_at = ?, delivery_id = NULL
         WHERE integration = ? AND status = 'Failed' AND status != 'Tracked'`,
      ).run([now, name]).changes;
      this.count(name, 'Failed', 'Pending', changes);
      this.touch(name);
      return changes;
    });
  }

  knownIds(name: string, assetIds: readonly string[]): Set<string> {
    return new Set(this.s('SELECT asset_id FROM records WHERE integration = ? AND asset_id IN (SELECT value FROM json_each(?))')
      .all([name, JSON.stringify(assetIds)]).map((r) => String(r.asset_id)));
  }

  // ---- Sync all ----

  sync(name: string): SyncRow | null {
    const r = this.s('SELECT * FROM syncs WHERE integration = ?').get([name]);
    if (!r) return null;
    return {
      gen: String(r.gen),
      startedAt: String(r.started_at),
      total: Number(r.total),
      current: Number(r.current),
      branches: JSON.parse(String(r.branches)) as SyncBranch[],
      branchIndex: Number(r.branch_index),
      after: str(r.after as sqlite.SQLiteValue),
      outcome: String(r.outcome) as SyncRow['outcome'],
      tally: parseTally(str(r.tally as sqlite.SQLiteValue)),
    };
  }

  putSync(name: string, s: SyncRow): void {
    this.s(
      `INSERT OR REPLACE INTO syncs (integration, gen, started_at, total, current, branches, branch_index, after, outcome, tally)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run([name, s.gen, s.startedAt, s.total, s.current, JSON.stringify(s.branches), s.branchIndex, s.after, s.outcome, JSON.stringify(s.tally)]);
  }

  /** Moves a running Sync all's cursor, adds to its count and writes its tally (only the generation given). */
  advanceSync(name: string, gen: string, branchIndex: number, after: string | null, done: number, tally: SyncTally): void {
    this.s('UPDATE syncs SET branch_index = ?, after = ?, current = MIN(total, current + ?), tally = ? WHERE integration = ? AND gen = ?')
      .run([branchIndex, after, done, JSON.stringify(tally), name, gen]);
  }

  finishSync(name: string, gen: string, outcome: 'Completed' | 'Cancelled'): void {
    this.s("UPDATE syncs SET outcome = ? WHERE integration = ? AND gen = ? AND outcome = 'Running'").run([outcome, name, gen]);
  }
}

export const cursorKey = (repository: string, branch: string): string => `${repository}\n${branch}`;
