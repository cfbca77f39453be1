/**
 * The catalogue's Calls on AssetHubServer (docs/PROTOCOL.md §6): QueryAssets, QueryRelationships, ExportAssets and
 * ImportAssets, and this project's CountAssets and CheckFilter (check.ts), for server.ts to merge into its `calls`.
 */
import { CALLS } from '../../../shared/assethub/calls.ts';
import { IMPORT_CALL_MAX_BYTES, QUERY_LIMIT_DEFAULT } from '../../../shared/assethub/catalogue.ts';
import { compileFilter, type CompiledFilter, type FilterTarget } from '../../../shared/rsql/filter.ts';
import type { RevisionRange } from '../../../shared/rsql/revisions.ts';
import { ServiceFailure } from '../../lib/failure.ts';
import type { Branch, ServerStore } from '../store.ts';
import { checkFilter } from './check.ts';
import { CursorCodec, type CursorQuery } from './cursor.ts';
import type { Catalogue } from './index.ts';
import { exportAssets, importAssets } from './transfer.ts';

type Server = (typeof CALLS)['server'];
type P<M extends keyof Server> = ReturnType<Server[M]['params']['parse']>;

interface Paged<T> { pagination: { limit: number; cursor: string | null; nextCursor: string | null }; results: T[]; errors: string[] }

function compiledFilters(text: string, target: FilterTarget): CompiledFilter {
  const compiled = compileFilter(text, target);
  if (!compiled.ok) throw new ServiceFailure('INVALID_FILTER', `Filters: ${compiled.error.message}`);
  return compiled.value;
}

export function catalogueCalls(store: ServerStore, catalogue: Catalogue) {
  const cursors = new CursorCodec(catalogue.cursorKey(), () => catalogue.clock());

  /** Shared by both queries: filter, range (fresh or from the cursor), one page of limit+1 to know if more follow. */
  function query<T>(
    method: CursorQuery['method'],
    p: P<'QueryAssets'>,
    page: (branch: Branch, range: RevisionRange, filter: CompiledFilter, after: string | null, limit: number) => Array<{ item: T; uri: string }>,
  ): Paged<T> {
    const branch = store.branch(p.Repository, p.Branch);
    const filterText = p.Filters ?? '';
    const limit = p.Limit ?? QUERY_LIMIT_DEFAULT;
    const cursorQuery: CursorQuery = { method, repository: p.Repository, branch: p.Branch, filter: filterText };
    const state = p.Cursor === undefined ? null : cursors.read(p.Cursor, cursorQuery);
    const compiled = compiledFilters(filterText, method === 'QueryAssets' ? 'assets' : 'relationships');
    const range = state ? { from: state.from, to: state.to } : catalogue.resolve(branch, compiled);
    const rows = page(branch, range, compiled, state?.after ?? null, limit + 1);
    const results = rows.slice(0, limit);
    const last = results.at(-1);
    const nextCursor = rows.length > limit && last !== undefined
      ? cursors.issue({ ...cursorQuery, from: range.from, to: range.to, after: last.uri })
      : null;
    return { pagination: { limit, cursor: p.Cursor ?? null, nextCursor }, results: results.map((r) => r.item), errors: [] };
  }

  return {
    CountAssets: {
      params: CALLS.server.CountAssets.params,
      handler: (p: P<'CountAssets'>) => catalogue.read(() => {
        const branch = store.branch(p.Repository, p.Branch);
        const filter = compiledFilters(p.Filters ?? '', 'assets');
        return { Count: catalogue.count(branch, catalogue.resolve(branch, filter), filter) };
      }),
    },
    QueryAssets: {
      params: CALLS.server.QueryAssets.params,
      handler: (p: P<'QueryAssets'>) => catalogue.read(() =>
        query('QueryAssets', p, (...a) => catalogue.page(...a).map((asset) => ({ item: asset, uri: asset.uri })))),
    },
    QueryRelationships: {
      params: CALLS.server.QueryRelationships.params,
      // Relationships are ordered (and paged) by their child's uri.
      handler: (p: P<'QueryRelationships'>) => catalogue.read(() =>
        query('QueryRelationships', p, (...a) => catalogue.keyedRelationshipPage(...a).map((r) => ({ item: r.relationship, uri: r.uri })))),
    },
    ExportAssets: {
      params: CALLS.server.ExportAssets.params,
      handler: async (p: P<'ExportAssets'>) => ({ Document: await exportAssets(store, catalogue, p) }),
    },
    ImportAssets: {
      params: CALLS.server.ImportAssets.params,
      // A document is one import, all or nothing, so it may be as large as an export (and the Call around it);
      // decoding it is the only work not done in slices (importAssets), ~50 ms at that size.
      maxBytes: IMPORT_CALL_MAX_BYTES,
      handler: (p: P<'ImportAssets'>) => importAssets(store, catalogue, p.Document),
    },
    CheckFilter: {
      params: CALLS.server.CheckFilter.params,
      handler: (p: P<'CheckFilter'>) => catalogue.read(() => checkFilter(store, p)),
    },
  };
}
