// Any peer on the hub can answer a Call. A rogue "AssetHubServer" whose GetChanges answer holds a null change must
// cost the client that one operation, with a reason, never the process: every Result is checked against its method.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { BROADCAST, SERVER_NAME, encodeValueKeys, envelope, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import { HubPeer } from '../../peer/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Rogue';
const A = 'STAGE-A-AssetHubClient';
let cluster: Cluster;
let panel: Probe;
let rogue: HubPeer | null = null;
let ws = '';

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  await cluster.client('STAGE-A');
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  ws = (await until('workspace', () => panel.ok<{ Workspace: string }>(A, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }))).Workspace;
}, 60_000);
afterAll(async () => {
  rogue?.close();
  await cluster?.close();
});

it('a malformed GetChanges answer fails the read and the pull with INVALID_RESULT; the client keeps answering', async () => {
  const persistent = STATE_SCHEMAS.server.PersistentState.parse(await panel.get(SERVER_NAME, ['PersistentState']));
  const state = await panel.get(SERVER_NAME, ['State']);
  const assets = await panel.get(SERVER_NAME, ['AssetInfo']);
  const storage = cluster.server.storageUrl;
  await cluster.server.close();

  // The same repository with one more commit at the head, so the client asks what changed.
  const branch = persistent.Repositories[REPO]?.Branches[0];
  if (!branch) throw new Error('no branch');
  branch.Commits.push({ ID: 'rogue-commit', Author: 'rogue', Comment: '', CreatedAt: new Date().toISOString(), Tags: [] });
  const values: Record<string, unknown> = { PersistentState: persistent, State: state, AssetInfo: assets };
  const peer: HubPeer = new HubPeer(
    { name: SERVER_NAME, subscriptions: [topicPrefix('Call', { Target: SERVER_NAME }), topicPrefix('Get', { Target: SERVER_NAME })] },
    {
      onMessage: (m: Envelope) => {
        if (m.topic.Type === 'Get') {
          const name = m.topic.Name;
          peer.send(envelope<'Update'>({ Type: 'Update', Target: m.topic.RespondTo, Source: SERVER_NAME, Name: name }, { Value: encodeValueKeys([name], values[name] ?? null) }));
        } else if (m.topic.Type === 'Call') {
          const result = m.topic.Method === 'GetChanges' ? { Changes: [null] } : m.topic.Method === 'GetStorage' ? { Url: storage } : {};
          peer.send(envelope<'CallResult'>({ Type: 'CallResult', Target: m.topic.RespondTo, ExecutedOn: SERVER_NAME, Method: m.topic.Method, ID: m.topic.ID }, { Result: result }));
        }
      },
    },
  );
  rogue = peer;
  peer.connect(cluster.hub.url);
  await peer.whenUp();
  // The head moved: the client reads the remote changes from the rogue's answer.
  peer.send(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: SERVER_NAME, Name: 'PersistentState' }, { Value: encodeValueKeys(['PersistentState'], persistent) }));

  await panel.ok(A, 'Pull', { Workspace: ws });
  const message = await until('the pull ended with a reason', async () => {
    const info = (await panel.get(A, ['WorkspaceInfo'])) as { Workspaces: Record<string, { Status: { Activity: string; Message?: string } }> };
    const status = Object.values(info.Workspaces)[0]?.Status;
    return status?.Activity === 'Idle' && status.Message?.includes('INVALID_RESULT') ? status.Message : null;
  });
  expect(message).toMatch(/GetChanges answered a Result that does not match the method/);
  // Still alive and answering.
  expect(await panel.get(A, ['State'])).toBeTruthy();
});
