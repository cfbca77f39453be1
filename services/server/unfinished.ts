/**
 * What the store's writes in slices (store-writer.ts) leave in the database until they finish, and how it is undone:
 * a commit being written (its versions added and ended at its position, not yet on its branch) and a branch being
 * made (its versions copied so far). Each is named by a `meta` row written in its first transaction and removed in
 * its last; a server that opens a database with such a row undoes the write (undoUnfinished). Here too the steps of
 * making a branch (startBranch, then copyVersions until none is left), which the store runs in one transaction or in
 * slices.
 */
import type sqlite from 'node-sqlite3-wasm';
import { fail } from '../lib/failure.ts';

export const UNFINISHED_COMMIT = 'unfinished_commit';
export const UNFINISHED_BRANCH = 'unfinished_branch';

export interface UnfinishedCommit { commit: string; branch: number; position: number }

/** A branch being made: where from, and under which names its asset ids are derived. */
export interface NewBranch { repository: string; name: string; branchId: number; sourceBranch: number; position: number }

/** Undoes what a killed server left unfinished; `transaction` runs its work in one transaction. */
export function undoUnfinished(db: sqlite.Database, transaction: (work: () => void) => void): void {
  const commit = db.get('SELECT value FROM meta WHERE key = ?', [UNFINISHED_COMMIT]);
  if (commit) transaction(() => void undoCommit(db, JSON.parse(String(commit.value)) as UnfinishedCommit, Infinity));
  const branch = db.get('SELECT value FROM meta WHERE key = ?', [UNFINISHED_BRANCH]);
  if (branch) transaction(() => removeBranch(db, Number(branch.value)));
}

/**
 * Undoes (part of) an unfinished commit: up to `rows` of the versions it added and of those it ended, then (once none
 * is left) the commit itself. Returns whether more is left.
 */
export function undoCommit(db: sqlite.Database, u: UnfinishedCommit, rows: number): boolean {
  const limit = Number.isFinite(rows) ? rows : -1;
  const added = db.run('DELETE FROM files WHERE rowid IN (SELECT rowid FROM files WHERE branch_id = ? AND from_pos = ? LIMIT ?)', [u.branch, u.position, limit]).changes;
  const ended = db.run('UPDATE files SET to_pos = NULL WHERE rowid IN (SELECT rowid FROM files WHERE branch_id = ? AND to_pos = ? LIMIT ?)', [u.branch, u.position, limit]).changes;
  if (added + ended > 0 && limit !== -1) return true;
  db.run('DELETE FROM branch_commits WHERE branch_id = ? AND position = ?', [u.branch, u.position]);
  db.run('DELETE FROM commits WHERE id = ?', [u.commit]);
  db.run('DELETE FROM meta WHERE key = ?', [UNFINISHED_COMMIT]);
  return false;
}

/** Makes a branch `name` at `from` of the repository (its commits, not yet its versions): BRANCH_ALREADY_EXISTS, UNKNOWN_COMMIT. */
export function startBranch(db: sqlite.Database, repo: { id: number }, repository: string, name: string, from: string): NewBranch {
  if (db.get('SELECT 1 FROM branches WHERE repository_id = ? AND name = ?', [repo.id, name])) {
    fail('BRANCH_ALREADY_EXISTS', `repository "${repository}" already has a branch "${name}"`);
  }
  const source = db.get(
    'SELECT bc.branch_id, bc.position FROM branch_commits bc JOIN branches b ON b.id = bc.branch_id WHERE b.repository_id = ? AND bc.commit_id = ? ORDER BY bc.branch_id LIMIT 1',
    [repo.id, from],
  );
  if (!source) return fail('UNKNOWN_COMMIT', `repository "${repository}" has no commit "${from}"`);
  const position = Number(source.position);
  const sourceBranch = Number(source.branch_id);
  const branchId = Number(db.run('INSERT INTO branches (repository_id, name) VALUES (?, ?)', [repo.id, name]).lastInsertRowid);
  db.run(
    'INSERT INTO branch_commits (branch_id, position, commit_id) SELECT ?, position, commit_id FROM branch_commits WHERE branch_id = ? AND position <= ?',
    [branchId, sourceBranch, position],
  );
  return { repository, name, branchId, sourceBranch, position };
}

/**
 * Copies up to `rows` more of a new branch's versions from its source (those up to the branch point, in key order
 * after the last one copied); returns how many it copied.
 */
export function copyVersions(db: sqlite.Database, b: NewBranch, rows: number): number {
  const last = db.get('SELECT uri, from_pos FROM files WHERE branch_id = ? ORDER BY uri DESC, from_pos DESC LIMIT 1', [b.branchId]);
  // Asset ids name the branch, so the copies get the new branch's ids.
  return db.run(
    `INSERT INTO files (branch_id, uri, kind, from_pos, to_pos, size, hash, chunks, commit_id, asset_id, asset_kind, name, parent_id, created_commit)
     SELECT ?, uri, kind, from_pos, CASE WHEN to_pos > ? THEN NULL ELSE to_pos END, size, hash, chunks, commit_id,
            assethub_asset_id(?, ?, uri), asset_kind, name, assethub_parent_id(?, ?, uri), created_commit
     FROM files WHERE branch_id = ? AND from_pos <= ? AND (uri, from_pos) > (?, ?) ORDER BY uri, from_pos LIMIT ?`,
    [b.branchId, b.position, b.repository, b.name, b.repository, b.name, b.sourceBranch, b.position,
      last ? String(last.uri) : '', last ? Number(last.from_pos) : -2, Number.isFinite(rows) ? rows : -1],
  ).changes;
}

/** Removes a branch that was never finished, with whatever of it was written. */
export function removeBranch(db: sqlite.Database, branchId: number): void {
  db.run('DELETE FROM files WHERE branch_id = ?', [branchId]);
  db.run('DELETE FROM branch_commits WHERE branch_id = ?', [branchId]);
  db.run('DELETE FROM branches WHERE id = ?', [branchId]);
  db.run('DELETE FROM meta WHERE key = ?', [UNFINISHED_BRANCH]);
}
