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

  load(): Map<string, IndexRow> {
    const rows = new Map<string, IndexRow>();
    const select = this.db.prepare('SELECT uri, size, mtime_ns, ino, ctime_ns, hash FROM scan_index WHERE workspace = ?');
    try {
      for (const r of select.iterate([this.workspace])) {
        rows.set(String(r.uri), {
          size: Number(r.size),
          mtimeNs: String(r.mtime_ns),
          ino: String(r.ino),
          ctimeNs: String(r.ctime_ns),
          hash: r.hash === null ? null : String(r.hash),
        });
      }
    } finally {
      select.finalize();
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
