import { afterEach, describe, expect, it, vi } from 'vitest';
import { usePanel } from '../store/panel.ts';
import { CommandError } from './failure.ts';
import { pull, setWorkspaceAutoPull } from './client.ts';
import { countAssets, queryIntegrationAssets } from './server.ts';

/** The panel API as the command layer sees it: what was sent, and the answer or refusal given. */
function answer(result: Promise<unknown>) {
  const invoke = vi.fn(() => result);
  usePanel.setState({ invoke: invoke as never });
  return invoke;
}

const original = usePanel.getState().invoke;
afterEach(() => usePanel.setState({ invoke: original }));

describe('commands: params and results from the shared schemas', () => {
  it('sends a Call to the service it names, its params as typed (undefined fields left out)', async () => {
    const invoke = answer(Promise.resolve({ Started: true }));
    await expect(pull('STAGE-A-AssetHubClient', { Workspace: '/ws', UpTo: undefined })).resolves.toEqual({ Started: true });
    expect(invoke).toHaveBeenCalledWith('call', { service: 'STAGE-A-AssetHubClient', method: 'Pull', params: { Workspace: '/ws' } });

    answer(Promise.resolve({ Count: 42 }));
    await expect(countAssets({ Repository: 'R', Branch: 'Main' })).resolves.toEqual({ Count: 42 });
  });

  it('an answer that does not match the method is INVALID_ANSWER, naming the method and where', async () => {
    answer(Promise.resolve({ Count: -1 }));
    const error = await countAssets({ Repository: 'R', Branch: 'Main' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ code: 'INVALID_ANSWER', message: expect.stringMatching(/^CountAssets answered something this panel cannot read \(Count: /) });

    answer(Promise.resolve({ pagination: { limit: 1, cursor: null, nextCursor: null }, results: [{ assetId: 7 }] }));
    await expect(queryIntegrationAssets({ Integration: 'I', Status: 'Failed' })).rejects.toMatchObject({
      code: 'INVALID_ANSWER',
      message: expect.stringContaining('(results.0.'),
    });
  });

  it('a refusal keeps the service code, whichever host carried it', async () => {
    answer(Promise.reject(Object.assign(new Error('NOT_AT_HEAD: pull first'), { code: 'NOT_AT_HEAD' })));
    await expect(pull('C', { Workspace: '/ws' })).rejects.toMatchObject({ code: 'NOT_AT_HEAD', message: 'pull first' });
  });

  it('a Set goes to the state path of the setting it names', async () => {
    const invoke = answer(Promise.resolve({}));
    await setWorkspaceAutoPull('STAGE-A-AssetHubClient', '/ws', true);
    expect(invoke).toHaveBeenCalledWith('set', { service: 'STAGE-A-AssetHubClient', path: ['State', 'Workspaces', '/ws', 'AutoPull'], value: true });
  });

  it('a Call the service does not offer is refused without being sent, with the reason', async () => {
    const invoke = answer(Promise.resolve({ Started: true }));
    const before = usePanel.getState().data;
    const offer = { source: 'documented' as const, methods: [], states: ['State'], reason: 'no answer to GetCapabilities' };
    const entry = { name: 'C', kind: 'client' as const, machine: null, online: true, lastSeen: 1, version: null, startedAt: null, error: null, offer };
    usePanel.setState({ data: { ...(before ?? { connection: { state: 'connected', hubUrl: '', panelName: 'p', since: 0 }, host: null as never, states: {}, operations: [], seq: 0 }), services: { C: entry } } as never });
    try {
      await expect(pull('C', { Workspace: '/ws' })).rejects.toMatchObject({ code: 'NOT_OFFERED', message: expect.stringContaining("C does not offer Pull: it offers Pixotope's documented protocol only (no answer to GetCapabilities)") });
      expect(invoke).not.toHaveBeenCalled();
    } finally {
      usePanel.setState({ data: before });
    }
  });
});
