/**
 * The AssetHubClient's SQLite database: its workspaces, each workspace's base (the files as of its commit, which
 * local changes are measured against), the conflicts a pull left, and the stat index the scanner keeps (its own table).
 */
import type sqlite from 'node-sqlite3-wasm';
import { inTransaction, openDatabase } from '../lib/sqlite.ts';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import type { Unwritten } from './unwritable.ts';

export interface WorkspaceRow {
  path: string;
  repository: string;
  branch: string;
  commit: string | null;
  /** The workspace's own AutoPull setting; null follows the server's repository default. */
  autoPull: boolean | null;
}

export interface BaseEntry {
  uri: string;
  kind: 'file' | 'directory';
  size: number;
  hash: string | null;
  chunks: string[];
}

export interface Conflict {
  uri: string;
  /** What the server has for this URI at the workspace's commit. */
  remote: TCommitChange;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS workspaces (
  path TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  branch TEXT NOT NULL,
  commit_id TEXT,
  auto_pull INTEGER,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS base (
  workspace TEXT NOT NULL,
  uri TEXT NOT NULL,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  hash TEXT,
  chunks TEXT,
  PRIMARY KEY (workspace, uri)
);
CREATE TABLE IF NOT EXISTS conflicts (
  workspace TEXT NOT NULL,
  uri TEXT NOT NULL,
  remote TEXT NOT NULL,
  PRIMARY KEY (workspace, uri)
);
CREATE TABLE IF NOT EXISTS unwritten (
  workspace TEXT NOT NULL,
  uri TEXT NOT NULL,
  change TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (workspace, uri)
);
`;

export class ClientStore {
  readonly db: sqlite.Database;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.db.exec('PRAGMA synchronous = FULL;');
    this.db.exec(SCHEMA);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return inTransaction(this.db, fn);
  }

  workspaces(): WorkspaceRow[] {
    return this.db.all('SELECT path, repository, branch, commit_id, auto_pull FROM workspaces ORDER BY path').map((r) => ({
      path: String(r.path),
      repository: String(r.repository),
      branch: String(r.branch),
      commit: r.commit_id === null ? null : String(r.commit_id),
      autoPull: r.auto_pull === null ? null : r.auto_pull === 1,
    }));
  }

  addWorkspace(row: WorkspaceRow): void {
    this.db.run('INSERT INTO workspaces (path, repository, branch, commit_id, auto_pull, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      row.path, row.repository, row.branch, row.commit, row.autoPull === null ? null : row.autoPull ? 1 : 0, new Date().toISOString(),
    ]);
  }

  setCommit(path: string, commit: string): void {
    this.db.run('UPDATE workspaces SET commit_id = ? WHERE path = ?', [commit, path]);
  }

  /** Own AutoPull settings; a workspace missing from the map follows the server's default. */
  setAutoPull(settings: ReadonlyMap<string, boolean | null>): void {
    this.transaction(() => {
      for (const [path, on] of settings) this.db.run('UPDATE workspaces SET auto_pull = ? WHERE path = ?', [on === null ? null : on ? 1 : 0, path]);
    });
  }

  base(workspace: string): Map<string, BaseEntry> {
    const out = new Map<string, BaseEntry>();
    for (const r of this.db.all('SELECT uri, kind, size, hash, chunks FROM base WHERE workspace = ?', [workspace])) {
      out.set(String(r.uri), {
        uri: String(r.uri),
        kind: r.kind === 'directory' ? 'directory' : 'file',
        size: Number(r.size),
        hash: r.hash === null ? null : String(r.hash),
        chunks: r.chunks === null ? [] : (JSON.parse(String(r.chunks)) as string[]),
      });
    }
    return out;
  }

  /** Records what the server has for a URI now that it is applied (or chosen) locally; null = it no longer exists. */
  setBase(workspace: string, uri: string, change: TCommitChange | null): void {
    if (change === null || change.Type === 'Delete') {
      this.db.run("DELETE FROM base WHERE workspace = ? AND (uri = ? OR substr(uri, 1, ?) = ?)", [workspace, uri, uri.length + 1, `${uri}/`]);
      return;
    }
    const isFile = change.Type === 'PutFile';
    this.db.run('INSERT OR REPLACE INTO base (workspace, uri, kind, size, hash, chunks) VALUES (?, ?, ?, ?, ?, ?)', [
      workspace, uri, isFile ? 'file' : 'directory', isFile ? change.Size ?? 0 : 0, isFile ? change.Hash ?? null : null, isFile ? JSON.stringify(change.Chunks ?? []) : null,
    ]);
  }

  conflicts(workspace: string): Conflict[] {
    return this.db
      .all('SELECT uri, remote FROM conflicts WHERE workspace = ? ORDER BY uri', [workspace])
      .map((r) => ({ uri: String(r.uri), remote: JSON.parse(String(r.remote)) as TCommitChange }));
  }

  addConflict(workspace: string, conflict: Conflict): void {
    this.db.run('INSERT OR REPLACE INTO conflicts (workspace, uri, remote) VALUES (?, ?, ?)', [workspace, conflict.uri, JSON.stringify(conflict.remote)]);
  }

  removeConflict(workspace: string, uri: string): void {
    this.db.run('DELETE FROM conflicts WHERE workspace = ? AND uri = ?', [workspace, uri]);
  }

  /** Server changes the disk refused (see unwritable.ts), by URI. */
  unwritten(workspace: string): Unwritten[] {
    return this.db
      .all('SELECT uri, change, reason FROM unwritten WHERE workspace = ? ORDER BY uri', [workspace])
      .map((r) => ({ uri: String(r.uri), change: JSON.parse(String(r.change)) as TCommitChange, reason: String(r.reason) }));
  }

  addUnwritten(workspace: string, entry: Unwritten): void {
    this.db.run('INSERT OR REPLACE INTO unwritten (workspace, uri, change, reason) VALUES (?, ?, ?, ?)', [workspace, entry.uri, JSON.stringify(entry.change), entry.reason]);
  }

  /** Forgets `uri` once applied; with `below`, also what it contained (a deleted folder). */
  removeUnwritten(workspace: string, uri: string, below = false): void {
    this.db.run('DELETE FROM unwritten WHERE workspace = ? AND (uri = ? OR (? AND substr(uri, 1, ?) = ?))', [workspace, uri, below ? 1 : 0, uri.length + 1, `${uri}/`]);
  }
}
