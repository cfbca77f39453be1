// appendAddingCommit (the bench's fast path) writes exactly the rows ServerStore.createCommit writes for the same
// additions, and refuses what it cannot do the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAddingCommit } from './bulk.ts';
import { REPO, del, openTestStore, putDir, putFile, type TestStore } from './testing/catalogue.ts';

let viaCommit: TestStore;
let viaBulk: TestStore;
beforeAll(() => {
  viaCommit = openTestStore();
  viaBulk = openTestStore();
});
afterAll(() => {
  viaCommit?.close();
  viaBulk?.close();
});

const rows = (t: TestStore) => {
  const commits = new Map(t.store.database.all('SELECT commit_id, position FROM branch_commits').map((r) => [String(r.commit_id), `@${String(r.position)}`]));
  return t.store.database.all('SELECT * FROM files ORDER BY branch_id, uri, from_pos')
    .map((r) => ({ ...r, commit_id: commits.get(String(r.commit_id)), created_commit: commits.get(String(r.created_commit)) }));
};

describe('appendAddingCommit', () => {
  it('writes what createCommit writes, over two commits', () => {
    const first = [putDir('FileSystem:/a'), ...Array.from({ length: 12_000 }, (_, i) => putFile(`FileSystem:/a/d${i % 7}/f${i}.${['png', 'fbx', 'wav', 'txt'][i % 4]}`, `content ${i}`))];
    const second = [putFile('FileSystem:/b.umap', 'level'), putDir('FileSystem:/c')];
    for (const t of [viaCommit, viaBulk]) {
      const root = t.store.createRepository(REPO, 'Main', 'OPS');
      const write = t === viaBulk ? appendAddingCommit.bind(null, t.store) : t.store.createCommit.bind(t.store);
      const c1 = write({ repository: REPO, branch: 'Main', parent: root, author: 'STAGE-A', comment: 'one', changes: first });
      write({ repository: REPO, branch: 'Main', parent: c1, author: 'STAGE-B', comment: 'two', changes: second });
    }
    const expected = rows(viaCommit);
    expect(expected).toHaveLength(12_003);
    expect(rows(viaBulk)).toEqual(expected);
  });

  it('refuses a URI that exists, a Delete, and a parent that is not the head', () => {
    const b = viaBulk.store.branch(REPO, 'Main');
    const head = viaBulk.store.head(b.id).commitId;
    const base = { repository: REPO, branch: 'Main', parent: head, author: 'STAGE-A', comment: 'x' };
    expect(() => appendAddingCommit(viaBulk.store, { ...base, changes: [putFile('FileSystem:/b.umap', 'again')] })).toThrow(/already exists/);
    expect(() => appendAddingCommit(viaBulk.store, { ...base, changes: [del('FileSystem:/b.umap')] })).toThrow(/only additions/);
    expect(() => appendAddingCommit(viaBulk.store, { ...base, parent: 'nope', changes: [putFile('FileSystem:/new', 'n')] })).toThrow(/pull first/);
    expect(viaBulk.store.head(b.id).commitId).toBe(head);
  });
});
