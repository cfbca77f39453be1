// Settling a batch without a database: settle() is given the records as they are and returns what to write; each
// rule it applies has a case here.
import { expect, it } from 'vitest';
import type { TAsset } from '../../../shared/assethub/catalogue.ts';
import type { Batch, Member } from './batch.ts';
import type { DeliveredItem, PostOutcome } from './contract.ts';
import type { RecordRow } from './db.ts';
import { ATTEMPTS_KEPT } from './schema.ts';
import { NO_ITEM, settle, type RetryPolicy } from './settle.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const ISO = new Date(NOW).toISOString();
const POLICY: RetryPolicy = { MaxAttempts: 3, InitialDelayMs: 1000, Multiplier: 2 };

const asset = (id: string, revisionId = 'c2'): TAsset => ({ id, uri: `FileSystem:/${id}`, revisionId, name: id }) as unknown as TAsset;

const record = (assetId: string, over: Partial<RecordRow> = {}): RecordRow => ({
  assetId, repository: 'R', branch: 'Main', uri: `FileSystem:/${assetId}`, status: 'Pending', action: 'sync', force: false, workSeq: 1,
  integrationState: null, assetStateHash: null, contentHash: null, revisionId: 'c1', lastSyncedAt: null, attempts: 0, dueAt: NOW - 1,
  reason: null, deliveryId: null, pendingAsset: null, attemptLog: '[]', ...over,
});

const member = (assetId: string, rec: RecordRow | null, over: Partial<Member> = {}): Member => ({
  assetId, repository: 'R', branch: 'Main', uri: `FileSystem:/${assetId}`, action: 'sync', asset: asset(assetId), record: rec, hash: `hash-${assetId}`, ...over,
});

const batch = (kind: Batch['kind'], members: Member[]) => ({ kind, deliveryId: 'd-1', members });

/** The records as they are now: each member's own (unchanged since the batch was built), unless `now` says otherwise. */
const current = (members: readonly Member[], now: Record<string, RecordRow | null> = {}): Map<string, RecordRow> => {
  const out = new Map<string, RecordRow>();
  for (const m of members) {
    const r = m.assetId in now ? now[m.assetId] : m.record;
    if (r) out.set(m.assetId, r);
  }
  return out;
};

const item = (id: string): [string, DeliveredItem] => [id, { integrationState: `{"id":"${id}"}`, assetStateHash: `state-${id}` }];
const delivered = (...ids: string[]): PostOutcome => ({ ok: true, httpStatus: 200, items: new Map(ids.map(item)), response: '{"Items":[]}' });
const failed = (reason = 'HTTP 500: boom'): PostOutcome => ({ ok: false, httpStatus: 500, reason, response: 'boom' });

const logOf = (r: RecordRow | undefined) => JSON.parse(r?.attemptLog ?? '[]') as Array<{ at: string; deliveryId: string; httpStatus: number | null; error: string | null; response: string | null }>;

it('a delivered asset is Tracked with its Item, its attempt counted and logged, no work left', () => {
  const m = member('a', record('a', { attempts: 1, reason: 'HTTP 500', deliveryId: 'd-1', force: true }));
  const s = settle(batch('records', [m]), delivered('a'), current([m]), POLICY, NOW);
  expect(s.deletes).toEqual([]);
  expect(s.writes).toEqual([{
    ...m.record, status: 'Tracked', action: 'sync', force: false, integrationState: '{"id":"a"}', assetStateHash: 'state-a', contentHash: 'hash-a',
    revisionId: 'c2', lastSyncedAt: ISO, attempts: 2, dueAt: null, reason: null, deliveryId: null, pendingAsset: null, attemptLog: s.writes[0]?.attemptLog,
  }]);
  expect(logOf(s.writes[0])).toEqual([{ at: ISO, deliveryId: 'd-1', httpStatus: 200, error: null, response: null }]);
  expect(s.tally).toEqual([{ kind: 'delivered' }]);
  expect(s.delivery).toEqual({ at: ISO, error: null });
});

it('a failed asset with attempts left is Pending again, due after InitialDelayMs × Multiplier^(attempts−1); a batch failed as a whole keeps its delivery id', () => {
  const first = member('a', record('a'));
  const second = member('b', record('b', { attempts: 1 }));
  const s = settle(batch('records', [first, second]), failed(), current([first, second]), POLICY, NOW);
  const [a, b] = s.writes;
  expect(a).toMatchObject({ status: 'Pending', attempts: 1, dueAt: NOW + 1000, reason: 'HTTP 500: boom', deliveryId: 'd-1', revisionId: 'c2' });
  expect(b).toMatchObject({ status: 'Pending', attempts: 2, dueAt: NOW + 2000, reason: 'HTTP 500: boom', deliveryId: 'd-1' });
  expect(logOf(a)).toEqual([{ at: ISO, deliveryId: 'd-1', httpStatus: 500, error: 'HTTP 500: boom', response: 'boom' }]);
  expect(s.tally).toEqual([{ kind: 'pending' }, { kind: 'pending' }]);
  expect(s.delivery).toEqual({ at: null, error: 'HTTP 500: boom' });
});

it('the last attempt fails the asset for good, with its reason and no due time', () => {
  const m = member('a', record('a', { attempts: 2, deliveryId: 'd-1' }));
  const s = settle(batch('records', [m]), failed('timed out after 300 ms'), current([m]), POLICY, NOW);
  expect(s.writes[0]).toMatchObject({ status: 'Failed', attempts: 3, dueAt: null, reason: 'timed out after 300 ms', deliveryId: null });
  expect(s.tally).toEqual([{ kind: 'failed', reason: 'timed out after 300 ms' }]);
});

it('per-item errors: assets the response has no Item for fail alone (retried one by one), the others are delivered', () => {
  const members = ['a', 'b', 'c'].map((id) => member(id, record(id)));
  const s = settle(batch('records', members), delivered('a', 'c'), current(members), POLICY, NOW);
  expect(s.writes.map((r) => [r.assetId, r.status, r.reason, r.deliveryId])).toEqual([
    ['a', 'Tracked', null, null], ['b', 'Pending', NO_ITEM, null], ['c', 'Tracked', null, null],
  ]);
  expect(s.writes[1]?.dueAt).toBe(NOW + 1000);
  expect(logOf(s.writes[1])[0]).toMatchObject({ httpStatus: 200, error: NO_ITEM, response: '{"Items":[]}' });
  expect(s.delivery).toEqual({ at: ISO, error: NO_ITEM });
});

it('a Sync all batch counts attempts from its own send and forces its records; each asset is a tally item', () => {
  const members = [
    member('new', null),
    member('old', record('old', { status: 'Failed', attempts: 2, reason: 'x', dueAt: null })),
    member('ok', record('ok', { status: 'Tracked', attempts: 4, integrationState: '{}', dueAt: null })),
  ];
  const s = settle(batch('stream', members), delivered('ok'), current(members), { ...POLICY, MaxAttempts: 1 }, NOW);
  expect(s.writes.find((r) => r.assetId === 'new')).toMatchObject({
    status: 'Failed', attempts: 1, force: true, workSeq: 0, revisionId: 'c2', reason: NO_ITEM, integrationState: null,
  });
  expect(s.writes.find((r) => r.assetId === 'old')).toMatchObject({ status: 'Failed', attempts: 1, force: true, reason: NO_ITEM });
  expect(s.writes.find((r) => r.assetId === 'ok')).toMatchObject({ status: 'Tracked', attempts: 1, force: false });
  expect(s.tally).toEqual([{ kind: 'failed', reason: NO_ITEM }, { kind: 'failed', reason: NO_ITEM }, { kind: 'delivered' }]);
  // With retries left a Sync all's failure is pending, and a whole failed request has no reason-less tally.
  const again = settle(batch('stream', [member('n2', null)]), failed(), new Map(), POLICY, NOW);
  expect(again.writes[0]).toMatchObject({ status: 'Pending', attempts: 1, force: true, deliveryId: 'd-1', dueAt: NOW + 1000 });
  expect(again.tally).toEqual([{ kind: 'pending' }]);
});

it('stale work: a record whose work_seq moved while the batch was out keeps its new work; only the delivery and the attempt are noted', () => {
  const m = member('a', record('a', { workSeq: 1 }));
  const requeued = record('a', { workSeq: 2, revisionId: 'c3', dueAt: NOW + 5, force: true, attemptLog: '[{"at":"x"}]' });
  const ok = settle(batch('records', [m]), delivered('a'), current([m], { a: requeued }), POLICY, NOW);
  expect(ok.writes).toEqual([{
    ...requeued, integrationState: '{"id":"a"}', assetStateHash: 'state-a', contentHash: 'hash-a', lastSyncedAt: ISO, attemptLog: ok.writes[0]?.attemptLog,
  }]);
  expect(logOf(ok.writes[0]).map((l) => l.at)).toEqual(['x', ISO]);
  expect(ok.tally).toEqual([{ kind: 'pending' }]);
  const bad = settle(batch('records', [m]), failed(), current([m], { a: requeued }), POLICY, NOW);
  expect(bad.writes).toEqual([{ ...requeued, attemptLog: bad.writes[0]?.attemptLog }]);
  expect(bad.tally).toEqual([{ kind: 'pending' }]);
  // A new asset of a Sync all page queued by a commit meanwhile (it had no record when the batch was built).
  const fresh = settle(batch('stream', [member('n', null)]), failed(), new Map([['n', record('n')]]), POLICY, NOW);
  expect(fresh.writes).toEqual([{ ...record('n'), attemptLog: fresh.writes[0]?.attemptLog }]);
});

it('a record removed while its batch was out stays removed', () => {
  const m = member('a', record('a'));
  for (const outcome of [delivered('a'), failed()]) {
    const s = settle(batch('records', [m]), outcome, current([m], { a: null }), POLICY, NOW);
    expect(s.writes).toEqual([]);
    expect(s.deletes).toEqual([]);
    expect(s.tally).toEqual([]);
  }
});

it('a delivered `deleted` removes the record (unless new work came meanwhile); a failed one keeps what it must send again', () => {
  const gone = asset('a', 'c1');
  const rec = record('a', { action: 'deleted', integrationState: '{}', pendingAsset: '{"id":"a"}' });
  const m = member('a', rec, { action: 'deleted', asset: gone, hash: '' });
  const ok = settle(batch('records', [m]), delivered('a'), current([m]), POLICY, NOW);
  expect(ok).toMatchObject({ writes: [], deletes: ['a'], tally: [] });
  const requeued = { ...rec, workSeq: 2, action: 'sync' as const };
  const raced = settle(batch('records', [m]), delivered('a'), current([m], { a: requeued }), POLICY, NOW);
  expect(raced.deletes).toEqual([]);
  expect(raced.writes).toEqual([{ ...requeued, integrationState: null, assetStateHash: null, contentHash: null, attemptLog: raced.writes[0]?.attemptLog }]);
  const bad = settle(batch('records', [m]), failed(), current([m]), POLICY, NOW);
  expect(bad.writes[0]).toMatchObject({ status: 'Pending', action: 'deleted', pendingAsset: '{"id":"a"}', revisionId: 'c1' });
  const unsaved = member('b', record('b', { action: 'deleted', integrationState: '{}' }), { action: 'deleted', asset: asset('b', 'c1'), hash: '' });
  expect(JSON.parse(settle(batch('records', [unsaved]), failed(), current([unsaved]), POLICY, NOW).writes[0]?.pendingAsset ?? 'null')).toMatchObject({ id: 'b' });
});

it('the attempt log keeps the last ATTEMPTS_KEPT attempts', () => {
  const older = Array.from({ length: ATTEMPTS_KEPT }, (_, i) => ({ at: `t${i}` }));
  const m = member('a', record('a', { attemptLog: JSON.stringify(older) }));
  const s = settle(batch('records', [m]), failed(), current([m]), { ...POLICY, MaxAttempts: 20 }, NOW);
  const log = logOf(s.writes[0]);
  expect(log).toHaveLength(ATTEMPTS_KEPT);
  expect(log[0]?.at).toBe('t1');
  expect(log.at(-1)?.at).toBe(ISO);
});

it('a batch with nothing sent leaves the delivery info alone', () => {
  expect(settle(batch('stream', []), delivered(), new Map(), POLICY, NOW)).toEqual({ writes: [], deletes: [], tally: [], delivery: null });
});
