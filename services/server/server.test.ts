// The AssetHubServer against a real hub: states with the documented shapes, [dot] keys end to end, every Call with
// success and each Failure, broadcasts, Startup on restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME, encodeKey } from '../../shared/protocol/index.ts';
import { putFile, startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';

const ALPHA = '%SYNCED_STORAGE%\\Projects\\Project Alpha';
const BETA = '%SYNCED_STORAGE%\\Projects\\Project.Beta';
const bytes = (s: string) => new TextEncoder().encode(s);

let cluster: Cluster;
let panel: Probe;

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
});
afterAll(async () => cluster?.close());

const failure = async (method: string, params: Record<string, unknown>) => {
  const outcome = await panel.call(SERVER_NAME, method, params);
  if (!('Failure' in outcome)) throw new Error(`${method} succeeded unexpectedly: ${JSON.stringify(outcome.Result)}`);
  return outcome.Failure;
};

describe('repositories, branches, commits', () => {
  let root: string;
  let second: string;

  it('CreateRepository answers the root commit and broadcasts PersistentState and State', async () => {
    const from = panel.messages.length;
    const result = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: ALPHA, Branch: 'Main' });
    root = result.Commit;
    const persistent = await panel.stateUpdate(SERVER_NAME, 'PersistentState', 5000, from);
    expect(STATE_SCHEMAS.server.PersistentState.parse(persistent).Repositories[ALPHA]?.Branches[0]?.Commits[0]).toMatchObject({ ID: root, Comment: 'Root commit.', Author: 'OPS', Tags: [] });
    const state = await panel.stateUpdate(SERVER_NAME, 'State', 5000, from);
    expect(state).toEqual({ Repositories: { [ALPHA]: { AutoPull: false } } });
  });

  it('refuses a second repository of the same name, and names without %SYNCED_STORAGE%', async () => {
    expect((await failure('CreateRepository', { Name: ALPHA, Branch: 'Main' })).Code).toBe('REPOSITORY_ALREADY_EXISTS');
    expect((await failure('CreateRepository', { Name: 'C:\\elsewhere', Branch: 'Main' })).Code).toBe('INVALID_PARAMS');
    expect((await failure('CreateRepository', { Name: 7 })).Code).toBe('INVALID_PARAMS');
  });

  it('CreateCommit stores a commit whose chunks are present, and GetChanges returns it', async () => {
    const change = await putFile(cluster.server.storageUrl, 'FileSystem:/textures/wall.png', bytes('wall v1'));
    const dir = { Type: 'PutDirectory', URI: 'FileSystem:/textures' };
    const result = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', {
      Repository: ALPHA, Branch: 'Main', Parent: root, Author: 'STAGE-A', Comment: 'First textures', Changes: [dir, change],
    });
    second = result.Commit;
    const changes = await panel.ok<{ Changes: unknown[] }>(SERVER_NAME, 'GetChanges', { Repository: ALPHA, Branch: 'Main', From: root });
    expect(changes.Changes).toEqual([
      { Type: 'PutDirectory', URI: 'FileSystem:/textures', New: true },
      { ...change, New: true },
    ]);
  });

  it('CreateCommit refuses: not at head, missing chunks, unsafe paths, incomplete PutFile, deleting nothing', async () => {
    const change = await putFile(cluster.server.storageUrl, 'FileSystem:/a.txt', bytes('a'));
    const base = { Repository: ALPHA, Branch: 'Main', Author: 'STAGE-A', Comment: 'x' };
    expect((await failure('CreateCommit', { ...base, Parent: root, Changes: [change] })).Code).toBe('NOT_AT_HEAD');
    const missing = { ...change, Chunks: ['0'.repeat(64)] };
    expect((await failure('CreateCommit', { ...base, Parent: second, Changes: [missing] })).Code).toBe('MISSING_CHUNKS');
    for (const uri of ['FileSystem:/../escape.txt', 'FileSystem:/a/../../b', 'FileSystem://etc/passwd', 'FileSystem:/C:/x', 'FileSystem:/a\\b']) {
      expect((await failure('CreateCommit', { ...base, Parent: second, Changes: [{ ...change, URI: uri }] })).Code, uri).toBe('UNSAFE_PATH');
    }
    expect((await failure('CreateCommit', { ...base, Parent: second, Changes: [{ Type: 'PutFile', URI: 'FileSystem:/b' }] })).Code).toBe('INVALID_PARAMS');
    expect((await failure('CreateCommit', { ...base, Parent: second, Changes: [{ Type: 'Delete', URI: 'FileSystem:/nope' }] })).Code).toBe('INVALID_PARAMS');
    expect((await failure('CreateCommit', { ...base, Parent: second, Changes: [{ ...change, Size: 99 }] })).Code).toBe('INVALID_PARAMS');
    expect((await failure('CreateCommit', { ...base, Branch: 'Nope', Parent: second, Changes: [change] })).Code).toBe('UNKNOWN_BRANCH');
    expect((await failure('CreateCommit', { ...base, Repository: 'x', Parent: second, Changes: [change] })).Code).toBe('UNKNOWN_REPOSITORY');
  });

  it('claims: Claim, CLAIMED_BY_OTHER on commit and claim, forced release, NOT_CLAIMED', async () => {
    const uri = 'FileSystem:/textures/wall.png';
    const claim = { Repository: ALPHA, Branch: 'Main', URI: uri };
    const from = panel.messages.length;
    const claimed = await panel.ok<{ Claims: unknown[] }>(SERVER_NAME, 'Claim', { ...claim, Owner: 'STAGE-A' });
    expect(claimed.Claims).toMatchObject([{ URI: uri, Owner: 'STAGE-A' }]);
    const info = STATE_SCHEMAS.server.AssetInfo.parse(await panel.stateUpdate(SERVER_NAME, 'AssetInfo', 5000, from));
    expect(info.Repositories[ALPHA]?.Branches[0]?.Claims).toMatchObject([{ URI: uri, Owner: 'STAGE-A' }]);

    expect((await failure('Claim', { ...claim, Owner: 'STAGE-B' })).Code).toBe('CLAIMED_BY_OTHER');
    const change = await putFile(cluster.server.storageUrl, uri, bytes('wall by B'));
    const commit = { Repository: ALPHA, Branch: 'Main', Parent: second, Author: 'STAGE-B', Comment: 'B edits', Changes: [change] };
    expect((await failure('CreateCommit', commit)).Code).toBe('CLAIMED_BY_OTHER');
    expect((await failure('ReleaseClaim', { ...claim, Owner: 'STAGE-B' })).Code).toBe('CLAIMED_BY_OTHER');
    const released = await panel.ok<{ Claims: unknown[] }>(SERVER_NAME, 'ReleaseClaim', { ...claim, Owner: 'STAGE-B', Force: true });
    expect(released.Claims).toEqual([]);
    expect((await failure('ReleaseClaim', { ...claim, Owner: 'STAGE-B' })).Code).toBe('NOT_CLAIMED');
    const third = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', commit);
    second = third.Commit;
  });

  it('TagCommit / UntagCommit change the commit\'s Tags', async () => {
    const tag = { Repository: ALPHA, Branch: 'Main', Commit: second, Tag: 'show-day-1' };
    await panel.ok(SERVER_NAME, 'TagCommit', tag);
    const tagged = STATE_SCHEMAS.server.PersistentState.parse(await panel.get(SERVER_NAME, ['PersistentState']));
    expect(tagged.Repositories[ALPHA]?.Branches[0]?.Commits.at(-1)?.Tags).toEqual(['show-day-1']);
    await panel.ok(SERVER_NAME, 'UntagCommit', tag);
    expect((await failure('UntagCommit', tag)).Code).toBe('INVALID_PARAMS');
    expect((await failure('TagCommit', { ...tag, Commit: 'nope' })).Code).toBe('UNKNOWN_COMMIT');
  });

  it('CreateBranch from a commit carries its history; GetChanges on the branch from the start', async () => {
    await panel.ok(SERVER_NAME, 'CreateBranch', { Repository: ALPHA, Name: 'Rehearsal', From: root });
    expect((await failure('CreateBranch', { Repository: ALPHA, Name: 'Rehearsal', From: root })).Code).toBe('BRANCH_ALREADY_EXISTS');
    expect((await failure('CreateBranch', { Repository: ALPHA, Name: 'X', From: 'nope' })).Code).toBe('UNKNOWN_COMMIT');
    const changes = await panel.ok<{ Changes: unknown[] }>(SERVER_NAME, 'GetChanges', { Repository: ALPHA, Branch: 'Rehearsal', From: null });
    expect(changes.Changes).toEqual([]);
    const main = await panel.ok<{ Changes: Array<{ URI: string }> }>(SERVER_NAME, 'GetChanges', { Repository: ALPHA, Branch: 'Main', From: null });
    expect(main.Changes.map((c) => c.URI)).toEqual(['FileSystem:/textures', 'FileSystem:/textures/wall.png']);
    expect((await failure('GetChanges', { Repository: ALPHA, Branch: 'Main', From: 'nope' })).Code).toBe('UNKNOWN_COMMIT');
  });

  it('Health, GetStorage, GetRepositories, and unknown methods', async () => {
    expect(await panel.ok(SERVER_NAME, 'Health')).toEqual({});
    expect(await panel.ok(SERVER_NAME, 'GetStorage')).toEqual({ Url: cluster.server.storageUrl });
    const repos = await panel.ok<Array<{ Name: string; Branches: Array<{ Name: string }> }>>(SERVER_NAME, 'GetRepositories');
    expect(repos.map((r) => [r.Name, r.Branches.map((b) => b.Name)])).toEqual([[ALPHA, ['Main', 'Rehearsal']]]);
    expect((await failure('Explode', {})).Code).toBe('UNKNOWN_METHOD');
  });
});

describe('states', () => {
  it('answer Get for all four with the documented shapes, and null for unknown names', async () => {
    for (const name of ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] as const) {
      const value = await panel.get(SERVER_NAME, [name]);
      expect(STATE_SCHEMAS.server[name].safeParse(value).success, name).toBe(true);
    }
    expect(await panel.get(SERVER_NAME, ['Nope'])).toBeNull();
    expect(await panel.get(SERVER_NAME, ['State', 'Repositories', 'nope', 'AutoPull'])).toBeNull();
  });

  it('a repository named with a dot works end to end through [dot] keys', async () => {
    const from = panel.messages.length;
    await panel.ok(SERVER_NAME, 'CreateRepository', { Name: BETA, Branch: 'Main' });
    // On the wire the key is encoded.
    const wire = panel.messages.slice(from).find((m) => m.topic.Type === 'Update' && m.topic.Name === 'State');
    expect(Object.keys((wire?.message as { Value: { Repositories: object } }).Value.Repositories)).toContain(encodeKey(BETA));
    // A partial Set by dotted path with the encoded key, then a partial Get.
    const state = await panel.set(SERVER_NAME, ['State', 'Repositories', BETA, 'AutoPull'], true);
    expect(state).toMatchObject({ Repositories: { [BETA]: { AutoPull: true }, [ALPHA]: { AutoPull: false } } });
    expect(await panel.get(SERVER_NAME, ['State', 'Repositories', BETA, 'AutoPull'])).toBe(true);
    expect(await panel.get(SERVER_NAME, ['State', 'Repositories'])).toEqual({ [ALPHA]: { AutoPull: false }, [BETA]: { AutoPull: true } });
    // A whole-State Set with encoded keys in the Value.
    const whole = await panel.set(SERVER_NAME, ['State'], { Repositories: { [ALPHA]: { AutoPull: true }, [BETA]: { AutoPull: true } } });
    expect(whole).toEqual({ Repositories: { [ALPHA]: { AutoPull: true }, [BETA]: { AutoPull: true } } });
  });

  it('a refused Set is logged and the unchanged State re-broadcast; Reset returns to defaults', async () => {
    const from = panel.messages.length;
    const unchanged = await panel.set(SERVER_NAME, ['State', 'Repositories', 'no such repo', 'AutoPull'], true);
    expect(unchanged).toEqual({ Repositories: { [ALPHA]: { AutoPull: true }, [BETA]: { AutoPull: true } } });
    const log = await panel.next((m) => m.topic.Type === 'Log', 5000, from);
    expect((log.message as { Message: string }).Message).toMatch(/no repository/);
    const bad = await panel.set(SERVER_NAME, ['State', 'Repositories', ALPHA, 'AutoPull'], 'yes');
    expect(bad).toMatchObject({ Repositories: { [ALPHA]: { AutoPull: true } } });
    expect(await panel.reset(SERVER_NAME)).toEqual({ Repositories: { [ALPHA]: { AutoPull: false }, [BETA]: { AutoPull: false } } });
  });

  it('broadcast Updates reach two subscribers', async () => {
    const other = await cluster.probe('FOH-AssetHubPanel');
    const a = panel.messages.length;
    const b = other.messages.length;
    await panel.set(SERVER_NAME, ['State', 'Repositories', ALPHA, 'AutoPull'], true);
    expect(await other.stateUpdate(SERVER_NAME, 'State', 5000, b)).toMatchObject({ Repositories: { [ALPHA]: { AutoPull: true } } });
    expect(await panel.stateUpdate(SERVER_NAME, 'State', 5000, a)).toMatchObject({ Repositories: { [ALPHA]: { AutoPull: true } } });
  });

  it('sends Startup when it starts again, and keeps its data', async () => {
    const from = panel.messages.length;
    await cluster.restartServer();
    await panel.next((m) => m.topic.Type === 'Startup' && m.topic.Source === SERVER_NAME, 10_000, from);
    expect(await panel.get(SERVER_NAME, ['State', 'Repositories', ALPHA, 'AutoPull'])).toBe(true);
  });
});
