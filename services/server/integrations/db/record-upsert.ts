/**
 * Whole records written in bulk: up to WRITE_CHUNK per statement, so a batch's outcomes cost one statement instead of
 * one per asset. A column with the same value in every row of a chunk (the integration, the status, the time, …) is
 * bound once (binding a value is most of what a row costs in node-sqlite3-wasm); statements are prepared once per row
 * count and set of such columns.
 */
import type sqlite from 'node-sqlite3-wasm';
import type { Connection } from './connection.ts';
import type { RecordRow } from './records-table.ts';

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

/** Records written per statement (20 values each, well under SQLite's 32,766 variables). */
const WRITE_CHUNK = 100;

/** Prepared statements kept (by row count and shared columns; a handful in practice). */
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

/** A value as bound (see BYTES_FROM). */
const bindable = (v: sqlite.SQLiteValue): sqlite.SQLiteValue => (typeof v === 'string' && v.length >= BYTES_FROM ? Buffer.from(v, 'utf8') : v);

export class RecordUpsert {
  /** Statements by row count and shared columns. */
  private readonly statements = new Map<number, sqlite.Statement>();

  constructor(private readonly c: Connection) {}

  close(): void {
    for (const s of this.statements.values()) s.finalize();
    this.statements.clear();
  }

  /** Inserts or overwrites `rows` of integration `name` (each asset at most once; counts are the caller's). */
  write(name: string, rows: readonly RecordRow[]): void {
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
      this.statement(n, mask).run(values);
    }
  }

  private statement(rows: number, shared: number): sqlite.Statement {
    const key = rows * 2 ** RECORD_COLUMNS.length + shared;
    let statement = this.statements.get(key);
    if (!statement) {
      if (this.statements.size >= WRITE_STATEMENTS_KEPT) {
        for (const s of this.statements.values()) s.finalize();
        this.statements.clear();
      }
      statement = this.c.prepare(upsertSql(rows, shared));
      this.statements.set(key, statement);
    }
    return statement;
  }
}
