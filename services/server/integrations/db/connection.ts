/**
 * The integrations database's transaction machinery (schema.ts for the tables): the file opened and migrated, prepared
 * statements kept, transactions, savepoints and group commit. The table modules beside it only run statements through
 * it; what they gather while a scope runs (count deltas) is written through a ScopeBuffer when its outermost level ends.
 */
import { randomBytes } from 'node:crypto';
import type sqlite from 'node-sqlite3-wasm';
import { inTransaction, openDatabase } from '../../../lib/sqlite.ts';
import { INTEGRATIONS_MIGRATE_TO_2, INTEGRATIONS_MIGRATE_TO_3, INTEGRATIONS_SCHEMA, INTEGRATIONS_SCHEMA_VERSION } from '../schema.ts';

export type Row = Record<string, sqlite.SQLiteValue>;

export const str = (v: sqlite.SQLiteValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

/**
 * What a table gathers while a counted scope (a transaction or a group step) runs: written inside the same transaction
 * when the outermost scope ends, dropped when a scope fails (its writes are rolled back with it).
 */
export interface ScopeBuffer<Mark> {
  /** What to go back to if the scope about to start fails. */
  mark(): Mark;
  /** Back to `mark`; null: to nothing gathered (the outermost scope failed). */
  rollback(mark: Mark | null): void;
  write(): void;
}

/**
 * How a transaction's commit is kept. `durable`: on the disk before the call returns (synchronous=FULL: the WAL is
 * fsynced). `redoable`: in the WAL, not waited for (synchronous=NORMAL). A killed process never loses it; a power cut
 * or an OS crash may lose the last ones, and the database is then as it was a little earlier, never half-written. Only
 * for work that is then done again by itself: a scan page moves its cursor in the same transaction (scanned again), a
 * batch's delivery id or outcome (the batch is sent again; receivers answer a repeat the same way).
 */
export type Durability = 'durable' | 'redoable';

export class Connection {
  private readonly db: sqlite.Database;
  private readonly statements = new Map<string, sqlite.Statement>();
  private buffer: ScopeBuffer<unknown> | null = null;
  private depth = 0;
  private group: { count: number; timer: NodeJS.Timeout } | null = null;
  /** The synchronous setting in force (SQLite refuses to change it inside a transaction). */
  private synchronous: Durability = 'durable';

  constructor(file: string) {
    // One process owns the data folder (lockDataDir): the exclusive lock spares node-sqlite3-wasm's lock directory
    // being made and removed around every statement. WAL, so the delivery pipeline's many small commits need not each
    // wait for the disk on the event loop (Durability).
    this.db = openDatabase(file, { wal: true });
    this.db.exec('PRAGMA synchronous = FULL; PRAGMA cache_size = -16384;');
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

  /** The one buffer written at the end of every outermost counted scope. */
  useBuffer<Mark>(buffer: ScopeBuffer<Mark>): void {
    this.buffer = buffer as ScopeBuffer<unknown>;
  }

  close(): void {
    this.flush();
    for (const s of this.statements.values()) s.finalize();
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }

  /** The query plan of a statement (tests check that the indexes are used). */
  explain(sql: string, params: sqlite.BindValues): string {
    return this.db.all(`EXPLAIN QUERY PLAN ${sql}`, params).map((r) => String(r.detail)).join('; ');
  }

  integrityCheck(): string {
    return String(this.db.get('PRAGMA integrity_check')?.integrity_check ?? 'no answer');
  }

  /** The key query cursors are signed with, created once and kept, so cursors survive a restart. */
  cursorKey(): Buffer {
    this.db.run('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)', ['cursor_key', randomBytes(32).toString('hex')]);
    return Buffer.from(String(this.db.get("SELECT value FROM meta WHERE key = 'cursor_key'")?.value), 'hex');
  }

  /** A prepared statement, kept until close. */
  statement(sql: string): sqlite.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A prepared statement the caller keeps and finalizes (for statements made from data, too many to keep all). */
  prepare(sql: string): sqlite.Statement {
    return this.db.prepare(sql);
  }

  /** Runs `fn` in one transaction, committed when it returns (an open group is committed first). */
  transaction<T>(fn: () => T, durability: Durability = 'durable'): T {
    if (this.depth > 0) return fn(); // inside a transaction or group step already: part of it
    this.flush();
    if (this.db.inTransaction) return this.savepoint(fn);
    this.keep(durability);
    return inTransaction(this.db, () => this.counted(fn));
  }

  /**
   * Group commit: runs `fn` atomically (a savepoint) in a transaction left open for more, committed after `maxCount`
   * calls, `maxDelayMs`, the next transaction() or flush(). For work whose loss in a crash only means doing it again
   * (a Sync all batch's outcome: its cursor is in the same transaction, so the batch is sent again, same delivery id).
   * Its commit is redoable.
   */
  grouped<T>(fn: () => T, maxCount: number, maxDelayMs: number): T {
    if (this.depth > 0) return fn();
    if (!this.group) {
      if (this.db.inTransaction) return this.savepoint(fn);
      this.keep('redoable');
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

  private keep(durability: Durability): void {
    if (this.synchronous === durability) return;
    this.db.exec(`PRAGMA synchronous = ${durability === 'durable' ? 'FULL' : 'NORMAL'}`);
    this.synchronous = durability;
  }

  /** Runs `fn` as a counted scope: the buffer is written when the outermost scope ends, or rolled back. */
  private counted<T>(fn: () => T): T {
    const before = this.depth === 0 ? null : this.buffer?.mark() ?? null;
    this.depth++;
    try {
      const result = fn();
      if (this.depth === 1) this.buffer?.write();
      return result;
    } catch (error) {
      this.buffer?.rollback(before);
      throw error;
    } finally {
      this.depth--;
    }
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
}
