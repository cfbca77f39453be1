/** SQLite helpers shared by the services' stores (node-sqlite3-wasm). */
import fs from 'node:fs';
import path from 'node:path';
import sqlite from 'node-sqlite3-wasm';

/**
 * Opens a database file, rolling back a hot journal a killed process left behind.
 *
 * node-sqlite3-wasm's VFS answers SQLite's "does another connection hold a RESERVED lock?" by checking whether the
 * `<file>.lock` directory exists, and it creates that directory for its own SHARED lock. SQLite therefore always
 * believes someone else is writing, never treats a leftover journal as hot, and reads the half-written pages a
 * SIGKILL mid-commit left in the file: a corrupt database. SQLite only asks after it has taken its SHARED lock, which
 * this VFS grants only when no other connection holds the directory, so while this connection opens and reads its
 * first page the directory can only be its own: for that moment it is reported absent, SQLite sees the hot journal
 * and plays it back as it would on any other VFS.
 *
 * `wal`: the file is kept in WAL mode with exclusive locking (one process owns it): a commit appends to the WAL
 * without waiting for the disk unless synchronous=FULL (the caller's choice), and a WAL a killed process left is replayed
 * on open.
 */
export function openDatabase(file: string, options: { wal?: boolean } = {}): CachingDatabase {
  const lockDir = `${path.resolve(file)}.lock`;
  const accessSync = fs.accessSync;
  fs.accessSync = (target: fs.PathLike, mode?: number): void => {
    if (path.resolve(String(target)) === lockDir) throw Object.assign(new Error(`ENOENT: ${lockDir}`), { code: 'ENOENT' });
    accessSync(target, mode);
  };
  let db: CachingDatabase | undefined;
  try {
    db = new CachingDatabase(file);
    // WAL without shared memory (this VFS has none) needs the exclusive lock from the first read on, which is also
    // where SQLite replays a WAL a killed process left behind.
    if (options.wal) db.exec('PRAGMA locking_mode = EXCLUSIVE;');
    db.get('PRAGMA schema_version'); // the first read takes the SHARED lock, where SQLite checks for a hot journal
    if (options.wal) db.exec('PRAGMA journal_mode = WAL;');
    return db;
  } catch (error) {
    if (db?.isOpen) db.close();
    throw error;
  } finally {
    fs.accessSync = accessSync;
  }
}

/** Statements kept prepared per database; past this many distinct SQL texts the oldest is finalized. */
const STATEMENTS_KEPT = 256;

/**
 * node-sqlite3-wasm prepares and finalizes a statement on every `run`, `get` and `all`: for the short statements the
 * stores run thousands of times in one commit, preparing costs more than running. This keeps each SQL text's
 * statement prepared and reuses it (a statement is reset and rebound before each use). `get` reads one row and then
 * resets the statement at once, so no half-read statement keeps a read transaction open.
 */
export class CachingDatabase extends sqlite.Database {
  private readonly statements = new Map<string, sqlite.Statement>();
  /** Called before every statement; throws to refuse it (services/server/store-writer.ts holds a store this way). */
  guard: (() => void) | null = null;

  private statement(sql: string): sqlite.Statement {
    this.guard?.();
    let stmt = this.statements.get(sql);
    if (stmt) {
      // Most recently used last, so the first is the one to drop.
      this.statements.delete(sql);
    } else {
      stmt = this.prepare(sql);
      if (this.statements.size >= STATEMENTS_KEPT) {
        const [oldest, old] = this.statements.entries().next().value as [string, sqlite.Statement];
        this.statements.delete(oldest);
        old.finalize();
      }
    }
    this.statements.set(sql, stmt);
    return stmt;
  }

  override run(sql: string, values?: sqlite.BindValues): sqlite.RunResult {
    return this.statement(sql).run(values);
  }

  override all(sql: string, values?: sqlite.BindValues, options?: sqlite.QueryOptions): sqlite.QueryResult[] {
    return this.statement(sql).all(values, options);
  }

  override get(sql: string, values?: sqlite.BindValues, options?: sqlite.QueryOptions): sqlite.QueryResult | null {
    const stmt = this.statement(sql);
    const rows = stmt.iterate(values, options);
    const first = rows.next();
    // The library resets a statement only before its next use; a row left unread would hold the read open until then.
    (stmt as unknown as { _reset(): boolean })._reset();
    return first.done ? null : first.value;
  }

  override exec(sql: string): void {
    this.guard?.();
    super.exec(sql);
  }

  override close(): void {
    for (const stmt of this.statements.values()) stmt.finalize();
    this.statements.clear();
    super.close();
  }
}

/** Runs `fn` in one IMMEDIATE transaction; rolls back on any exception, so a failure leaves nothing half-written. */
export function inTransaction<T>(db: sqlite.Database, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
