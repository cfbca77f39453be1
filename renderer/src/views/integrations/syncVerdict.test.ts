import { describe, expect, it } from 'vitest';
import { SyncProgress, type TSyncProgress } from '../../../../shared/assethub/integrations.ts';
import { groupedReasons, sinceSync, syncVerdict } from './syncVerdict.ts';

const sync = (over: Partial<TSyncProgress>): TSyncProgress => SyncProgress.parse({
  Running: false, Current: 40, Total: 40, Progress: 1, StartedAt: '2026-01-01T00:00:00.000Z', Outcome: 'Completed',
  Delivered: 40, Failed: 0, Pending: 0, FailedReasons: {}, ...over,
});

describe('syncVerdict', () => {
  it('is green only when every asset it sent is tracked', () => {
    expect(syncVerdict(sync({}))).toEqual({ tone: 'ok', headline: 'Completed', detail: 'all 40 tracked' });
  });
  it('counts failures with their reasons, most frequent first, and is not green', () => {
    const v = syncVerdict(sync({ Delivered: 28, Failed: 12, FailedReasons: { 'HTTP 500': 2, 'timed out after 400 ms': 10 } }));
    expect(v).toEqual({ tone: 'bad', headline: 'Completed with failures', detail: '28 tracked · 12 failed: 10 × timed out after 400 ms, 2 × HTTP 500' });
  });
  it('says nothing was delivered when every send failed', () => {
    expect(syncVerdict(sync({ Delivered: 0, Failed: 40, FailedReasons: { 'request failed: ECONNREFUSED': 40 } })))
      .toEqual({ tone: 'bad', headline: 'Nothing delivered', detail: '40 failed: 40 × request failed: ECONNREFUSED' });
  });
  it('is neutral while some of its assets are pending', () => {
    expect(syncVerdict(sync({ Delivered: 37, Pending: 3 })).tone).toBe('pending');
  });
  it('a cancelled one says how far it got and what was not sent', () => {
    expect(syncVerdict(sync({ Outcome: 'Cancelled', Current: 10, Delivered: 10 }))).toEqual({ tone: 'warn', headline: 'Cancelled', detail: '10 of 40 sent · 10 tracked · 30 not sent' });
  });
  it('groups reasons keyed by any name', () => {
    expect(groupedReasons(SyncProgress.shape.FailedReasons.parse(JSON.parse('{"__proto__": 2, "b": 3}')))).toBe('3 × b, 2 × __proto__');
  });
});

describe('sinceSync', () => {
  it('says nothing while the end of a Sync all is still the picture', () => {
    expect(sinceSync(sync({}), { Tracked: 40, Failed: 0, Pending: 0 })).toBeNull();
    expect(sinceSync(sync({ Delivered: 38, Failed: 2, FailedReasons: { x: 2 } }), { Tracked: 38, Failed: 2, Pending: 0 })).toBeNull();
  });
  it('says what the integration says now once retries delivered what it left pending', () => {
    expect(sinceSync(sync({ Delivered: 37, Pending: 3 }), { Tracked: 40, Failed: 0, Pending: 0 }))
      .toEqual({ tone: 'ok', text: 'Now, after later retries and re-syncs: 40 tracked · 0 failed' });
  });
  it('and once a re-sync healed some of its failures, with the worst tone of what is left', () => {
    expect(sinceSync(sync({ Delivered: 37, Failed: 3, FailedReasons: { x: 3 } }), { Tracked: 38, Failed: 1, Pending: 1 }))
      .toEqual({ tone: 'bad', text: 'Now, after later retries and re-syncs: 38 tracked · 1 failed · 1 pending' });
  });
});
