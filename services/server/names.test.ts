// Names the operators' machines (Windows) cannot hold are refused when they would enter the server: in a commit, as a
// repository or as a branch; a name stored before the rules can still be deleted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { putFile, startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Names';
const bytes = (s: string) => new TextEncoder().encode(s);

let cluster: Cluster;
let panel: Probe;
let head = '';

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' })).Commit;
}, 60_000);
afterAll(async () => cluster?.close());

const failure = async (method: string, params: Record<string, unknown>) => {
  const outcome = await panel.call(SERVER_NAME, method, params);
  if (!('Failure' in outcome)) throw new Error(`${method} succeeded unexpectedly: ${JSON.stringify(outcome.Result)}`);
  return outcome.Failure;
};
const commit = (Changes: unknown[]) => ({ Repository: REPO, Branch: 'Main', Parent: head, Author: 'STAGE-A', Comment: 'names', Changes });
const headOf = async () => STATE_SCHEMAS.server.PersistentState.parse(await panel.get(SERVER_NAME, ['PersistentState'])).Repositories[REPO]?.Branches[0]?.Commits.at(-1)?.ID;

it('CreateCommit refuses names Windows cannot hold with INVALID_NAME, naming the file and the rule; such names stored before can be deleted', async () => {
  const file = await putFile(cluster.server.storageUrl, 'FileSystem:/x', bytes('x'));
  const cases: Array<[string, RegExp]> = [
    [`FileSystem:/Textures/${'a'.repeat(256)}.png`, /260 bytes long \(at most 255/],
    ['FileSystem:/Maps/CON', /device name reserved by Windows/],
    ['FileSystem:/Maps/lpt3.umap', /device name reserved by Windows/],
    ['FileSystem:/Maps/level.', /ends with a dot or a space/],
    ['FileSystem:/Maps /level', /ends with a dot or a space/],
    ['FileSystem:/what?.png', /"\?", which Windows forbids/],
    ['FileSystem:/a/b:c', /":", which Windows forbids/],
  ];
  for (const [uri, rule] of cases) {
    const refused = await failure('CreateCommit', commit([{ ...file, URI: uri }]));
    expect(refused.Code, uri).toBe('INVALID_NAME');
    expect(refused.Message, uri).toContain(uri);
    expect(refused.Message, uri).toMatch(rule);
    // A folder on the way is refused as well.
    expect((await failure('CreateCommit', commit([{ Type: 'PutDirectory', URI: uri }]))).Code, uri).toBe('INVALID_NAME');
  }
  expect(await headOf()).toBe(head);

  // Such a name stored before the rules (straight into the store, as an older server took it) can still be deleted.
  const long = `FileSystem:/${'b'.repeat(300)}`;
  head = cluster.server.store.createCommit({ repository: REPO, branch: 'Main', parent: head, author: 'OLD', comment: 'old', changes: [{ ...file, URI: long }, { ...file, URI: 'FileSystem:/AUX' }] });
  head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', commit([{ Type: 'Delete', URI: long }, { Type: 'Delete', URI: 'FileSystem:/AUX' }]))).Commit;
  expect(await headOf()).toBe(head);
});

it('refuses twins by case or Unicode normalisation, in one commit and beside what the branch holds; a rename by case passes', async () => {
  const tex = await putFile(cluster.server.storageUrl, 'FileSystem:/Tex/a.png', bytes('a'));
  const twins = await failure('CreateCommit', commit([tex, { ...tex, URI: 'FileSystem:/tex/b.png' }]));
  expect(twins).toMatchObject({ Code: 'INVALID_NAME', Message: expect.stringMatching(/FileSystem:\/tex.*differs from "FileSystem:\/Tex" only by case/) });

  head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', commit([tex]))).Commit;
  expect((await failure('CreateCommit', commit([{ ...tex, URI: 'FileSystem:/TEX/c.png' }]))).Code).toBe('INVALID_NAME');
  const nfc = { ...tex, URI: 'FileSystem:/caf\u00e9.png' };
  head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', commit([nfc]))).Commit;
  expect((await failure('CreateCommit', commit([{ ...tex, URI: 'FileSystem:/cafe\u0301.png' }]))).Message).toMatch(/Unicode normalisation/);
  // Updating a file under its own name is no twin; renaming Tex to tex deletes the old name in the same commit.
  head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', commit([tex]))).Commit;
  head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', commit([{ Type: 'Delete', URI: 'FileSystem:/Tex/a.png' }, { ...tex, URI: 'FileSystem:/tex/a.png' }]))).Commit;
});

it('CreateRepository and CreateBranch refuse names that cannot become folders, or are too long', async () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['CreateRepository', { Name: '%SYNCED_STORAGE%\\Projects\\CON', Branch: 'Main' }],
    ['CreateRepository', { Name: '%SYNCED_STORAGE%\\Projects\\Show?', Branch: 'Main' }],
    ['CreateRepository', { Name: `%SYNCED_STORAGE%\\Projects\\${'p'.repeat(256)}`, Branch: 'Main' }],
    ['CreateRepository', { Name: `%SYNCED_STORAGE%\\${'p\\'.repeat(130)}`, Branch: 'Main' }],
    ['CreateRepository', { Name: '%SYNCED_STORAGE%\\Projects\\Fine', Branch: 'm'.repeat(256) }],
    ['CreateBranch', { Repository: REPO, Name: 'r'.repeat(256), From: head }],
    ['CreateBranch', { Repository: REPO, Name: 'a\nb', From: head }],
  ];
  for (const [method, params] of cases) expect((await failure(method, params)).Code, `${method} ${JSON.stringify(params).slice(0, 80)}`).toBe('INVALID_NAME');
  const repositories = await panel.ok<Array<{ Name: string; Branches: unknown[] }>>(SERVER_NAME, 'GetRepositories', {});
  expect(repositories.map((r) => [r.Name, r.Branches.length])).toEqual([[REPO, 1]]);
  await panel.ok(SERVER_NAME, 'CreateBranch', { Repository: REPO, Name: 'r'.repeat(255), From: head });
});
