// A version 1 database (as the demo and every data folder before the catalogue have it) is brought to version 2 in
// place: every stored version gets exactly the catalogue columns a version 2 server writes for the same history, the
// catalogue answers on it, and it keeps working. A database newer than the server is refused untouched.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../schema.ts';
import { ServerStore } from '../store.ts';
import { Catalogue } from './index.ts';
import { REPO, commit, del, filterOf, openTestStore, pagedAssets, putDir, putFile, referenceAssets, referenceHistory, type TestStore } from './testing/catalogue.ts';

/** The schema of version 1, frozen here as the fixture it is (services/server/schema.ts before the catalogue). */
const V1_SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE repositories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, auto_pull INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE branches (id INTEGER PRIMARY KEY, repository_id INTEGER NOT NULL REFERENCES repositories(id), name TEXT NOT NULL, UNIQUE (repository_id, name));
CREATE TABLE commits (id TEXT PRIMARY KEY, repository_id INTEGER NOT NULL REFERENCES repositories(id), parent TEXT, author TEXT NOT NULL, comment TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE branch_commits (branch_id INTEGER NOT NULL REFERENCES branches(id), position INTEGER NOT NULL, commit_id TEXT NOT NULL REFERENCES commits(id), PRIMARY KEY (branch_id, position));
CREATE INDEX branch_commits_by_commit ON branch_commits (branch_id, commit_id);
CREATE TABLE tags (commit_id TEXT NOT NULL REFERENCES commits(id), tag TEXT NOT NULL, PRIMARY KEY (commit_id, tag));
CREATE TABLE files (
  branch_id INTEGER NOT NULL REFERENCES branches(id), uri TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
  from_pos INTEGER NOT NULL, to_pos INTEGER, size INTEGER NOT NULL DEFAULT 0, hash TEXT, chunks TEXT,
  commit_id TEXT NOT NULL REFERENCES commits(id), PRIMARY KEY (branch_id, uri, from_pos)
);
CREATE INDEX files_current ON files (branch_id, to_pos, uri);
CREATE INDEX files_from ON files (branch_id, from_pos);
CREATE TABLE claims (repository_id INTEGER NOT NULL REFERENCES repositories(id), branch TEXT NOT NULL, uri TEXT NOT NULL, owner TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (repository_id, branch, uri));
INSERT INTO meta (key, value) VALUES ('schema_version', '1');
`;
const V1_COLUMNS: Record<string, string[]> = {
  repositories: ['id', 'name', 'auto_pull', 'created_at'],
  branches: ['id', 'repository_id', 'name'],
  commits: ['id', 'repository_id', 'parent', 'author', 'comment', 'created_at'],
  branch_commits: ['branch_id', 'position', 'commit_id'],
  tags: ['commit_id', 'tag'],
  files: ['branch_id', 'uri', 'kind', 'from_pos', 'to_pos', 'size', 'hash', 'chunks', 'commit_id'],
  claims: ['repository_id', 'branch', 'uri', 'owner', 'created_at'],
};
const ALL_FILES = 'SELECT * FROM files ORDER BY branch_id, uri, from_pos';

let reference: TestStore;
let dir: string;
let v1File: string;

beforeAll(() => {
  // The same history, written by a version 2 store: the rows the migration must reproduce.
  reference = openTestStore();
  const s = reference.store;
  s.createRepository(REPO, 'Main', 'OPS');
  commit(s, 'Main', 'STAGE-A', [putDir('FileSystem:/tex'), putFile('FileSystem:/tex/a.png', 'a1'), putFile('FileSystem:/tex/b.fbx', 'b1'), putFile('FileSystem:/top.umap', 't')]);
  commit(s, 'Main', 'STAGE-B', [putFile('FileSystem:/tex/a.png', 'a2'), del('FileSystem:/top.umap'), putDir('FileSystem:/tex/b.fbx')]);
  s.createBranch(REPO, 'Show', s.head(s.branch(REPO, 'Main').id).commitId);
  commit(s, 'Main', 'STAGE-A', [del('FileSystem:/tex'), putFile('FileSystem:/tex/a.png', 'a3')]);
  commit(s, 'Main', 'STAGE-B', [putFile('FileSystem:/top.umap', 't again'), putDir('FileSystem:/tex')]);
  commit(s, 'Show', 'STAGE-B', [putFile('FileSystem:/tex/a.png', 'show')]);
  s.setTag(REPO, 'Main', s.head(s.branch(REPO, 'Main').id).commitId, 'day-1', true);
  s.claim(REPO, 'Main', 'FileSystem:/tex/a.png', 'STAGE-A', false);

  // A version 1 database with the same rows (v1 columns only).
  dir = mkdtempSync(path.join(os.tmpdir(), 'assethub-migrate-'));
  v1File = path.join(dir, 'server.sqlite');
  const v1 = new sqlite.Database(v1File);
  v1.exec(V1_SCHEMA);
  for (const [table, columns] of Object.entries(V1_COLUMNS)) {
    for (const row of s.database.all(`SELECT ${columns.join(', ')} FROM ${table}`)) {
      const values = columns.map((c) => (row as Record<string, string | number | null>)[c] ?? null);
      v1.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, values);
    }
  }
  v1.close();
});
afterAll(() => {
  reference?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('migration from schema version 1', () => {
  it('fills every version\'s catalogue columns exactly as a version 2 server writes them', () => {
    const file = path.join(dir, 'migrated.sqlite');
    copyFileSync(v1File, file);
    const store = new ServerStore(file);
    try {
      expect(store.database.get("SELECT value FROM meta WHERE key = 'schema_version'")?.value).toBe(String(SCHEMA_VERSION));
      const migrated = store.database.all(ALL_FILES);
      expect(migrated.length).toBeGreaterThan(10);
      expect(migrated).toEqual(reference.store.database.all(ALL_FILES));
      expect(migrated.every((r) => /^[0-9A-F]{40}$/.test(String(r.asset_id)) && r.created_commit !== '')).toBe(true);
      expect(store.integrityCheck()).toBe('ok');
      // The same columns and indexes as a fresh version 2 database.
      const shape = (db: sqlite.Database) => ({
        files: db.all('PRAGMA table_info(files)'),
        indexes: db.all("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' ORDER BY name")
          .map((i) => ({ name: String(i.name), table: String(i.tbl_name), columns: db.all(`PRAGMA index_info(${String(i.name)})`).map((c) => c.name) })),
      });
      expect(shape(store.database)).toEqual(shape(reference.store.database));
      expect(shape(store.database).indexes.find((i) => i.name === 'files_current')?.columns).toEqual(['branch_id', 'to_pos', 'uri', 'from_pos']);
      for (const table of ['asset_tags', 'asset_keywords', 'asset_metadata']) {
        expect(store.database.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", [table]), table).toBeTruthy();
      }
    } finally {
      store.close();
    }
  });

  it('the catalogue answers on the migrated database, and it takes new commits', () => {
    const file = path.join(dir, 'working.sqlite');
    copyFileSync(v1File, file);
    const store = new ServerStore(file);
    try {
      const catalogue = new Catalogue(store);
      for (const name of ['Main', 'Show']) {
        const branch = store.branch(REPO, name);
        const history = referenceHistory(store, REPO, branch, new Map());
        for (const text of ['', 'exchange.snapshot.fromRevision==latest-2', 'exchange.snapshot.fromRevision==latest-1', 'asset.type.name==texture']) {
          expect(pagedAssets(catalogue, branch, filterOf(text), 2), `${name}: ${text}`).toEqual(referenceAssets(filterOf(text), history));
        }
      }
      commit(store, 'Main', 'STAGE-A', [putFile('FileSystem:/tex/c.png', 'c')]);
      const [added] = catalogue.page(store.branch(REPO, 'Main'), { from: null, to: store.head(store.branch(REPO, 'Main').id).position }, filterOf('asset.parameter.name==name;asset.parameter.value==c.png'), null, 10);
      expect(added).toMatchObject({ uri: 'FileSystem:/tex/c.png', type: 'assethub:texture-1.0.0', createdBy: { userId: 'STAGE-A' } });
    } finally {
      store.close();
    }
    // Opening it again changes nothing.
    const again = new ServerStore(file);
    try {
      expect(again.database.get("SELECT value FROM meta WHERE key = 'schema_version'")?.value).toBe(String(SCHEMA_VERSION));
      expect(again.database.all(ALL_FILES).length).toBe(reference.store.database.all(ALL_FILES).length + 1);
    } finally {
      again.close();
    }
  });

  it('refuses a database of a newer version and leaves it as it was', () => {
    const file = path.join(dir, 'newer.sqlite');
    copyFileSync(v1File, file);
    const db = new sqlite.Database(file);
    db.run("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    db.close();
    const before = readFileSync(file);
    expect(() => new ServerStore(file)).toThrow(/schema version 99, newer than this server's/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
