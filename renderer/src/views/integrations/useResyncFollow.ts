/**
 * A re-sync is followed until each re-synced asset settles, so the operator learns where they clicked whether it went
 * through: "2 tracked, 1 failed again: 1 × timed out after 400 ms". The assets' statuses are read with
 * QueryIntegrationAssets (assetId=in=…) whenever the integration's live figures move (and every few seconds as a
 * fallback for moves an Update folded away), until none of them is Pending.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TIntegrationEntry, TIntegrationStatus } from '../../../../shared/assethub/integrations.ts';
import { dict } from '../../../../shared/dict.ts';
import { groupedReasons } from './syncVerdict.ts';
import { failureOf, queryIntegrationAssets, type Failure } from '../../commands/index.ts';

/** Ids per query (the filter is a list of them). */
const CHUNK = 100;
const FALLBACK_MS = 3000;

export interface ResyncFollow {
  label: string;
  ids: readonly string[];
  phase: 'following' | 'settled' | 'failed';
  tracked: number;
  pending: number;
  /** Failed again, with the reason of its last attempt. */
  again: ReadonlyMap<string, string>;
  error: Failure | null;
}

/** Ids of `ids` that have `status` now, with their reasons. */
async function idsWith(integration: string, status: TIntegrationStatus, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    let cursor: string | undefined;
    do {
      const page = await queryIntegrationAssets({ Integration: integration, Status: status, Filter: `assetId=in=(${ids.slice(i, i + CHUNK).join(',')})`, Cursor: cursor, Limit: 500 });
      for (const a of page.results) out.set(a.assetId, a.reason ?? '');
      cursor = page.pagination.nextCursor ?? undefined;
    } while (cursor);
  }
  return out;
}

/** The ids of every Failed asset of the integration (at most `cap`), all pages. */
export async function failedIds(integration: string, cap = 10_000): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryIntegrationAssets({ Integration: integration, Status: 'Failed', Cursor: cursor, Limit: 500 });
    out.push(...page.results.map((a) => a.assetId));
    cursor = page.pagination.nextCursor ?? undefined;
  } while (cursor && out.length < cap);
  return out;
}

/** "2 tracked, 1 failed again: 1 × timed out after 400 ms" / "following: 3 pending". */
export function followText(f: ResyncFollow): string {
  if (f.phase === 'failed') return `could not be followed: ${f.error?.code ?? ''} ${f.error?.message ?? ''}`.trim();
  const reasons = dict<number>();
  for (const reason of f.again.values()) reasons[reason || 'no reason recorded'] = (reasons[reason || 'no reason recorded'] ?? 0) + 1;
  const parts = [`${f.tracked.toLocaleString('en-US')} tracked`];
  if (f.again.size > 0) parts.push(`${f.again.size.toLocaleString('en-US')} failed again: ${groupedReasons(reasons)}`);
  if (f.pending > 0) parts.push(`${f.pending.toLocaleString('en-US')} pending`);
  return f.phase === 'following' ? `following… ${parts.join(', ')}` : parts.join(', ');
}

export function useResyncFollow(integration: string, entry: TIntegrationEntry) {
  const [follow, setFollow] = useState<ResyncFollow | null>(null);
  const reading = useRef(false);
  // The ids keep their identity while one re-sync is followed: the reads below depend on them, not on each update.
  const following = follow?.phase === 'following' ? follow.ids : null;

  const read = useCallback(async (ids: readonly string[]) => {
    if (reading.current) return;
    reading.current = true;
    try {
      const pending = await idsWith(integration, 'Pending', ids);
      const failed = pending.size === 0 ? await idsWith(integration, 'Failed', ids) : new Map<string, string>();
      const tracked = pending.size === 0 ? (await idsWith(integration, 'Tracked', ids)).size : 0;
      setFollow((now) => (now?.ids !== ids ? now : { ...now, phase: pending.size === 0 ? 'settled' : 'following', pending: pending.size, again: failed, tracked }));
    } catch (error) {
      setFollow((now) => (now?.ids !== ids ? now : { ...now, phase: 'failed', error: failureOf(error) }));
    } finally {
      reading.current = false;
    }
  }, [integration]);

  // Read again whenever the live figures move, and now and then while following.
  const figures = `${entry.Tracked}/${entry.Failed}/${entry.Pending}/${entry.LastDeliveryAt ?? ''}/${entry.LastError ?? ''}`;
  useEffect(() => {
    if (following) void read(following);
  }, [figures, following, read]);
  useEffect(() => {
    if (!following) return;
    const timer = setInterval(() => void read(following), FALLBACK_MS);
    return () => clearInterval(timer);
  }, [following, read]);

  const start = useCallback((label: string, ids: readonly string[]) => {
    setFollow({ label, ids: [...new Set(ids)], phase: 'following', tracked: 0, pending: ids.length, again: new Map(), error: null });
  }, []);
  const dismiss = useCallback(() => setFollow(null), []);
  return { follow, start, dismiss };
}
