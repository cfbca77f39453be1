// Path escapes: crafted commits (written straight into the server's store, past its own checks) and crafted Params
// are refused with a Failure or a Log, and nothing outside the workspace changes.
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { pulledWorkspace, putFile, startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import type { RunningClient } from './client.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Escape';
const B = 'STAGE-B-AssetHubClient';
let cluster: Cluster;
let panel: Probe;
let b: RunningClient;
let ws = '';
let outside = '';

/** Every file below a folder with its size and mtime: what "nothing changed" is checked against. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        const s = await stat(p);
        out.push(`${p} ${s.size} ${s.mtimeMs}`);
      }
    }
  };
  await walk(dir);
  return out.sort();
}

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  b = await cluster.client('STAGE-B');
  ws = await pulledWorkspace(panel, b, REPO);
  outside = path.join(cluster.dir, 'outside');
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'precious.txt'), 'do not touch');
  await symlink(outside, path.join(ws, 'link'));
}, 60_000);
afterAll(async () => cluster?.close());

it('a crafted commit with escaping URIs: the bad changes are refused and logged, the good one lands', async () => {
  const before = await snapshot(cluster.dir);
  const storage = cluster.server.storageUrl;
  const good = await putFile(storage, 'FileSystem:/ok.txt', new TextEncoder().encode('fine'));
  const evil = (uri: string) => ({ ...good, URI: uri });
  const head = STATE_SCHEMAS.server.PersistentState.parse(await panel.get(SERVER_NAME, ['PersistentState'])).Repositories[REPO]?.Branches[0]?.Commits.at(-1)?.ID ?? null;
  // Straight into the store: the server's own Call checks would refuse these.
  cluster.server.store.createCommit({
    repository: REPO, branch: 'Main', parent: head, author: 'MALLORY', comment: 'crafted',
    changes: [good, evil('FileSystem:/../escaped.txt'), evil('FileSystem:/a/../../escaped2.txt'), evil('FileSystem:/link/evil.txt'), evil('FileSystem://tmp/abs.txt')],
  });
  cluster.server.host.broadcastState('PersistentState');
  await until('B sees the new commit', async () => ((STATE_SCHEMAS.client.AssetInfo.parse(await panel.get(B, ['AssetInfo'])).Workspaces[ws]?.RemoteChanges.length ?? 0) > 0));
  const from = panel.messages.length;
  await panel.ok(B, 'Pull', { Workspace: ws });
  await b.idle();
  expect(await readFile(path.join(ws, 'ok.txt'), 'utf8')).toBe('fine');
  const info = STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(B, ['WorkspaceInfo']));
  expect(info.Workspaces[ws]?.Status.Message).toMatch(/4 could not be applied/);
  const logs = panel.messages.slice(from).filter((m) => m.topic.Type === 'Log' && 'Source' in m.topic && m.topic.Source === B);
  expect(logs.length).toBeGreaterThanOrEqual(3);
  // Nothing outside the workspace changed: the only new files are inside it (ok.txt and the client's own data).
  const after = await snapshot(cluster.dir);
  const added = after.filter((f) => !before.includes(f)).map((f) => f.split(' ')[0] as string);
  expect(added.filter((f) => !f.startsWith(ws + path.sep) && !f.startsWith(path.join(cluster.dir, 'STAGE-B') + path.sep) && !f.startsWith(path.join(cluster.dir, 'server') + path.sep))).toEqual([]);
  expect(await snapshot(outside)).toEqual(before.filter((f) => f.startsWith(outside)));
  expect(await readdir(path.dirname(ws))).not.toContain('escaped.txt');
});

it('crafted Params are refused with UNSAFE_PATH and a Log', async () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['ResolveConflict', { Workspace: ws, URI: 'FileSystem:/../x', Keep: 'Remote' }],
    ['RevertLocalChanges', { Workspace: ws, URIs: ['FileSystem:/../../etc/passwd'] }],
    ['Push', { Workspace: ws, Comment: 'x', URIs: ['FileSystem:/C:/Windows/x'] }],
    ['Claim', { Workspace: ws, URI: 'FileSystem:/a\u0000b' }],
    ['CreateWorkspace', { Repository: REPO, Branch: 'Main', Path: `${ws}/../../elsewhere` }],
    ['CreateWorkspace', { Repository: REPO, Branch: 'Main', Path: 'relative/path' }],
  ];
  for (const [method, params] of cases) {
    const from = panel.messages.length;
    const outcome = await panel.call(B, method, params);
    expect('Failure' in outcome && outcome.Failure.Code, `${method} ${JSON.stringify(params)}`).toBe('UNSAFE_PATH');
    await panel.next((m) => m.topic.Type === 'Log', 5000, from);
  }
  expect(await readFile(path.join(outside, 'precious.txt'), 'utf8')).toBe('do not touch');
});
