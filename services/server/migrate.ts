/**
 * Opens the server's schema: creates it in a fresh database, or brings an older one up to SCHEMA_VERSION in one
 * transaction (a crash mid-migration leaves the old database as it was). A database newer than this server is refused.
 *
 * 1 → 2 (asset catalogue): adds the catalogue columns of `files` and fills them for every stored version: the asset
 * id, kind, name and parent id from the repository, branch and URI, and `created_commit` by walking each URI's
 * versions in order (a version that starts where the previous one of the same kind ended continues that existence;
 * one that starts later, after a delete, or that turns a file into a folder or the reverse, begins a new one). Then the
 * new tables and indexes are created, and `files_current` / `files_from` are rebuilt with the columns version 2 adds.
 */
import type sqlite from 'node-sqlite3-wasm';
import { inTransaction } from '../lib/sqlite.ts';
import { assetColumns, assetIdOf, parentIdOf } from './catalogue/derive.ts';
import { FILES_CATALOGUE_COLUMNS, SCHEMA, SCHEMA_VERSION } from './schema.ts';

/** SQL functions the store's statements use to derive catalogue ids (creating a branch copies rows under new ids). */
export function registerCatalogueFunctions(db: sqlite.Database): void {
  db.function('assethub_asset_id', (repository, branch, uri) => assetIdOf(String(repository), String(branch), String(uri)), { deterministic: true });
  db.function('assethub_parent_id', (repository, branch, uri) => parentIdOf(String(repository), String(branch), String(uri)), { deterministic: true });
}

/** The schema version recorded in the database, or null for a fresh one. */
export function storedSchemaVersion(db: sqlite.Database): number | null {
  if (!db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")) return null;
  const row = db.get("SELECT value FROM meta WHERE key = 'schema_version'");
  return row ? Number(row.value) : null;
}

const MIGRATIONS: Record<number, (db: sqlite.Database) => void> = {
  1: (db) => {
    for (const column of FILES_CATALOGUE_COLUMNS) db.exec(`ALTER TABLE files ADD COLUMN ${column}`);
    // Recreated with more columns by SCHEMA below.
    db.exec('DROP INDEX IF EXISTS files_current; DROP INDEX IF EXISTS files_from;');
    const update = db.prepare('UPDATE files SET asset_id = ?, asset_kind = ?, name = ?, parent_id = ?, created_commit = ? WHERE rowid = ?');
    try {
      const branches = db.all('SELECT b.id, b.name, r.name AS repository FROM branches b JOIN repositories r ON r.id = b.repository_id ORDER BY b.id');
      for (const b of branches) {
        const rows = db.all(
          'SELECT rowid AS row, uri, kind, from_pos, to_pos, commit_id FROM files WHERE branch_id = ? ORDER BY uri, from_pos',
          [Number(b.id)],
        );
        type Previous = { uri: string; kind: string; toPos: number | null; created: string };
        let previous: Previous | null = null;
        for (const r of rows) {
          const uri = String(r.uri);
          const before: Previous | null = previous;
          const continues = before !== null && before.uri === uri && before.kind === r.kind && before.toPos === Number(r.from_pos);
          const created: string = continues && before ? before.created : String(r.commit_id);
          const c = assetColumns(String(b.repository), String(b.name), uri, r.kind === 'directory');
          update.run([c.assetId, c.assetKind, c.name, c.parentId, created, Number(r.row)]);
          previous = { uri, kind: String(r.kind), toPos: r.to_pos === null ? null : Number(r.to_pos), created };
        }
      }
    } finally {
      update.finalize();
    }
  },
};

/** Creates or migrates the schema; afterwards the database is at SCHEMA_VERSION. */
export function openSchema(db: sqlite.Database): void {
  const version = storedSchemaVersion(db);
  if (version !== null && version > SCHEMA_VERSION) {
    throw new Error(`the database is at schema version ${version}, newer than this server's ${SCHEMA_VERSION}: use a newer server`);
  }
  if (version === null || version === SCHEMA_VERSION) {
    db.exec(SCHEMA);
    db.run('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)', ['schema_version', String(SCHEMA_VERSION)]);
    return;
  }
  inTransaction(db, () => {
    for (let v = version; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v];
      if (!step) throw new Error(`no migration from schema version ${v}`);
      step(db);
    }
    db.exec(SCHEMA);
    db.run("UPDATE meta SET value = ? WHERE key = 'schema_version'", [String(SCHEMA_VERSION)]);
  });
}
