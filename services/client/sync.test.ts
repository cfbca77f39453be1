// Two real clients, a real server and hub, real folders: AutoPull, Pull, conflicts both ways, claims.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import type { RunningClient } from './client.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Project.Beta';
const A = 'STAGE-A-AssetHubClient';
const B = 'STAGE-B-AssetHubClient';

let cluster: Cluster;
let panel: Probe;
let a: RunningClient;
let b: RunningClient;
let wsA = '';
let wsB = '';

const read = (ws: string, rel: string) => readFile(path.join(ws, rel), 'utf8').catch(() => null);
async function write(ws: string, rel: string, text: string) {
  await mkdir(path.dirname(path.join(ws, rel)), { recursive: true });
  await writeFile(path.join(ws, rel), text);
}
const assets = async (client: string, ws: string) => STATE_SCHEMAS.client.AssetInfo.parse(await panel.get(client, ['AssetInfo'])).Workspaces[ws];
const status = async (client: string, ws: string) => STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(client, ['WorkspaceInfo'])).Workspaces[ws]?.Status;

/** Push through the Call, then wait for the workspace to report the pushed commit. */
async function push(client: string, runner: RunningClient, ws: string, comment: string) {
  await until('local changes seen', async () => ((await assets(client, ws))?.LocalChanges.length ?? 0) > 0);
  await panel.ok(client, 'Push', { Workspace: ws, Comment: comment });
  await runner.idle();
  const s = await status(client, ws);
  expect(s?.Message).toMatch(/^Pushed/);
  // Its own commit is not a remote change.
  expect((await assets(client, ws))?.RemoteChanges).toEqual([]);
}

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  a = await cluster.client('STAGE-A');
  b = await cluster.client('STAGE-B');
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  wsA = (await until('A creates its workspace', () => panel.ok<{ Workspace: string }>(A, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }))).Workspace;
  wsB = (await panel.ok<{ Workspace: string }>(B, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' })).Workspace;
  // Both start at the root commit.
  await panel.ok(A, 'Pull', { Workspace: wsA });
  await panel.ok(B, 'Pull', { Workspace: wsB });
  await a.idle();
  await b.idle();
}, 60_000);
afterAll(async () => cluster?.close());

describe('AutoPull', () => {
  it('the workspace path follows the repository name, [dot] and all', () => {
    expect(wsA.endsWith(path.join('Synced Storage', 'Projects', 'Project.Beta'))).toBe(true);
  });

  it('on: a push from STAGE-A reaches STAGE-B with identical bytes, without any Call to B', async () => {
    await panel.set(B, ['State', 'Workspaces', wsB, 'AutoPull'], true);
    await write(wsA, 'Textures/sky.png', 'sky v1');
    await write(wsA, 'Levels/Main.umap', 'level v1');
    await push(A, a, wsA, 'first assets');
    await until('B has the same bytes', async () => (await read(wsB, 'Textures/sky.png')) === 'sky v1' && (await read(wsB, 'Levels/Main.umap')) === 'level v1');
    await b.idle();
    const persistentA = STATE_SCHEMAS.client.PersistentState.parse(await panel.get(A, ['PersistentState']));
    const persistentB = STATE_SCHEMAS.client.PersistentState.parse(await panel.get(B, ['PersistentState']));
    expect(persistentB.Workspaces[wsB]?.Commit).toBe(persistentA.Workspaces[wsA]?.Commit);
    expect(persistentB.Workspaces[wsB]?.DisplayPath).toBe(`%SYNCED_STORAGE%${path.sep}Projects${path.sep}Project.Beta`);
  });

  it('off: the change shows in RemoteChanges and Incoming until a Pull', async () => {
    await panel.set(B, ['State', 'Workspaces', wsB, 'AutoPull'], false);
    await write(wsA, 'Textures/sky.png', 'sky v2');
    await push(A, a, wsA, 'sky v2');
    const remote = await until('B sees the remote change', async () => {
      const info = await assets(B, wsB);
      return info?.RemoteChanges.some((c) => c.URI === 'FileSystem:/Textures/sky.png') ? info : null;
    });
    expect(remote.RemoteChanges).toEqual([{ Type: 'PutFile', URI: 'FileSystem:/Textures/sky.png', New: false }]);
    expect((await status(B, wsB))?.Incoming).toBe(true);
    expect(await read(wsB, 'Textures/sky.png')).toBe('sky v1');
    await panel.ok(B, 'Pull', { Workspace: wsB });
    await b.idle();
    expect(await read(wsB, 'Textures/sky.png')).toBe('sky v2');
    await until('Incoming clears', async () => (await status(B, wsB))?.Incoming === false);
    expect((await assets(B, wsB))?.RemoteChanges).toEqual([]);
  });
});

describe('conflicts', () => {
  async function makeConflict(textA: string, textB: string) {
    await write(wsB, 'Textures/sky.png', textB);
    await write(wsB, 'Meshes/rock.fbx', `rock ${textA}`); // an unrelated local change on B stays B's
    await write(wsA, 'Textures/sky.png', textA);
    await write(wsA, 'Meshes/tree.fbx', `tree ${textA}`);
    await push(A, a, wsA, `A: ${textA}`);
    await until('B knows it is behind', async () => (await status(B, wsB))?.Incoming === true);
    await until('B sees its local change', async () => (await assets(B, wsB))?.LocalChanges.some((c) => c.URI === 'FileSystem:/Textures/sky.png'));
    const refused = await panel.call(B, 'Push', { Workspace: wsB, Comment: 'B too' });
    expect('Failure' in refused && refused.Failure.Code).toBe('NOT_AT_HEAD');
    await panel.ok(B, 'Pull', { Workspace: wsB });
    await b.idle();
    expect(await read(wsB, 'Meshes/tree.fbx')).toBe(`tree ${textA}`); // the rest was pulled
    expect(await read(wsB, 'Textures/sky.png')).toBe(textB); // never overwritten
    expect((await assets(B, wsB))?.ConflictURIs).toEqual(['FileSystem:/Textures/sky.png']);
  }

  it('Keep Local: B\'s version stays, becomes a local change, and can be pushed', async () => {
    await makeConflict('sky A3', 'sky B3');
    await panel.ok(B, 'ResolveConflict', { Workspace: wsB, URI: 'FileSystem:/Textures/sky.png', Keep: 'Local' });
    expect(await read(wsB, 'Textures/sky.png')).toBe('sky B3');
    expect((await assets(B, wsB))?.ConflictURIs).toEqual([]);
    await push(B, b, wsB, 'B keeps its sky');
    await panel.ok(A, 'Pull', { Workspace: wsA });
    await a.idle();
    expect(await read(wsA, 'Textures/sky.png')).toBe('sky B3');
    expect(await read(wsA, 'Meshes/rock.fbx')).toBe('rock sky A3');
  });

  it('Take Remote: A\'s version replaces B\'s', async () => {
    await makeConflict('sky A4', 'sky B4');
    const notInConflict = await panel.call(B, 'ResolveConflict', { Workspace: wsB, URI: 'FileSystem:/Meshes/rock.fbx', Keep: 'Remote' });
    expect('Failure' in notInConflict && notInConflict.Failure.Code).toBe('NOT_IN_CONFLICT');
    await panel.ok(B, 'ResolveConflict', { Workspace: wsB, URI: 'FileSystem:/Textures/sky.png', Keep: 'Remote' });
    expect(await read(wsB, 'Textures/sky.png')).toBe('sky A4');
    const info = await assets(B, wsB);
    expect(info?.ConflictURIs).toEqual([]);
    expect(info?.LocalChanges.some((c) => c.URI === 'FileSystem:/Textures/sky.png')).toBe(false);
  });
});

describe('edits during a pull', () => {
  it('a file saved on STAGE-B while its pull runs is kept, as a conflict, never overwritten', async () => {
    await panel.ok(B, 'Pull', { Workspace: wsB });
    await b.idle();
    if (((await assets(B, wsB))?.LocalChanges.length ?? 0) > 0) await push(B, b, wsB, 'tidy up before the race');
    await panel.ok(A, 'Pull', { Workspace: wsA });
    await a.idle();
    await write(wsA, 'Cues/show.cue', 'cue v1');
    await push(A, a, wsA, 'cue v1');
    await panel.ok(B, 'Pull', { Workspace: wsB });
    await b.idle();
    expect(await read(wsB, 'Cues/show.cue')).toBe('cue v1');
    // A large file first in URI order keeps the pull busy while the operator saves the cue on B.
    await mkdir(path.join(wsA, 'Big'), { recursive: true });
    await writeFile(path.join(wsA, 'Big', 'a-movie.bin'), randomBytes(48 * 1024 * 1024));
    await write(wsA, 'Cues/show.cue', 'cue v2 from A');
    await push(A, a, wsA, 'movie and cue v2');
    await until('B knows', async () => (await status(B, wsB))?.Incoming === true);
    await panel.ok(B, 'Pull', { Workspace: wsB });
    await write(wsB, 'Cues/show.cue', 'cue edited on B during the pull');
    await b.idle();
    expect(await read(wsB, 'Cues/show.cue')).toBe('cue edited on B during the pull');
    expect((await assets(B, wsB))?.ConflictURIs).toContain('FileSystem:/Cues/show.cue');
    await panel.ok(B, 'ResolveConflict', { Workspace: wsB, URI: 'FileSystem:/Cues/show.cue', Keep: 'Remote' });
    expect(await read(wsB, 'Cues/show.cue')).toBe('cue v2 from A');
  }, 60_000);
});

describe('claims', () => {
  it('a claim by STAGE-A makes STAGE-B\'s push fail with CLAIMED_BY_OTHER; a forced release lets it through', async () => {
    // Bring B to the head first (it may hold local changes from the conflict tests: push them).
    await panel.ok(B, 'Pull', { Workspace: wsB });
    await b.idle();
    if (((await assets(B, wsB))?.LocalChanges.length ?? 0) > 0) await push(B, b, wsB, 'tidy up');
    await panel.ok(A, 'Pull', { Workspace: wsA });
    await a.idle();
    const claims = await panel.ok<{ Claims: unknown[] }>(A, 'Claim', { Workspace: wsA, URI: 'FileSystem:/Levels/Main.umap' });
    expect(claims.Claims).toMatchObject([{ URI: 'FileSystem:/Levels/Main.umap', Owner: 'STAGE-A' }]);
    await until('B knows of the claim', async () => (await assets(B, wsB))?.Claims.length === 1);
    await write(wsB, 'Levels/Main.umap', 'level by B');
    await until('B sees its change', async () => (await assets(B, wsB))?.LocalChanges.some((c) => c.URI === 'FileSystem:/Levels/Main.umap'));
    const refused = await panel.call(B, 'Push', { Workspace: wsB, Comment: 'B edits the level' });
    expect('Failure' in refused && refused.Failure.Code).toBe('CLAIMED_BY_OTHER');
    const stillHeld = await panel.call(B, 'ReleaseClaim', { Workspace: wsB, URI: 'FileSystem:/Levels/Main.umap' });
    expect('Failure' in stillHeld && stillHeld.Failure.Code).toBe('CLAIMED_BY_OTHER');
    await panel.ok(B, 'ReleaseClaim', { Workspace: wsB, URI: 'FileSystem:/Levels/Main.umap', Force: true });
    await until('B knows the claim is gone', async () => (await assets(B, wsB))?.Claims.length === 0);
    await push(B, b, wsB, 'B edits the level');
  });
});
