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
 */
export function openDatabase(file: string): sqlite.Database {
  const lockDir = `${path.resolve(file)}.lock`;
  const accessSync = fs.accessSync;
  fs.accessSync = (target: fs.PathLike, mode?: number): void => {
    if (path.resolve(String(target)) === lockDir) throw Object.assign(new Error(`ENOENT: ${lockDir}`), { code: 'ENOENT' });
    accessSync(target, mode);
  };
  let db: sqlite.Database | undefined;
  try {
    db = new sqlite.Database(file);
    db.get('PRAGMA schema_version'); // the first read takes the SHARED lock, where SQLite checks for a hot journal
    return db;
  } catch (error) {
    if (db?.isOpen) db.close();
    throw error;
  } finally {
    fs.accessSync = accessSync;
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
