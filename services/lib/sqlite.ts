/** SQLite helpers shared by the services' stores (node-sqlite3-wasm). */
import type sqlite from 'node-sqlite3-wasm';

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
