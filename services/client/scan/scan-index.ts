/**
 * The stat index in the client's SQLite database (table scan_index, owned by the scanner): for each file of a
 * workspace, the size, mtime, ctime and inode it had when it was last hashed, and that hash. A file whose four values
 * are unchanged is not read again. A NULL hash means "re-hash next time" (the file was racy when hashed).
 */
import type { BigIntStats } from 'node:fs';
import type sqlite from 'node-sqlite3-wasm';

export interface IndexRow {
  size: number;
  mtimeNs: string;
  ino: string;
  ctimeNs: string;
  hash: string | null;
}

export interface IndexUpdate {
  upserts: Map<string, IndexRow>;
  deletes: string[];
}

const LOAD_PAGE = 5_000;
type StoredRow = [uri: string, size: number, mtimeNs: string, ino: string, ctimeNs: string, hash: string | null];

const SCHEMA = `CREATE TABLE IF NOT EXISTS scan_index (
  workspace TEXT, uri TEXT, size INTEGER, mtime_ns TEXT, ino TEXT, ctime_ns TEXT, hash TEXT, PRIMARY KEY (workspace, uri))`;

/** The index row a stat describes, before its hash is known. Nanosecond values are TEXT: they overflow a double. */
export const statRow = (stat: BigIntStats, hash: string | null): IndexRow => ({
  size: Number(stat.size),
  mtimeNs: stat.mtimeNs.toString(),
  ino: stat.ino.toString(),
  ctimeNs: stat.ctimeNs.toString(),
  hash,
});

/** Whether a stat still matches the row, so the row's hash can be trusted without reading the file. */
export const unchanged = (row: IndexRow, stat: BigIntStats): boolean =>
  row.hash !== null &&
  row.size === Number(stat.size) &&
  row.mtimeNs === stat.mtimeNs.toString() &&
  row.ctimeNs === stat.ctimeNs.toString() &&
  row.ino === stat.ino.toString();

export class ScanIndex {
  private readonly db: sqlite.Database;
  private readonly workspace: string;

  constructor(db: sqlite.Database, workspace: string) {
    this.db = db;
    this.workspace = workspace;
    db.exec(SCHEMA);
  }

  /**
   * Every row of the workspace. Read as JSON pages built inside SQLite: one value crosses into JavaScript per page
   * instead of six per row, which roughly halves the time for 100,000 rows.
   */
  load(): Map<string, IndexRow> {
    const rows = new Map<string, IndexRow>();
    const page = this.db.prepare(
      `SELECT json_group_array(json_array(uri, size, mtime_ns, ino, ctime_ns, hash)) AS rows, max(uri) AS last
       FROM (SELECT * FROM scan_index WHERE workspace = ? AND uri > ? ORDER BY uri LIMIT ${LOAD_PAGE})`,
    );
    try {
      for (let after = ''; ;) {
        const r = page.get([this.workspace, after]);
        if (!r || r.last === null) break;
        for (const [uri, size, mtimeNs, ino, ctimeNs, hash] of JSON.parse(String(r.rows)) as StoredRow[]) {
          rows.set(uri, { size, mtimeNs, ino, ctimeNs, hash });
        }
        after = String(r.last);
      }
    } finally {
      page.finalize();
    }
    return rows;
  }

  /**
   * Applies one scan's changes atomically. A SAVEPOINT rather than BEGIN, because the database is shared by the whole
   * client: it nests inside a transaction another part may have open, and starts its own otherwise.
   */
  apply(update: IndexUpdate): void {
    if (update.upserts.size === 0 && update.deletes.length === 0) return;
    const upsert = this.db.prepare(
      'INSERT OR REPLACE INTO scan_index (workspace, uri, size, mtime_ns, ino, ctime_ns, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const remove = this.db.prepare('DELETE FROM scan_index WHERE workspace = ? AND uri = ?');
    this.db.exec('SAVEPOINT scan_index');
    try {
      for (const [uri, r] of update.upserts) upsert.run([this.workspace, uri, r.size, r.mtimeNs, r.ino, r.ctimeNs, r.hash]);
      for (const uri of update.deletes) remove.run([this.workspace, uri]);
      this.db.exec('RELEASE scan_index');
    } catch (error) {
      this.db.exec('ROLLBACK TO scan_index; RELEASE scan_index');
      throw error;
    } finally {
      upsert.finalize();
      remove.finalize();
    }
  }
}
