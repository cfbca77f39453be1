// A commit of thousands of changes is written in slices (store-writer.ts): the process's other services go on
// meanwhile, the server's own readers wait and then see it whole, a failure half-way undoes it, and a server killed
// half-way undoes it when it opens the database again; a branch is made, an import applied and an export read the same way.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { openDatabase } from '../lib/sqlite.ts';
import { startCluster, tempDir, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { SLICED_ABOVE } from './commit-slices.ts';
import { ServerStore } from './store.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Large';
let cluster: Cluster;
let panel: Probe;
const client = 'STAGE-A-AssetHubClient';

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('LARGE-AssetHubPanel');
  await cluster.client('STAGE-A');
});
afterAll(async () => cluster?.close());

const folders = (n: number, under: string) =>
  Array.from({ length: n }, (_, i) => ({ Type: 'PutDirectory' as const, URI: `FileSystem:/${under}/d${String(i).padStart(5, '0')}` }));

type Repos = Array<{ Name: string; Branches: Array<{ Commits: Array<{ ID: string }> }> }>;
const commitsOf = async (): Promise<string[]> =>
  (await panel.ok<Repos>(SERVER_NAME, 'GetRepositories')).find((r) => r.Name === REPO)?.Branches[0]?.Commits.map((c) => c.ID) ?? [];

it('while a commit of 10,000 changes is written, a client of the same process answers, and the server\'s readers wait and see it whole', async () => {
  const root = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' })).Commit;
  const store = cluster.server.store;
  let readDuringWrite: Promise<string[]> | undefined;
  const { value, answered } = await answeredWhile(
    panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', { Repository: REPO, Branch: 'Main', Parent: root, Author: 'LARGE', Comment: 'many folders', Changes: folders(10_000, 'big') }, 120_000),
    () => {
      // Nobody reads the connection between the writer's slices; a Call that reads the store waits for the commit.
      expect(() => store.repositories()).toThrow(/writing a large commit/);
      readDuringWrite ??= commitsOf();
    },
  );
  expect(answered).toBeGreaterThanOrEqual(3);
  expect(await readDuringWrite).toEqual([root, value.Commit]);
  expect(store.currentUris(store.branch(REPO, 'Main').id)).toHaveLength(10_000);
}, 180_000);

/**
 * Asks the client of the server's process for its WorkspaceInfo again and again until `work` settles; counts the
 * answers that came while the server's store was held (between the slices of `work`), and calls `during` then.
 */
async function answeredWhile<T>(work: Promise<T>, during: () => void = () => {}): Promise<{ value: T; answered: number }> {
  let settled = false;
  const done = work.finally(() => (settled = true));
  let answered = 0;
  while (!settled) {
    await panel.get(client, ['WorkspaceInfo']);
    if (cluster.server.store.idle() === undefined) continue;
    answered++;
    during();
  }
  return { value: await done, answered };
}

it('ImportAssets of 5,000 entries is checked and written in slices: a client of the same process answers meanwhile', async () => {
  const assets = folders(5000, 'big').map((f) => ({ uri: f.URI, tags: ['imported'], metadata: [{ name: 'category', defaultValue: 'Show' }] }));
  const { value, answered } = await answeredWhile(panel.ok<{ Imported: number }>(SERVER_NAME, 'ImportAssets', { Document: { format: 'assethub.assets', version: 1, repository: REPO, branch: 'Main', assets } }, 120_000));
  expect(value.Imported).toBe(5000);
  expect(answered).toBeGreaterThanOrEqual(3);
}, 180_000);

it('ExportAssets of 10,000 assets reads them a page at a time: a client of the same process answers meanwhile', async () => {
  const { value, answered } = await answeredWhile(panel.ok<{ Document: { assets: Array<{ uri: string; tags: string[] }> } }>(SERVER_NAME, 'ExportAssets', { Repository: REPO, Branch: 'Main' }, 120_000));
  const { assets } = value.Document;
  expect(assets.map((a) => a.uri)).toEqual(folders(10_000, 'big').map((f) => f.URI));
  expect(assets.filter((a) => a.tags.includes('imported'))).toHaveLength(5000);
  expect(answered).toBeGreaterThanOrEqual(3);
}, 180_000);

it('CreateBranch from a commit of 10,000 versions copies them in slices: a client of the same process answers meanwhile', async () => {
  const store = cluster.server.store;
  const head = (await commitsOf()).at(-1);
  const { answered } = await answeredWhile(panel.ok(SERVER_NAME, 'CreateBranch', { Repository: REPO, Name: 'Copy', From: head }, 120_000));
  expect(answered).toBeGreaterThanOrEqual(3);
  expect(store.currentUris(store.branch(REPO, 'Copy').id)).toEqual(store.currentUris(store.branch(REPO, 'Main').id));
}, 180_000);

it('a commit that fails half-way (a Delete of nothing after 2,000 Puts) leaves the branch as it was', async () => {
  const before = await commitsOf();
  const branch = cluster.server.store.branch(REPO, 'Main');
  const head = before.at(-1) ?? '';
  const snapshot = cluster.server.store.snapshot(branch.id, cluster.server.store.head(branch.id).position);
  const changes = [...folders(2_000, 'more'), { Type: 'Delete', URI: 'FileSystem:/big/d00001' }, { Type: 'Delete', URI: 'FileSystem:/nothing-here' }];
  const outcome = await panel.call(SERVER_NAME, 'CreateCommit', { Repository: REPO, Branch: 'Main', Parent: head, Author: 'LARGE', Comment: 'fails', Changes: changes }, 120_000);
  expect('Failure' in outcome && outcome.Failure).toMatchObject({ Code: 'INVALID_PARAMS', Message: expect.stringContaining('nothing-here') });
  expect(await commitsOf()).toEqual(before);
  expect(cluster.server.store.snapshot(branch.id, cluster.server.store.head(branch.id).position)).toEqual(snapshot);
  expect(cluster.server.store.integrityCheck()).toBe('ok');
}, 180_000);

it('a server killed while writing a commit in slices undoes it when it opens the database', async () => {
  const dir = await tempDir('assethub-unfinished-');
  const file = path.join(dir, 'server.sqlite');
  try {
    let store = new ServerStore(file);
    const root = store.createRepository(REPO, 'Main', 'A');
    const first = await store.commit({ repository: REPO, branch: 'Main', parent: root, author: 'A', comment: 'first', changes: folders(SLICED_ABOVE + 100, 'a') });
    const branch = store.branch(REPO, 'Main');
    const before = store.snapshot(branch.id, store.head(branch.id).position);
    // Ends a version of `first`, deletes a folder with what it holds, adds new ones: every kind of row the undo restores.
    const changes = [{ Type: 'Delete' as const, URI: 'FileSystem:/a/d00000' }, ...folders(SLICED_ABOVE, 'b'), { Type: 'PutDirectory' as const, URI: 'FileSystem:/a/d00001' }];
    const second = await store.commit({ repository: REPO, branch: 'Main', parent: first, author: 'A', comment: 'second', changes });
    store.close();
    // As the server leaves it when killed before its last slice: every slice of `second` written, the commit not yet on
    // its branch, the marker still there.
    const raw = openDatabase(file);
    const position = Number(raw.get('SELECT position FROM branch_commits WHERE commit_id = ?', [second])?.position);
    raw.run('DELETE FROM branch_commits WHERE commit_id = ?', [second]);
    raw.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['unfinished_commit', JSON.stringify({ commit: second, branch: branch.id, position })]);
    raw.close();

    store = new ServerStore(file);
    expect(store.commitExists(second)).toBe(false);
    expect(store.head(branch.id).commitId).toBe(first);
    expect(store.snapshot(branch.id, store.head(branch.id).position)).toEqual(before);
    expect(store.integrityCheck()).toBe('ok');
    // A branch being made when the server was killed is gone when it opens again.
    const copy = await store.addBranch(REPO, 'Copy', first);
    expect(copy).toBe(first);
    const copyId = store.branch(REPO, 'Copy').id;
    store.close();
    const raw2 = openDatabase(file);
    raw2.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['unfinished_branch', String(copyId)]);
    raw2.close();
    store = new ServerStore(file);
    expect(() => store.branch(REPO, 'Copy')).toThrow(/no branch "Copy"/);
    expect(store.database.get('SELECT count(*) AS n FROM files WHERE branch_id = ?', [copyId])?.n).toBe(0);
    // The position is free again.
    const third = await store.commit({ repository: REPO, branch: 'Main', parent: first, author: 'A', comment: 'third', changes });
    expect(store.head(branch.id)).toEqual({ position, commitId: third });
    store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
