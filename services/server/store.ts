/**
 * The AssetHubServer's persistent model on SQLite (node-sqlite3-wasm, file-backed, rollback journal with
 * synchronous=FULL): repositories, branches, commits with their file versions, tags, claims and the State settings.
 * Every change runs in one transaction, so a crash leaves the database as it was before or after it.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as turn } from 'node:timers/promises';
import type sqlite from 'node-sqlite3-wasm';
import { inTransaction, openDatabase, type CachingDatabase } from '../lib/sqlite.ts';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import type { TClaim, TCommit } from '../../shared/assethub/states.ts';
import { fail } from '../lib/failure.ts';
import { assetColumns } from './catalogue/derive.ts';
import { openSchema, registerCatalogueFunctions } from './migrate.ts';
import { SLICE_MS, StoreWriter, type Slice } from './store-writer.ts';
import { commitInSlices } from './commit-slices.ts';
import { UNFINISHED_BRANCH, copyVersions, removeBranch, startBranch, undoUnfinished } from './unfinished.ts';
import { changesPage, type ChangesCursor } from './changes-page.ts';

type Row = Record<string, string | number | bigint | Uint8Array | null>;

export interface Repository { id: number; name: string; autoPull: boolean }
export interface Branch { id: number; repositoryId: number; name: string }

export interface FileVersion {
  uri: string;
  kind: 'file' | 'directory';
  size: number;
  hash: string | null;
  chunks: string[];
  commitId: string;
  fromPos: number;
}

export interface NewCommit {
  repository: string;
  branch: string;
  parent: string | null;
  author: string;
  comment: string;
  changes: TCommitChange[];
}

const now = (): string => new Date().toISOString();


/** Versions a new branch copies per statement (statements follow one another for SLICE_MS, one transaction a slice). */
const COPY_ROWS = 500;

export class ServerStore {
  private readonly db: CachingDatabase;
  private readonly writer = new StoreWriter();

  constructor(file: string) {
    this.db = openDatabase(file);
    try {
      // One process owns the data folder (lockDataDir, which also removes a killed owner's stale lock directory):
      // holding the lock for the connection's lifetime spares node-sqlite3-wasm's `<file>.lock` directory being made
      // and removed around every transaction and statement. openDatabase has already rolled back a hot journal.
      this.db.exec('PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -32768;');
      registerCatalogueFunctions(this.db);
      openSchema(this.db);
      undoUnfinished(this.db, (work) => this.transaction(work));
      this.db.guard = () => this.writer.check();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  /** The connection, for the asset catalogue's read queries and its own tables (services/server/catalogue/). */
  get database(): sqlite.Database {
    return this.db;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  integrityCheck(): string {
    return String(this.db.get('PRAGMA integrity_check')?.integrity_check ?? 'no answer');
  }

  /**
   * A promise while a large commit is being written in slices (store-writer.ts): until it settles, nobody else may use
   * the connection. Undefined when the store is free.
   */
  idle(): Promise<void> | undefined {
    return this.writer.idle();
  }

  /** Runs `fn` in one IMMEDIATE transaction; rolls back on any exception. */
  transaction<T>(fn: () => T): T {
    return inTransaction(this.db, fn);
  }

  // ---- repositories and branches ----

  repositories(): Repository[] {
    return this.db
      .all('SELECT id, name, auto_pull FROM repositories ORDER BY name')
      .map((r) => ({ id: Number(r.id), name: String(r.name), autoPull: r.auto_pull === 1 }));
  }

  repository(name: string): Repository {
    const r = this.db.get('SELECT id, name, auto_pull FROM repositories WHERE name = ?', [name]);
    if (!r) return fail('UNKNOWN_REPOSITORY', `no repository "${name}"`);
    return { id: Number(r.id), name: String(r.name), autoPull: r.auto_pull === 1 };
  }

  branches(repositoryId: number): Branch[] {
    return this.db
      .all('SELECT id, name FROM branches WHERE repository_id = ? ORDER BY id', [repositoryId])
      .map((r) => ({ id: Number(r.id), repositoryId, name: String(r.name) }));
  }

  branch(repository: string, name: string): Branch {
    const repo = this.repository(repository);
    const r = this.db.get('SELECT id FROM branches WHERE repository_id = ? AND name = ?', [repo.id, name]);
    if (!r) return fail('UNKNOWN_BRANCH', `repository "${repository}" has no branch "${name}"`);
    return { id: Number(r.id), repositoryId: repo.id, name };
  }

  /** Creates a repository with one branch holding an empty root commit; returns the root commit ID. */
  createRepository(name: string, branch: string, author: string): string {
    return this.transaction(() => {
      if (this.db.get('SELECT 1 FROM repositories WHERE name = ?', [name])) {
        fail('REPOSITORY_ALREADY_EXISTS', `a repository named "${name}" already exists`);
      }
      const repoId = Number(this.db.run('INSERT INTO repositories (name, created_at) VALUES (?, ?)', [name, now()]).lastInsertRowid);
      const branchId = Number(this.db.run('INSERT INTO branches (repository_id, name) VALUES (?, ?)', [repoId, branch]).lastInsertRowid);
      const id = randomUUID();
      this.db.run('INSERT INTO commits (id, repository_id, parent, author, comment, created_at) VALUES (?, ?, NULL, ?, ?, ?)', [id, repoId, author, 'Root commit.', now()]);
      this.db.run('INSERT INTO branch_commits (branch_id, position, commit_id) VALUES (?, 0, ?)', [branchId, id]);
      return id;
    });
  }

  /** A new branch whose history is that of `from` up to and including it, in one transaction; returns `from`. */
  createBranch(repository: string, name: string, from: string): string {
    return this.transaction(() => {
      const started = startBranch(this.db, this.repository(repository), repository, name, from);
      copyVersions(this.db, started, Infinity);
      return from;
    });
  }

  /**
   * createBranch without holding the event loop (a branch of a million versions is a million rows to copy): the branch
   * is made and marked unfinished in one transaction, its versions are copied in transactions of about SLICE_MS, and
   * the mark goes in the last; until then nobody reads the store, and a server killed meanwhile removes the branch when
   * it opens the database.
   */
  async addBranch(repository: string, name: string, from: string): Promise<string> {
    return this.writer.hold(async (slice) => {
      const started = await slice(() => this.transaction(() => {
        const s = startBranch(this.db, this.repository(repository), repository, name, from);
        this.db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [UNFINISHED_BRANCH, String(s.branchId)]);
        return s;
      }));
      try {
        for (let more = true; more;) {
          more = await slice(() => this.transaction(() => {
            const start = performance.now();
            let copied: number;
            do copied = copyVersions(this.db, started, COPY_ROWS);
            while (copied === COPY_ROWS && performance.now() - start < SLICE_MS);
            return copied === COPY_ROWS;
          }));
        }
        await slice(() => this.db.run('DELETE FROM meta WHERE key = ?', [UNFINISHED_BRANCH]));
      } catch (error) {
        await slice(() => this.transaction(() => removeBranch(this.db, started.branchId)));
        throw error;
      }
      return from;
    });
  }

  setAutoPull(values: Map<number, boolean>): void {
    this.transaction(() => {
      for (const [id, on] of values) this.db.run('UPDATE repositories SET auto_pull = ? WHERE id = ?', [on ? 1 : 0, id]);
    });
  }

  // ---- commits ----

  head(branchId: number): { position: number; commitId: string } {
    const r = this.db.get('SELECT position, commit_id FROM branch_commits WHERE branch_id = ? ORDER BY position DESC LIMIT 1', [branchId]);
    if (!r) throw new Error(`branch ${branchId} has no commits`);
    return { position: Number(r.position), commitId: String(r.commit_id) };
  }

  position(branch: Branch, commitId: string): number {
    const r = this.db.get('SELECT position FROM branch_commits WHERE branch_id = ? AND commit_id = ?', [branch.id, commitId]);
    if (!r) return fail('UNKNOWN_COMMIT', `branch "${branch.name}" has no commit "${commitId}"`);
    return Number(r.position);
  }

  /** Commits of a branch, oldest first, with their tags. */
  commits(branchId: number): TCommit[] {
    const rows = this.db.all(
      `SELECT c.id, c.author, c.comment, c.created_at, (SELECT json_group_array(tag) FROM (SELECT tag FROM tags t WHERE t.commit_id = c.id ORDER BY tag)) AS tags
       FROM branch_commits bc JOIN commits c ON c.id = bc.commit_id WHERE bc.branch_id = ? ORDER BY bc.position`,
      [branchId],
    );
    return rows.map((r) => ({
      ID: String(r.id),
      Author: String(r.author),
      Comment: String(r.comment),
      CreatedAt: String(r.created_at),
      Tags: JSON.parse(String(r.tags)) as string[],
    }));
  }

  /** Current owners of the claims on these URIs of a branch. */
  claimOwners(repositoryId: number, branch: string, uris: string[]): Map<string, string> {
    const owners = new Map<string, string>();
    for (const uri of uris) {
      const r = this.db.get('SELECT owner FROM claims WHERE repository_id = ? AND branch = ? AND uri = ?', [repositoryId, branch, uri]);
      if (r) owners.set(uri, String(r.owner));
    }
    return owners;
  }

  /**
   * Appends a commit to a branch in one transaction. The caller has checked chunk presence; here the head, the claims
   * and the changes themselves are checked again inside the transaction, so two racing commits cannot both land.
   */
  createCommit(input: NewCommit): string {
    return this.transaction(() => {
      const branch = this.branch(input.repository, input.branch);
      const head = this.head(branch.id);
      if (input.parent !== head.commitId) {
        fail('NOT_AT_HEAD', `branch "${input.branch}" is at ${head.commitId}, not ${input.parent ?? 'null'}: pull first`);
      }
      const owners = this.claimOwners(branch.repositoryId, branch.name, input.changes.map((c) => c.URI));
      for (const [uri, owner] of owners) {
        if (owner !== input.author) fail('CLAIMED_BY_OTHER', `${uri} is claimed by ${owner}`);
      }
      const pos = head.position + 1;
      const id = randomUUID();
      this.db.run('INSERT INTO commits (id, repository_id, parent, author, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)', [id, branch.repositoryId, head.commitId, input.author, input.comment, now()]);
      this.db.run('INSERT INTO branch_commits (branch_id, position, commit_id) VALUES (?, ?, ?)', [branch.id, pos, id]);
      for (const change of input.changes) this.applyChange(branch.id, input.repository, input.branch, pos, id, change);
      return id;
    });
  }

  /** Runs `fn` holding the store: its work in `slice`s, nobody else using the connection between them (store-writer.ts). */
  hold<T>(fn: (slice: Slice) => Promise<T>): Promise<T> {
    return this.writer.hold(fn);
  }

  /**
   * Appends a commit, as createCommit does, without holding the event loop (commit-slices.ts); the store is held
   * meanwhile (store-writer.ts).
   */
  async commit(input: NewCommit): Promise<string> {
    return this.writer.hold((slice) => commitInSlices(this, slice, input));
  }

  /** Whether `uri` exists at the head of the branch. */
  exists(branchId: number, uri: string): boolean {
    return Boolean(this.current(branchId, uri));
  }

  /** Every URI at the head of the branch. */
  currentUris(branchId: number): string[] {
    return this.db.all('SELECT uri FROM files WHERE branch_id = ? AND to_pos IS NULL', [branchId]).map((r) => String(r.uri));
  }

  private current(branchId: number, uri: string): Row | null {
    return this.db.get('SELECT kind, created_commit FROM files WHERE branch_id = ? AND uri = ? AND to_pos IS NULL', [branchId, uri]) as Row | null;
  }

  /** Records one change of a commit at `pos` (createCommit, and commit-slices.ts a slice at a time). */
  applyChange(branchId: number, repository: string, branch: string, pos: number, commitId: string, change: TCommitChange): void {
    const existing = this.current(branchId, change.URI);
    if (change.Type === 'Delete') {
      if (!existing) fail('INVALID_PARAMS', `cannot delete ${change.URI}: it does not exist on the branch`);
      this.db.run('UPDATE files SET to_pos = ? WHERE branch_id = ? AND uri = ? AND to_pos IS NULL', [pos, branchId, change.URI]);
      // Deleting a directory deletes what it contains.
      this.db.run('UPDATE files SET to_pos = ? WHERE branch_id = ? AND to_pos IS NULL AND substr(uri, 1, ?) = ?', [pos, branchId, change.URI.length + 1, `${change.URI}/`]);
      return;
    }
    if (existing) this.db.run('UPDATE files SET to_pos = ? WHERE branch_id = ? AND uri = ? AND to_pos IS NULL', [pos, branchId, change.URI]);
    // The existence this version continues (the current version, or one a folder delete earlier in this commit ended)
    // keeps its creating commit; otherwise (or when a folder replaces a file or the reverse) this commit creates it.
    const isFile = change.Type === 'PutFile';
    const kind = isFile ? 'file' : 'directory';
    const previous = existing ?? this.db.get('SELECT kind, created_commit FROM files WHERE branch_id = ? AND uri = ? AND to_pos = ?', [branchId, change.URI, pos]);
    const continued = previous && previous.kind === kind ? previous.created_commit : null;
    const c = assetColumns(repository, branch, change.URI, !isFile);
    this.db.run(
      `INSERT INTO files (branch_id, uri, kind, from_pos, to_pos, size, hash, chunks, commit_id, asset_id, asset_kind, name, parent_id, created_commit)
       VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        branchId, change.URI, kind, pos, isFile ? change.Size ?? 0 : 0, isFile ? change.Hash ?? null : null,
        isFile ? JSON.stringify(change.Chunks ?? []) : null, commitId, c.assetId, c.assetKind, c.name, c.parentId,
        continued === null ? commitId : String(continued),
      ],
    );
  }

  /** One page of the net changes from position `from` (exclusive) to `to` (inclusive), after `after` (changes-page.ts). */
  changesPage(branchId: number, from: number, to: number, after: ChangesCursor | null, pageChanges?: number): { changes: TCommitChange[]; next: string | null } {
    return changesPage(this.db, branchId, from, to, after, pageChanges);
  }

  /** Every file version valid at a position. */
  snapshot(branchId: number, position: number): FileVersion[] {
    return this.db
      .all('SELECT uri, kind, size, hash, chunks, commit_id, from_pos FROM files WHERE branch_id = ? AND from_pos <= ? AND (to_pos IS NULL OR to_pos > ?) ORDER BY uri', [branchId, position, position])
      .map((r) => ({
        uri: String(r.uri),
        kind: r.kind === 'directory' ? 'directory' : 'file',
        size: Number(r.size),
        hash: r.hash === null ? null : String(r.hash),
        chunks: r.chunks === null ? [] : (JSON.parse(String(r.chunks)) as string[]),
        commitId: String(r.commit_id),
        fromPos: Number(r.from_pos),
      }));
  }

  /**
   * Every chunk hash any version refers to, read 2,000 versions at a time between other work (the chunk collector's:
   * a catalogue of a million files would otherwise hold the loop for seconds). A write landing between two reads can
   * only add references to chunks already referenced (a new branch) or drop some (an undone commit): the collector
   * asks while no commit can be between checking its chunks and referring to them (chunks/collect.ts).
   */
  async referencedChunksInPages(): Promise<Set<string>> {
    const out = new Set<string>();
    for (let after = 0; ;) {
      for (let busy = this.writer.idle(); busy; busy = this.writer.idle()) await busy;
      const rows = this.db.all("SELECT rowid AS id, chunks FROM files WHERE kind = 'file' AND rowid > ? ORDER BY rowid LIMIT 2000", [after]);
      for (const r of rows) for (const h of JSON.parse(String(r.chunks)) as string[]) out.add(h);
      if (rows.length < 2000) return out;
      after = Number(rows.at(-1)?.id);
      await turn();
    }
  }

  commitExists(id: string): boolean {
    // The library answers null, not undefined, when there is no row.
    return this.db.get('SELECT 1 FROM commits WHERE id = ?', [id]) !== null;
  }

  // ---- tags ----

  setTag(repository: string, branch: string, commitId: string, tag: string, on: boolean): void {
    this.transaction(() => {
      this.position(this.branch(repository, branch), commitId);
      if (on) this.db.run('INSERT OR IGNORE INTO tags (commit_id, tag) VALUES (?, ?)', [commitId, tag]);
      else if (this.db.run('DELETE FROM tags WHERE commit_id = ? AND tag = ?', [commitId, tag]).changes === 0) {
        fail('INVALID_PARAMS', `commit ${commitId} has no tag "${tag}"`);
      }
    });
  }

  // ---- claims ----

  claims(repositoryId: number, branch: string): TClaim[] {
    return this.db
      .all('SELECT uri, owner, created_at FROM claims WHERE repository_id = ? AND branch = ? ORDER BY uri', [repositoryId, branch])
      .map((r) => ({ URI: String(r.uri), Owner: String(r.owner), CreatedAt: String(r.created_at) }));
  }

  claim(repository: string, branch: string, uri: string, owner: string, force: boolean): void {
    this.transaction(() => {
      const b = this.branch(repository, branch);
      const held = this.claimOwners(b.repositoryId, branch, [uri]).get(uri);
      if (held === owner) return;
      if (held !== undefined && !force) fail('CLAIMED_BY_OTHER', `${uri} is claimed by ${held}`);
      this.db.run('INSERT OR REPLACE INTO claims (repository_id, branch, uri, owner, created_at) VALUES (?, ?, ?, ?, ?)', [b.repositoryId, branch, uri, owner, now()]);
    });
  }

  releaseClaim(repository: string, branch: string, uri: string, owner: string, force: boolean): void {
    this.transaction(() => {
      const b = this.branch(repository, branch);
      const held = this.claimOwners(b.repositoryId, branch, [uri]).get(uri);
      if (held === undefined) fail('NOT_CLAIMED', `${uri} is not claimed`);
      if (held !== owner && !force) fail('CLAIMED_BY_OTHER', `${uri} is claimed by ${held}, not ${owner}: release it with Force`);
      this.db.run('DELETE FROM claims WHERE repository_id = ? AND branch = ? AND uri = ?', [b.repositoryId, branch, uri]);
    });
  }
}
