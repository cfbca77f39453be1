import { describe, expect, it } from 'vitest';
import { OPERATIONS_KEPT, type Operation } from '../../shared/panel/api.ts';
import { OperationJournal, QUIET_MS, TEXT_LIMIT } from './operations.ts';

const A = 'STAGE-A-AssetHubClient';
const WS = '/show/ws';

function journal() {
  let now = 1_000;
  const emitted: Operation[] = [];
  // What the engine's cache holds: the workspace's Status, the client's StartedAt.
  const world = { status: { Activity: 'Idle', Message: '' } as { Activity: string; Message: string }, started: '2026-12-06T20:00:00.000Z' as string | null };
  const j = new OperationJournal({
    by: 'me-AssetHubPanel-0001',
    emit: (op) => emitted.push(op),
    statusOf: () => world.status as never,
    startedAtOf: () => world.started,
    now: () => now,
  });
  /** A WorkspaceInfo Update: the cache holds it, then the journal hears of it. */
  const info = (Activity: 'Idle' | 'Pull' | 'Push', Message: string) => {
    world.status = { Activity, Message };
    return { Workspaces: { [WS]: { Status: { Activity, Message } } } };
  };
  return { j, emitted, info, world, advance: (ms: number) => (now += ms), last: () => j.list().at(-1) };
}

describe('the operation journal', () => {
  it('keeps what changes something, not what only reads', () => {
    const { j } = journal();
    expect(j.begin('AssetHubServer', 'QueryAssets', {})).toBeNull();
    expect(j.begin('AssetHubServer', 'CountAssets', {})).toBeNull();
    expect(j.begin('AssetHubServer', 'GetRepositories', {})).toBeNull();
    expect(j.begin('AssetHubServer', 'CheckFilter', { Filter: 'asset.type.name==texture' })).toBeNull();
    expect(j.begin(A, 'CreateWorkspace', { Repository: 'R', Branch: 'Main' })).not.toBeNull();
    expect(j.list().map((o) => o.method)).toEqual(['CreateWorkspace']);
  });

  it('ends a Call that answers at once with its Result or its Failure', () => {
    const { j } = journal();
    const created = j.begin(A, 'CreateWorkspace', { Repository: 'R', Branch: 'Main' });
    j.settle(created, { ok: true, result: { Workspace: WS } });
    const tagged = j.begin('AssetHubServer', 'TagCommit', { Repository: 'R', Branch: 'Main', Commit: 'c', Tag: 'v1' });
    j.settle(tagged, { ok: false, code: 'UNKNOWN_COMMIT', message: 'no commit c' });
    expect(j.list().map(({ subject, state, outcome, via }) => ({ subject, state, outcome, via }))).toEqual([
      { subject: 'R', state: 'done', outcome: `Created ${WS}`, via: 'call' },
      { subject: 'R', state: 'failed', outcome: 'UNKNOWN_COMMIT: no commit c', via: 'call' },
    ]);
  });

  it('follows a Pull through the workspace Status: started, running, done with its Message', () => {
    const { j, info, last } = journal();
    info('Idle', 'Up to date at aaaa.');
    const id = j.begin(A, 'Pull', { Workspace: WS });
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
    const id = j.begin(A, 'Push', { Workspace: WS, Comment: 'c' });
    j.onWorkspaceInfo(A, info('Push', 'Uploading…'));
    j.onWorkspaceInfo(A, info('Idle', 'Push failed: CLAIMED_BY_OTHER: STAGE-B holds FileSystem:/a.png'));
    expect(last()?.state).toBe('running');
    j.settle(id, { ok: true, result: { Started: true } });
    expect(last()).toMatchObject({ state: 'failed', outcome: 'Push failed: CLAIMED_BY_OTHER: STAGE-B holds FileSystem:/a.png' });
  });

  it('work too short to be seen ends on a new Message; one never told ends as unknown, not started', () => {
    const { j, info, last, advance } = journal();
    info('Idle', 'old');
    const quick = j.begin(A, 'RevertLocalChanges', { Workspace: WS });
    j.settle(quick, { ok: true, result: { Started: true } });
    j.onWorkspaceInfo(A, info('Idle', 'old'));
    expect(last()?.state).toBe('started');
    j.onWorkspaceInfo(A, info('Idle', 'Reverted 2 local change(s).'));
    expect(last()).toMatchObject({ state: 'done', outcome: 'Reverted 2 local change(s).' });

    info('Idle', 'same');
    const silent = j.begin(A, 'Pull', { Workspace: WS });
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
    const id = j.begin(A, 'Pull', { Workspace: WS });
    j.settle(id, { ok: true, result: { Started: true } });
    j.onWorkspaceInfo(A, info('Pull', 'Downloading…'));
    j.sweep(() => false);
    expect(last()).toMatchObject({ state: 'unknown', outcome: `${A} went offline before it reported how this ended` });
    const refused = j.begin(A, 'Push', { Workspace: WS, Comment: 'c' });
    j.settle(refused, { ok: false, code: 'BUSY', message: 'the workspace is busy' });
    expect(last()).toMatchObject({ state: 'failed', outcome: 'BUSY: the workspace is busy', after: 'Downloading…' });
    // Later Updates change nothing that has ended.
    j.onWorkspaceInfo(A, info('Idle', 'Pushed 1 change(s) as cccc.'));
    expect(last()?.state).toBe('failed');
  });

  it('an answer lost (timeout, link dropped) is not a refusal: a followed one is still followed, another is unknown', () => {
    const { j, info, last } = journal();
    info('Idle', 'Up to date at aaaa.');
    const push = j.begin(A, 'Push', { Workspace: WS, Comment: 'c' });
    j.onWorkspaceInfo(A, info('Push', 'Uploading…'));
    j.settle(push, { ok: false, code: 'TIMEOUT', message: 'no answer in 5 s' });
    expect(last()?.state).toBe('running');
    j.onWorkspaceInfo(A, info('Idle', 'Pushed 1 change(s) as cccc.'));
    expect(last()).toMatchObject({ state: 'done', outcome: 'Pushed 1 change(s) as cccc.' });
    const tag = j.begin('AssetHubServer', 'TagCommit', { Repository: 'R', Branch: 'Main', Commit: 'c', Tag: 't' });
    j.settle(tag, { ok: false, code: 'DISCONNECTED', message: 'the hub link dropped' });
    expect(last()).toMatchObject({ state: 'unknown', outcome: 'DISCONNECTED: the hub link dropped; it may have happened all the same' });
  });

  it('a client that restarts, a panel that moves to another hub, an AutoPull right after: none is taken for its end', () => {
    const { j, info, last, world } = journal();
    const pull = j.begin(A, 'Pull', { Workspace: WS });
    j.settle(pull, { ok: true, result: { Started: true } });
    j.onWorkspaceInfo(A, info('Pull', 'Downloading…'));
    // A new process says Idle with nothing: not "done".
    world.started = '2026-12-06T21:00:00.000Z';
    j.onWorkspaceInfo(A, info('Idle', ''));
    expect(last()).toMatchObject({ state: 'unknown', outcome: `${A} restarted before it reported how this ended` });

    // The end seen before the CallResult is kept, whatever the queued AutoPull then says.
    const push = j.begin(A, 'Push', { Workspace: WS, Comment: 'c' });
    j.onWorkspaceInfo(A, info('Push', 'Uploading…'));
    j.onWorkspaceInfo(A, info('Idle', 'Push failed: MISSING_CHUNKS: 2 chunks'));
    j.onWorkspaceInfo(A, info('Pull', 'AutoPull…'));
    j.onWorkspaceInfo(A, info('Idle', 'Up to date at bbbb.'));
    j.settle(push, { ok: true, result: { Started: true } });
    expect(last()).toMatchObject({ state: 'failed', outcome: 'Push failed: MISSING_CHUNKS: 2 chunks', after: 'Up to date at bbbb.' });

    const open = j.begin(A, 'Pull', { Workspace: WS });
    j.leave('the panel moved from ws://a to ws://b before this ended');
    expect(j.list().find((o) => o.id === open)).toMatchObject({ state: 'unknown', outcome: 'the panel moved from ws://a to ws://b before this ended' });
  });

  it('keeps its texts short, whatever a peer sends', () => {
    const { j, last } = journal();
    const id = j.begin(A, 'CreateWorkspace', { Repository: 'R'.repeat(10_000), Branch: 'Main' });
    j.settle(id, { ok: false, code: 'INVALID_PARAMS', message: 'x'.repeat(100_000) });
    expect(last()?.subject.length).toBe(TEXT_LIMIT);
    expect(last()?.outcome?.length).toBe(TEXT_LIMIT);
  });

  it(`keeps the last ${OPERATIONS_KEPT}, and emits every change`, () => {
    const { j, emitted } = journal();
    for (let i = 0; i < OPERATIONS_KEPT + 5; i++) j.settle(j.begin(A, 'Claim', { Workspace: WS, URI: `FileSystem:/${i}` }), { ok: true, result: { Claims: [] } });
    expect(j.list()).toHaveLength(OPERATIONS_KEPT);
    expect(j.list()[0]?.subject).toBe(WS);
    expect(j.list()[0]?.id).toBe(6);
    expect(emitted).toHaveLength(2 * (OPERATIONS_KEPT + 5));
  });
});
