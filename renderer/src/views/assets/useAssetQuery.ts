/**
 * The table's query: the first page when the repository, branch or Filters change (or on refresh), further pages of
 * PAGE_SIZE by cursor on request. An answer that comes after the query changed is dropped. An expired cursor runs the
 * query again from the start (see loadMore) and leaves a notice.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TAsset } from '../../../../shared/assethub/catalogue.ts';
import { loadFromStart, loadMore, PAGE_SIZE, type CallFailure, type FetchPage } from './model.ts';
import { failureOf, queryAssets } from '../../commands/index.ts';

export interface AssetQuery { repository: string; branch: string; filters: string }

export interface AssetQueryState {
  /** The query the rows answer (null before the first answer). */
  answered: AssetQuery | null;
  rows: TAsset[];
  nextCursor: string | null;
  loading: 'first' | 'more' | null;
  error: CallFailure | null;
  /** Set after the query had to run again from the start (expired cursor). */
  notice: string | null;
}

const EMPTY: AssetQueryState = { answered: null, rows: [], nextCursor: null, loading: null, error: null, notice: null };

const sameQuery = (a: AssetQuery | null, b: AssetQuery | null) =>
  a !== null && b !== null && a.repository === b.repository && a.branch === b.branch && a.filters === b.filters;

export function useAssetQuery(query: AssetQuery | null) {
  const [state, setState] = useState<AssetQueryState>(EMPTY);
  const generation = useRef(0);
  const current = useRef(state);
  current.current = state;

  const fetcherFor = (q: AssetQuery): FetchPage<TAsset> => async (cursor) => {
    const r = await queryAssets({ Repository: q.repository, Branch: q.branch, Filters: q.filters, Limit: PAGE_SIZE, ...(cursor ? { Cursor: cursor } : {}) });
    return { results: r.results, nextCursor: r.pagination.nextCursor };
  };

  const run = useCallback(async (q: AssetQuery | null, keepRows: boolean) => {
    const gen = ++generation.current;
    if (!q) {
      setState(EMPTY);
      return;
    }
    setState((s) => ({ ...(keepRows && sameQuery(s.answered, q) ? s : EMPTY), loading: 'first', error: null, notice: null }));
    try {
      // A refresh keeps as many rows as were loaded (at least one page).
      const want = keepRows && sameQuery(current.current.answered, q) ? Math.max(PAGE_SIZE, current.current.rows.length) : PAGE_SIZE;
      const loaded = await loadFromStart(fetcherFor(q), want);
      if (gen !== generation.current) return;
      setState({ answered: q, rows: loaded.rows, nextCursor: loaded.nextCursor, loading: null, error: null, notice: null });
    } catch (error) {
      if (gen !== generation.current) return;
      setState({ ...EMPTY, answered: q, error: failureOf(error) });
    }
  }, []);

  const key = query ? `${query.repository}\u0000${query.branch}\u0000${query.filters}` : '';
  useEffect(() => {
    // The key stands for the query's fields: a new object with the same fields is the same query.
    void run(query, false);
  }, [key, run]);

  const more = useCallback(async () => {
    const s = current.current;
    const q = s.answered;
    if (!q || !s.nextCursor || s.loading) return;
    const gen = generation.current;
    setState((x) => ({ ...x, loading: 'more', error: null, notice: null }));
    try {
      const loaded = await loadMore(fetcherFor(q), s.rows, s.nextCursor);
      if (gen !== generation.current) return;
      setState({
        answered: q,
        rows: loaded.rows,
        nextCursor: loaded.nextCursor,
        loading: null,
        error: null,
        notice: loaded.restarted ? 'The server’s cursor had expired (cursors last 10 minutes), so the query ran again from the start.' : null,
      });
    } catch (error) {
      if (gen !== generation.current) return;
      setState((x) => ({ ...x, loading: null, error: failureOf(error) }));
    }
  }, []);

  const refresh = useCallback(() => void run(query, true), [run, query]);
  return { state, more, refresh };
}
