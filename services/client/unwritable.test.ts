// A branch holding names this disk cannot write (stored before the server's name rules): the pull writes the rest,
// reaches its commit and says per file what could not be written and why; later pulls and pushes are not blocked.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { pulledWorkspace, putFile, startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import type { RunningClient } from './client.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Long Names';
const B = 'STAGE-B-AssetHubClient';
// Over 255 bytes: no common file system holds such a name. They sort before ok.txt, so they come first in the pull.
const LONG_FILE = `FileSystem:/${'a'.repeat(300)}.png`;
const LONG_DIR = `FileSystem:/${'d'.repeat(256)}`;
const IN_LONG_DIR = `${LONG_DIR}/inside.txt`;
const bytes = (s: string) => new TextEncoder().encode(s);

let cluster: Cluster;
let panel: Probe;
let b: RunningClient;
let ws = '';

const head = async () => STATE_SCHEMAS.server.PersistentState.parse(await panel.get(SERVER_NAME, ['PersistentState'])).Repositories[REPO]?.Branches[0]?.Commits.at(-1)?.ID ?? null;
const status = async () => STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(B, ['WorkspaceInfo'])).Workspaces[ws]?.Status;
const assets = async () => STATE_SCHEMAS.client.AssetInfo.parse(await panel.get(B, ['AssetInfo'])).Workspaces[ws];
const commitOf = async () => STATE_SCHEMAS.client.PersistentState.parse(await panel.get(B, ['PersistentState'])).Workspaces[ws]?.Commit ?? null;

/** Pulls once B knows the branch has `target`, then waits for the pull to end. */
async function pullTo(target: string): Promise<void> {
  await until('B sees the new head', async () => {
    const known = STATE_SCHEMAS.client.PersistentState.parse(await panel.get(B, ['PersistentState'])).Workspaces[ws]?.Commits ?? [];
    return known.some((c) => c.ID === target);
  });
  await panel.ok(B, 'Pull', { Workspace: ws });
  await b.idle();
}

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  b = await cluster.client('STAGE-B');
  ws = await pulledWorkspace(panel, b, REPO);
}, 60_000);
afterAll(async () => cluster?.close());

it('names over 255 bytes: the rest is pulled, the commit reached, each refused file named with why, in Status and RemoteChanges', async () => {
  const storage = cluster.server.storageUrl;
  const ok = await putFile(storage, 'FileSystem:/ok.txt', bytes('fine'));
  const long = await putFile(storage, LONG_FILE, bytes('too long'));
  // Straight into the store, as a server without the name rules took it.
  const target = cluster.server.store.createCommit({
    repository: REPO, branch: 'Main', parent: await head(), author: 'OLD-SERVER', comment: 'long names',
    changes: [long, { Type: 'PutDirectory', URI: LONG_DIR }, { ...long, URI: IN_LONG_DIR }, ok],
  });
  cluster.server.host.broadcastState('PersistentState');
  const from = panel.messages.length;
  await pullTo(target);

  expect(await readFile(path.join(ws, 'ok.txt'), 'utf8')).toBe('fine');
  expect(await commitOf()).toBe(target);
  const message = (await status())?.Message ?? '';
  expect(message).toMatch(new RegExp(`^Pulled 1 change\\(s\\) to ${target.slice(0, 8)}; 3 file\\(s\\) could not be written on this disk: `));
  expect(message).toContain(`${LONG_FILE} (ENAMETOOLONG: the name is too long for this disk)`);
  expect(message).toContain(`${LONG_DIR} (ENAMETOOLONG`);
  expect(message).toContain(`${IN_LONG_DIR} (ENAMETOOLONG`);
  // The server has them and this disk does not: they are remote changes still.
  expect((await assets())?.RemoteChanges.map((c) => c.URI).sort()).toEqual([LONG_DIR, IN_LONG_DIR, LONG_FILE].sort());
  expect((await status())?.Incoming).toBe(true);
  const warnings = panel.messages.slice(from).filter((m) => m.topic.Type === 'Log' && 'Source' in m.topic && m.topic.Source === B);
  expect(warnings.length).toBeGreaterThanOrEqual(3);
});

it('later pulls and pushes of the branch are not blocked, and each pull tries the refused files again', async () => {
  const next = await putFile(cluster.server.storageUrl, 'FileSystem:/next.txt', bytes('next'));
  const target = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', { Repository: REPO, Branch: 'Main', Parent: await head(), Author: 'STAGE-A', Comment: 'next', Changes: [next] })).Commit;
  await pullTo(target);
  expect(await readFile(path.join(ws, 'next.txt'), 'utf8')).toBe('next');
  expect(await commitOf()).toBe(target);
  expect((await status())?.Message).toMatch(/^Pulled 1 change\(s\) to .*; 3 file\(s\) could not be written on this disk/);

  await writeFile(path.join(ws, 'mine.txt'), 'from B');
  await until('B sees its local change', async () => ((await assets())?.LocalChanges.length ?? 0) > 0);
  await panel.ok(B, 'Push', { Workspace: ws, Comment: 'mine' });
  await b.idle();
  expect((await status())?.Message).toMatch(/^Pushed 1 change/);
});

it('once the server deletes the long names, the workspace has nothing left to report', async () => {
  const deletes = [LONG_FILE, LONG_DIR].map((URI) => ({ Type: 'Delete', URI }));
  const target = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', { Repository: REPO, Branch: 'Main', Parent: await head(), Author: 'STAGE-A', Comment: 'rename', Changes: deletes })).Commit;
  await pullTo(target);
  expect(await commitOf()).toBe(target);
  expect((await status())?.Message).toMatch(/^Pulled 3 change\(s\) to [0-9a-f]{8}\.$/);
  expect((await assets())?.RemoteChanges).toEqual([]);
  expect((await status())?.Incoming).toBe(false);
});
