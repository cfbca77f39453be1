import { beforeEach, describe, expect, it } from 'vitest';
import { useToasts } from '../store/toasts.ts';
import { attempt, CommandError, failureOf, submit, toastFailure } from './failure.ts';

const toasts = () => useToasts.getState().toasts.map(({ kind, title, code, message }) => ({ kind, title, code, message }));

beforeEach(() => useToasts.setState({ toasts: [] }));

describe('failure → toast', () => {
  it('reads the code and message of every kind of rejection', () => {
    expect(failureOf(new CommandError('SET_REFUSED', 'no workspace "/x"'))).toEqual({ code: 'SET_REFUSED', message: 'no workspace "/x"' });
    // The bridge's PanelApiError: its own code; a message that repeats it loses the prefix.
    expect(failureOf(Object.assign(new Error('TIMEOUT: no answer'), { code: 'TIMEOUT' }))).toEqual({ code: 'TIMEOUT', message: 'no answer' });
    // Electron's IPC keeps only the text.
    expect(failureOf(new Error('NOTHING_TO_PUSH: there are no local changes'))).toEqual({ code: 'NOTHING_TO_PUSH', message: 'there are no local changes' });
    expect(failureOf({ code: 'UNPROCESSABLE', message: '2 invalid entries' })).toEqual({ code: 'UNPROCESSABLE', message: '2 invalid entries' });
    expect(failureOf('boom')).toEqual({ code: 'ERROR', message: 'boom' });
  });

  it('toasts a failure with what failed as its title, the code and the message, and hands it back', () => {
    const failure = toastFailure('Push of STAGE-A Show refused', new CommandError('CLAIMED_BY_OTHER', 'a changed asset is claimed by STAGE-B'));
    expect(failure).toEqual({ code: 'CLAIMED_BY_OTHER', message: 'a changed asset is claimed by STAGE-B' });
    expect(toasts()).toEqual([{ kind: 'error', title: 'Push of STAGE-A Show refused', code: 'CLAIMED_BY_OTHER', message: 'a changed asset is claimed by STAGE-B' }]);
  });

  it('attempt: a refusal is one error toast and an error result; a success its own toast, or none', async () => {
    const refused = await attempt(Promise.reject(new CommandError('BUSY', 'already pulling')), { failure: 'Pull of STAGE-A Show refused', success: 'Pull started' });
    expect(refused).toEqual({ ok: false, error: { code: 'BUSY', message: 'already pulling' } });
    expect(toasts()).toEqual([{ kind: 'error', title: 'Pull of STAGE-A Show refused', code: 'BUSY', message: 'already pulling' }]);

    useToasts.setState({ toasts: [] });
    const started = await attempt(Promise.resolve({ Total: 3 }), { failure: 'x', success: (r) => ({ title: 'Sync all started', message: `${r.Total} to send` }) });
    expect(started).toEqual({ ok: true, value: { Total: 3 } });
    expect(toasts()).toEqual([{ kind: 'success', title: 'Sync all started', code: undefined, message: '3 to send' }]);

    useToasts.setState({ toasts: [] });
    await attempt(Promise.resolve(1), { failure: 'x' });
    expect(toasts()).toEqual([]);
  });

  it('submit: a form gets the refusal to show inline, or runs what follows a success', async () => {
    let done = 0;
    expect(await submit(Promise.reject(new CommandError('REPOSITORY_ALREADY_EXISTS', 'taken')), { failure: 'Repository not created' }, () => done++)).toEqual({
      code: 'REPOSITORY_ALREADY_EXISTS',
      message: 'taken',
    });
    expect(done).toBe(0);
    expect(await submit(Promise.resolve({ Commit: 'c1' }), { failure: 'x' }, () => done++)).toBeNull();
    expect(done).toBe(1);
  });
});
