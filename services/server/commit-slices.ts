/**
 * A commit appended without holding the event loop (ServerStore.commit, which holds the store meanwhile:
 * store-writer.ts). Its names are compared with the branch's a page at a time; a commit of more than SLICED_ABOVE
 * changes is then written in slices: its claims checked first (nothing written yet), a first transaction checks the
 * head and records the commit as unfinished (unfinished.ts), the changes follow in transactions of about SLICE_MS,
 * and the last one adds the commit to its branch. Until then nobody reads any of it; a failure undoes what was written,
 * and a server killed meanwhile undoes it when it opens the database. Smaller commits are one transaction.
 */
import { randomUUID } from 'node:crypto';
import { CommitNames } from '../../shared/assethub/names.ts';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import { fail } from '../lib/failure.ts';
import type { Branch, NewCommit, ServerStore } from './store.ts';
import { inSlices, type Slice } from './store-writer.ts';
import { UNFINISHED_COMMIT, undoCommit, type UnfinishedCommit } from './unfinished.ts';

/** Commits of more changes than this are written in slices; smaller ones in one transaction. */
export const SLICED_ABOVE = 256;
/** Versions undone per slice when a commit fails half-way. */
const UNDO_ROWS = 500;
/** URIs of a branch read per slice when a commit's names are compared with them. */
const NAMES_PAGE = 2000;

export async function commitInSlices(store: ServerStore, slice: Slice, input: NewCommit): Promise<string> {
  const db = store.database;
  const branch = await slice(() => store.branch(input.repository, input.branch));
  await checkNames(store, branch, input.changes, slice);
  if (input.changes.length <= SLICED_ABOVE) return slice(() => store.createCommit(input));
  await inSlices(input.changes.length, slice, (i) => {
    const uri = input.changes[i]!.URI;
    const owner = store.claimOwners(branch.repositoryId, branch.name, [uri]).get(uri);
    if (owner !== undefined && owner !== input.author) fail('CLAIMED_BY_OTHER', `${uri} is claimed by ${owner}`);
  });
  const started = await slice(() => store.transaction((): UnfinishedCommit => {
    const head = store.head(branch.id);
    if (input.parent !== head.commitId) {
      fail('NOT_AT_HEAD', `branch "${input.branch}" is at ${head.commitId}, not ${input.parent ?? 'null'}: pull first`);
    }
    const id = randomUUID();
    db.run('INSERT INTO commits (id, repository_id, parent, author, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)', [id, branch.repositoryId, head.commitId, input.author, input.comment, new Date().toISOString()]);
    const unfinished = { commit: id, branch: branch.id, position: head.position + 1 };
    db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [UNFINISHED_COMMIT, JSON.stringify(unfinished)]);
    return unfinished;
  }));
  try {
    await inSlices(input.changes.length, slice, (i) => {
      store.applyChange(branch.id, input.repository, input.branch, started.position, started.commit, input.changes[i]!);
    }, (work) => store.transaction(work));
    await slice(() => store.transaction(() => {
      db.run('INSERT INTO branch_commits (branch_id, position, commit_id) VALUES (?, ?, ?)', [branch.id, started.position, started.commit]);
      db.run('DELETE FROM meta WHERE key = ?', [UNFINISHED_COMMIT]);
    }));
  } catch (error) {
    for (let more = true; more;) more = await slice(() => store.transaction(() => undoCommit(db, started, UNDO_ROWS)));
    throw error;
  }
  return started.commit;
}

/**
 * Refuses (INVALID_NAME) a commit with a name the operators' machines cannot hold, or one that is a twin of a name on
 * the branch (shared/assethub/names.ts): the branch's URIs are read a page at a time, and only when the commit adds a
 * name, so neither a long branch nor a long commit holds the loop.
 */
async function checkNames(store: ServerStore, branch: Branch, changes: readonly TCommitChange[], slice: Slice): Promise<void> {
  // A staged commit's batches were checked one by one: twins across them are found here, a slice at a time.
  const names = new CommitNames();
  await inSlices(changes.length, slice, (i) => names.add(changes[i]!));
  let found = names.problem;
  let adds = false;
  if (!found) {
    await inSlices(changes.length, slice, (i) => {
      const c = changes[i]!;
      adds ||= c.Type !== 'Delete' && !store.exists(branch.id, c.URI);
    });
  }
  for (let after: string | null = adds ? '' : null; after !== null && !found;) {
    after = await slice(() => {
      const rows = store.database.all('SELECT uri FROM files INDEXED BY files_current WHERE branch_id = ? AND to_pos IS NULL AND uri > ? ORDER BY uri LIMIT ?', [branch.id, after, NAMES_PAGE]);
      for (const r of rows) found ??= names.beside(String(r.uri));
      return rows.length < NAMES_PAGE ? null : String(rows.at(-1)?.uri);
    });
  }
  if (found) fail('INVALID_NAME', `${found.uri}: ${found.problem}`);
}
