import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useToasts } from '../store/toasts.ts';
import { CommandError } from './failure.ts';
import { CONFIRM_GRACE_MS, PendingSets } from './pending.ts';

/** A Set whose answer the test gives: resolve (the service confirmed) or reject (refused). */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

function sets(timeoutMs = 10_000) {
  const sent: Array<{ key: string; want: boolean; answer: ReturnType<typeof deferred> }> = [];
  const pending = new PendingSets<boolean>(() => ({
    send: (key, want) => {
      const answer = deferred();
      sent.push({ key, want, answer });
      return answer.promise;
    },
    failed: (key, want) => `AutoPull ${want ? 'on' : 'off'} for ${key} failed`,
    timeoutMs,
  }));
  return { pending, sent };
}

const toasts = () => useToasts.getState().toasts.map(({ kind, title, code, message }) => ({ kind, title, code, message }));
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  useToasts.setState({ toasts: [] });
});
afterEach(() => vi.useRealTimers());

describe('a switch pending until the service confirms', () => {
  it('shows the asked value, busy, until confirmed; then until the store shows it', async () => {
    const { pending, sent } = sets();
    void pending.request('A', true);
    expect(sent.map(({ key, want }) => ({ key, want }))).toEqual([{ key: 'A', want: true }]);
    expect(pending.view('A', false)).toEqual({ shown: true, busy: true, pending: true, failure: null });

    sent[0]!.answer.resolve();
    await flush();
    // Confirmed by the service; the store's copy has not caught up: still shown as asked, no longer busy.
    expect(pending.view('A', false)).toEqual({ shown: true, busy: false, pending: true, failure: null });
    // The confirming state arrives.
    expect(pending.view('A', true)).toEqual({ shown: true, busy: false, pending: false, failure: null });
    pending.see('A', true);
    expect(pending.view('A', false).shown).toBe(false);
    expect(toasts()).toEqual([]);
  });

  it('when the store never shows it (changed again elsewhere), it shows the store after a moment', async () => {
    const { pending, sent } = sets();
    void pending.request('A', true);
    sent[0]!.answer.resolve();
    await flush();
    await vi.advanceTimersByTimeAsync(CONFIRM_GRACE_MS - 1);
    expect(pending.view('A', false).shown).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(pending.view('A', false)).toEqual({ shown: false, busy: false, pending: false, failure: null });
  });

  it('a refusal puts back what the service holds, toasts it, and keeps it beside the switch until asked again', async () => {
    const { pending, sent } = sets();
    const outcome = pending.request('STAGE-A /ws', true);
    sent[0]!.answer.reject(new CommandError('SET_REFUSED', 'no workspace "/ws"'));
    await expect(outcome).resolves.toEqual({ code: 'SET_REFUSED', message: 'no workspace "/ws"' });
    expect(pending.view('STAGE-A /ws', false)).toEqual({ shown: false, busy: false, pending: false, failure: { code: 'SET_REFUSED', message: 'no workspace "/ws"' } });
    expect(toasts()).toEqual([{ kind: 'error', title: 'AutoPull on for STAGE-A /ws failed', code: 'SET_REFUSED', message: 'no workspace "/ws"' }]);

    void pending.request('STAGE-A /ws', true);
    expect(pending.view('STAGE-A /ws', false).failure).toBeNull();
  });

  it('no answer within the time limit says so (TIMEOUT) and puts the switch back; a late answer changes nothing', async () => {
    const { pending, sent } = sets(3000);
    const outcome = pending.request('A', false);
    await vi.advanceTimersByTimeAsync(2999);
    expect(pending.view('A', true).busy).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('no confirmation within 3 s') });
    expect(pending.view('A', true)).toMatchObject({ shown: true, busy: false, pending: false });
    expect(toasts()).toEqual([{ kind: 'error', title: 'AutoPull off for A failed', code: 'TIMEOUT', message: expect.stringContaining('no confirmation within 3 s') }]);

    sent[0]!.answer.resolve();
    await flush();
    expect(pending.view('A', true)).toMatchObject({ shown: true, pending: false });
    expect(toasts()).toHaveLength(1);
  });

  it('keys are apart, and a newer request is not ended by an older one’s answer', async () => {
    const { pending, sent } = sets();
    void pending.request('A', true);
    void pending.request('B', false);
    sent[1]!.answer.reject(new CommandError('TIMEOUT', 'engine gave up'));
    await flush();
    expect(pending.view('A', false).busy).toBe(true);
    expect(pending.view('B', true).failure?.code).toBe('TIMEOUT');

    sent[0]!.answer.resolve();
    await flush();
    void pending.request('A', false);
    await vi.advanceTimersByTimeAsync(CONFIRM_GRACE_MS);
    expect(pending.view('A', true)).toMatchObject({ shown: false, busy: true });
  });
});
