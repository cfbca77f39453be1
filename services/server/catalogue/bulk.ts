/**
 * Appends a commit that only adds new files and folders, with set-based inserts (batches through `json_each`) instead
 * of the three statements per change ServerStore.createCommit runs. It writes exactly the rows createCommit writes for
 * the same changes (catalogue/bulk.test.ts compares them), and exists so the bench can build a branch of a million
 * assets in seconds. It checks what createCommit checks for such a commit (parent at head, no claims by others) and
 * refuses a change to a URI that already exists (createCommit would version it; use createCommit for that).
 */
import { randomUUID } from 'node:crypto';
import type { TCommitChange } from '../../../shared/assethub/calls.ts';
import { fail } from '../../lib/failure.ts';
import type { NewCommit, ServerStore } from '../store.ts';
import { assetColumns } from './derive.ts';

const BATCH = 5000;

export function appendAddingCommit(store: ServerStore, input: NewCommit): string {
  const db = store.database;
  return store.transaction(() => {
    const branch = store.branch(input.repository, input.branch);
    const head = store.head(branch.id);
    if (input.parent !== head.commitId) fail('NOT_AT_HEAD', `branch "${input.branch}" is at ${head.commitId}, not ${input.parent ?? 'null'}: pull first`);
    for (const [uri, owner] of store.claimOwners(branch.repositoryId, branch.name, input.changes.map((c) => c.URI))) {
      if (owner !== input.author) fail('CLAIMED_BY_OTHER', `${uri} is claimed by ${owner}`);
    }
    const pos = head.position + 1;
    const id = randomUUID();
    const now = new Date().toISOString();
    db.run('INSERT INTO commits (id, repository_id, parent, author, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)', [id, branch.repositoryId, head.commitId, input.author, input.comment, now]);
    db.run('INSERT INTO branch_commits (branch_id, position, commit_id) VALUES (?, ?, ?)', [branch.id, pos, id]);
    for (let i = 0; i < input.changes.length; i += BATCH) {
      const batch = input.changes.slice(i, i + BATCH);
      const uris = JSON.stringify(batch.map((c) => c.URI));
      const taken = db.get(
        'SELECT uri FROM files WHERE branch_id = ? AND to_pos IS NULL AND uri IN (SELECT value FROM json_each(?)) LIMIT 1',
        [branch.id, uris],
      );
      if (taken) fail('INVALID_PARAMS', `${String(taken.uri)} already exists: only additions can be appended in bulk`);
      const rows = batch.map((change: TCommitChange) => {
        if (change.Type === 'Delete') return fail('INVALID_PARAMS', `${change.URI}: only additions can be appended in bulk`);
        const isFile = change.Type === 'PutFile';
        const c = assetColumns(input.repository, input.branch, change.URI, !isFile);
        return [
          change.URI, isFile ? 'file' : 'directory', isFile ? change.Size ?? 0 : 0, isFile ? change.Hash ?? null : null,
          isFile ? JSON.stringify(change.Chunks ?? []) : null, c.assetId, c.assetKind, c.name, c.parentId,
        ];
      });
      db.run(
        `INSERT INTO files (branch_id, uri, kind, from_pos, to_pos, size, hash, chunks, commit_id, asset_id, asset_kind, name, parent_id, created_commit)
         SELECT ?, j.value ->> 0, j.value ->> 1, ?, NULL, j.value ->> 2, j.value ->> 3, j.value ->> 4, ?, j.value ->> 5, j.value ->> 6,
                j.value ->> 7, j.value ->> 8, ?
         FROM json_each(?) j`,
        [branch.id, pos, id, id, JSON.stringify(rows)],
      );
    }
    return id;
  });
}
