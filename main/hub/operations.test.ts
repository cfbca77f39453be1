import { describe, expect, it } from 'vitest';
import { OPERATIONS_KEPT, type Operation } from '../../shared/panel/api.ts';
import { OperationJournal, QUIET_MS } from './operations.ts';

const A = 'STAGE-A-AssetHubClient';
const WS = '/show/ws';

function journal() {
  let now = 1_000;
  const emitted: Operation[] = [];
  const j = new OperationJournal({ by: 'me-AssetHubPanel-0001', emit: (op) => emitted.push(op), now: () => now });
  const info = (Activity: 'Idle' | 'Pull' | 'Push', Message: string) => ({ Workspaces: { [WS]: { Status: { Activity, Message } } } });
  return { j, emitted, info, advance: (ms: number) => (now += ms), last: () => j.list().at(-1) };
}

describe('the operation journal', () => {
  it('keeps what changes something, not what only reads', () => {
    const { j } = journal();
    expect(j.begin('AssetHubServer', 'QueryAssets', {}, undefined)).toBeNull();
    expect(j.begin('AssetHubServer', 'GetRepositories', {}, undefined)).toBeNull();
    expect(j.begin(A, 'CreateWorkspace', { Repository: 'R', Branch: 'Main' }, undefined)).not.toBeNull();
    expect(j.list().map((o) => o.method)).toEqual(['CreateWorkspace']);
  });

  it('ends a Call that answers at once with its Result or its Failure', () => {
    const { j } = journal();
    const created = j.begin(A, 'CreateWorkspace', { Repository: 'R', Branch: 'Main' }, undefined);
    j.settle(created, { ok: true, result: { Workspace: WS } });
    const tagged = j.begin('AssetHubServer', 'TagCommit', { Repository: 'R', Branch: 'Main', Commit: 'c', Tag: 'v1' }, undefined);
    j.settle(tagged, { ok: false, code: 'UNKNOWN_COMMIT', message: 'no commit c' });
    expect(j.list().map(({ subject, state, outcome, via }) => ({ subject, state, outcome, via }))).toEqual([
      { subject: 'R', state: 'done', outcome: `Created ${WS}`, via: 'call' },
      { subject: 'R', state: 'failed', outcome: 'UNKNOWN_COMMIT: no commit c', via: 'call' },
    ]);
  });

  it('follows a Pull through the workspace Status: started, running, done with its Message', () => {
    const { j, info, last } = journal();
    const id = j.begin(A, 'Pull', { Workspace: WS }, { Activity: 'Idle', Message: 'Up to date at aaaa.' } as never);
    expect(last()?.state).toBe('started');
    // The client says it works before its CallResult arrives (it began within the Call).
    j.onWorkspaceInfo(A, info('Pull', 'Scanning local changes…'));
    expect(last()?.state).toBe('running');
    j.settle(id, { ok: true, result: { Started: true } });
    expect(last()?.state).toBe('running');
    j.onWorkspaceInfo(A, info('Idle', 'Pulled 3 change(s) to bbbb.'));
    expect(last()).toMatchObject({ state: 'done', outcome: 'Pulled 3 change(s) to bbbb.', via: 'workspace' });
    expect(last()?.endedAt).not.toBeNull();
  });

  it('a Message "<what> failed: …" is a failure, even when the Idle came before the CallResult', () => {
    const { j, info, last } = journal();
    const id = j.begin(A, 'Push', { Workspace: WS, Comment: 'c' }, undefined);
    j.onWorkspaceInfo(A, info('Push', 'Uploading…'));
    j.onWorkspaceInfo(A, info('Idle', 'Push failed: CLAIMED_BY_OTHER: STAGE-B holds FileSystem:/a.png'));
    expect(last()?.state).toBe('running');
    j.settle(id, { ok: true, result: { Started: true } });
    expect(last()).toMatchObject({ state: 'failed', outcome: 'Push failed: CLAIMED_BY_OTHER: STAGE-B holds FileSystem:/a.png' });
  });

  it('work too short to be seen ends on a new Message; one never told ends as unknown, not started', () => {
    const { j, info, last, advance } = journal();
    const quick = j.begin(A, 'RevertLocalChanges', { Workspace: WS }, { Activity: 'Idle', Message: 'old' } as never);
    j.settle(quick, { ok: true, result: { Started: true } });
    j.onWorkspaceInfo(A, info('Idle', 'old'));
    expect(last()?.state).toBe('started');
    j.onWorkspaceInfo(A, info('Idle', 'Reverted 2 local change(s).'));
    expect(last()).toMatchObject({ state: 'done', outcome: 'Reverted 2 local change(s).' });

    const silent = j.begin(A, 'Pull', { Workspace: WS }, { Activity: 'Idle', Message: 'same' } as never);
    j.settle(silent, { ok: true, result: { Started: true } });
    advance(QUIET_MS - 1);
    j.sweep(() => true);
    expect(last()?.state).toBe('started');
    advance(1);
    j.sweep(() => true);
    expect(last()).toMatchObject({ state: 'unknown', outcome: expect.stringMatching(/reported no work on the workspace in 15 s/) });
  });

  it('a client that goes offline mid-operation leaves it unknown; a Call that fails ends it failed', () => {
    const { j, info, last } = journal();
    const id = j.begin(A, 'Pull', { Workspace: WS }, undefined);
    j.settle(id, { ok: true, result: { Started: true } });
    j.onWorkspaceInfo(A, info('Pull', 'Downloading…'));
    j.sweep(() => false);
    expect(last()).toMatchObject({ state: 'unknown', outcome: `${A} went offline before it reported how this ended` });
    const timedOut = j.begin(A, 'Push', { Workspace: WS, Comment: 'c' }, undefined);
    j.settle(timedOut, { ok: false, code: 'TIMEOUT', message: 'no answer in 5 s' });
    expect(last()).toMatchObject({ state: 'failed', outcome: 'TIMEOUT: no answer in 5 s' });
    // Later Updates change nothing that has ended.
    j.onWorkspaceInfo(A, info('Idle', 'Pushed 1 change(s) as cccc.'));
    expect(last()?.state).toBe('failed');
  });

  it(`keeps the last ${OPERATIONS_KEPT}, and emits every change`, () => {
    const { j, emitted } = journal();
    for (let i = 0; i < OPERATIONS_KEPT + 5; i++) j.settle(j.begin(A, 'Claim', { Workspace: WS, URI: `FileSystem:/${i}` }, undefined), { ok: true, result: { Claims: [] } });
    expect(j.list()).toHaveLength(OPERATIONS_KEPT);
    expect(j.list()[0]?.subject).toBe(WS);
    expect(j.list()[0]?.id).toBe(6);
    expect(emitted).toHaveLength(2 * (OPERATIONS_KEPT + 5));
  });
});
