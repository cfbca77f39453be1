/**
 * One status list of one integration, paged by cursor (QueryIntegrationAssets): the first page on open, more on
 * "Load more". The list is a reading taken at a moment; `basis` is what the server's live figures were when it was
 * taken. When they move on, a list of one page is read again by itself (at most every REFRESH_MS, never over an
 * operator's pending action); a longer list is marked stale instead, because reading many pages again under the
 * operator's eyes would move what they are looking at.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TIntegrationAsset, TIntegrationStatus } from '../../../../shared/assethub/integrations.ts';
import { failureOf, queryIntegrationAssets, type Failure } from '../../commands/index.ts';

export const PAGE_SIZE = 100;
/** A one-page list follows the live figures at most this often. */
export const REFRESH_MS = 1500;

export interface PagesState {
  items: TIntegrationAsset[];
  nextCursor: string | null;
  /** idle: not read yet; loading: the first page is on its way. */
  phase: 'idle' | 'loading' | 'ready' | 'error';
  loadingMore: boolean;
  /** Why the first page could not be read. */
  error: Failure | null;
  /** Why the last "Load more" failed (CURSOR_EXPIRED: read again from the start). */
  moreError: Failure | null;
  pages: number;
  /** The live figures when the list was read. */
  basis: string | null;
  /** When the first page was asked for (ms). */
  readAt: number | null;
}

const EMPTY: PagesState = { items: [], nextCursor: null, phase: 'idle', loadingMore: false, error: null, moreError: null, pages: 0, basis: null, readAt: null };

export interface Pages {
  state: PagesState;
  /** The live figures moved on since the list was read, and it was not read again by itself. */
  stale: boolean;
  reload(): void;
  loadMore(): void;
}

/**
 * `signature` is the integration's live figures as text: when it changes the list may be out of date. `hold` stops
 * the automatic re-read (an action of the operator is on its way; the list is read again after it).
 */
export function usePages(integration: string, status: TIntegrationStatus, filter: string, signature: string, hold: boolean): Pages {
  const [state, setState] = useState<PagesState>(EMPTY);
  const generation = useRef(0);
  const latest = useRef({ signature, state });
  latest.current = { signature, state };

  const reload = useCallback(() => {
    const gen = ++generation.current;
    const basis = latest.current.signature;
    setState((s) => ({ ...s, phase: 'loading', error: null, moreError: null, loadingMore: false, basis, readAt: Date.now() }));
    queryIntegrationAssets({ Integration: integration, Status: status, Filter: filter || undefined, Limit: PAGE_SIZE }).then(
      (result) => {
        if (gen !== generation.current) return;
        setState((s) => ({ ...s, items: result.results, nextCursor: result.pagination.nextCursor, phase: 'ready', pages: 1 }));
      },
      (error: unknown) => {
        if (gen !== generation.current) return;
        setState((s) => ({ ...s, items: [], nextCursor: null, phase: 'error', error: failureOf(error), pages: 0 }));
      },
    );
  }, [integration, status, filter]);

  const loadMore = useCallback(() => {
    const { state: s } = latest.current;
    if (!s.nextCursor || s.loadingMore || s.phase !== 'ready') return;
    const gen = generation.current;
    const cursor = s.nextCursor;
    setState((x) => ({ ...x, loadingMore: true, moreError: null }));
    queryIntegrationAssets({ Integration: integration, Status: status, Filter: filter || undefined, Cursor: cursor, Limit: PAGE_SIZE }).then(
      (result) => {
        if (gen !== generation.current) return;
        setState((x) => {
          // Assets may move between pages while they are read: never list one twice.
          const seen = new Set(x.items.map((i) => i.assetId));
          const fresh = result.results.filter((i) => !seen.has(i.assetId));
          return { ...x, items: [...x.items, ...fresh], nextCursor: result.pagination.nextCursor, loadingMore: false, pages: x.pages + 1 };
        });
      },
      (error: unknown) => {
        if (gen !== generation.current) return;
        setState((x) => ({ ...x, loadingMore: false, moreError: failureOf(error) }));
      },
    );
  }, [integration, status, filter]);

  // A new integration, status or filter: read from the start.
  useEffect(() => {
    setState(EMPTY);
    reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  // Follow the live figures: a one-page list is read again (throttled); a longer one is shown as stale.
  const follow = state.phase === 'ready' && state.pages <= 1 && !state.loadingMore && !hold;
  const moved = state.basis !== null && state.basis !== signature;
  useEffect(() => {
    if (!follow || !moved) return;
    const since = Date.now() - (latest.current.state.readAt ?? 0);
    const timer = setTimeout(reload, Math.max(0, REFRESH_MS - since));
    return () => clearTimeout(timer);
  }, [follow, moved, signature, reload]);

  return { state, stale: moved && state.phase === 'ready' && state.pages > 1, reload, loadMore };
}
