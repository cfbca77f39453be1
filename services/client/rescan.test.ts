// When a rescan resolves, the view is from a scan that began after it was asked for, even when a newer rescan (the
// folder watcher's) overtook it: a Push right after it must see the files written before it (a real client, server
// and hub).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import type { RunningClient } from './client.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Rescan';
const A = 'STAGE-A-AssetHubClient';
let cluster: Cluster;
let panel: Probe;
let a: RunningClient;
let ws = '';

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('RESCAN-AssetHubPanel');
  a = await cluster.client('STAGE-A');
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  ws = (await until('A creates its workspace', () => panel.ok<{ Workspace: string }>(A, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }))).Workspace;
  await panel.ok(A, 'Pull', { Workspace: ws });
  await a.idle();
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

it('a rescan overtaken by a newer one resolves with the newer view, which holds what was written before it', async () => {
  const workspace = a.workspaces.get(ws);
  if (!workspace) throw new Error('no workspace');
  workspace.close(); // only this test's scans
  for (let round = 0; round < 5; round++) {
    const name = `File${round}.txt`;
    await writeFile(path.join(ws, name), `round ${round}`);
    const first = workspace.rescan();
    const second = workspace.rescan();
    await first;
    expect(workspace.view.local.map((c) => c.URI)).toContain(`FileSystem:/${name}`);
    await second;
  }
  await panel.ok(A, 'Push', { Workspace: ws, Comment: 'all five' });
  await a.idle();
});
