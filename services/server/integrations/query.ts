/** QueryIntegrationAssets: an integration's records with one status, filtered, a page at a time behind signed cursors. */
import { QUERY_LIMIT_DEFAULT } from '../../../shared/assethub/catalogue.ts';
import type { TIntegrationAsset, TIntegrationStatus } from '../../../shared/assethub/integrations.ts';
import { fail } from '../../lib/failure.ts';
import { assetMatches } from '../catalogue/index.ts';
import { assetFilter } from './config.ts';
import type { QueryCursor } from './cursor.ts';
import type { RecordRow } from './db.ts';
import type { Pipeline } from './pipeline.ts';
import { assetEntry } from './state-view.ts';
import { testsAssetContent } from '../../../shared/rsql/filter.ts';

/** Records looked at per query with selectors beyond assetId (a page may come back short, with a cursor). */
const QUERY_SCAN_BUDGET = 2000;

export interface AssetQuery { Integration: string; Status: TIntegrationStatus; Filter?: string; Cursor?: string; Limit?: number }

export function queryAssets(p: Pipeline, cursors: QueryCursor, q: AssetQuery): {
  pagination: { limit: number; cursor: string | null; nextCursor: string | null };
  results: TIntegrationAsset[];
} {
  const limit = q.Limit ?? QUERY_LIMIT_DEFAULT;
  const filterText = q.Filter ?? '';
  const filter = assetFilter(filterText);
  if (filter.fromRevision !== null || filter.toRevision !== null) {
    fail('INVALID_FILTER', 'Filter: revision selectors do not apply to integration records (they are matched against each asset at its branch head)');
  }
  const query = { integration: q.Integration, status: q.Status, filter: filterText };
  const start = q.Cursor === undefined ? null : cursors.read(q.Cursor, query);
  // assetId clauses narrow the records in SQL; other selectors are matched against each asset at its branch head.
  let ids: string[] | null = null;
  for (const clause of filter.assetIds) ids = ids === null ? [...clause] : ids.filter((id) => clause.includes(id));
  const selectors = testsAssetContent(filter);
  const results: RecordRow[] = [];
  let after = start;
  let more = false;
  if (!selectors) {
    const rows = p.db.page(q.Integration, q.Status, after, limit + 1, ids);
    more = rows.length > limit;
    results.push(...rows.slice(0, limit));
    after = results.at(-1)?.assetId ?? after;
  } else {
    let scanned = 0;
    for (;;) {
      const rows = p.db.page(q.Integration, q.Status, after, 200, ids);
      for (const row of rows) {
        if (results.length === limit) {
          more = true;
          break;
        }
        after = row.assetId;
        scanned++;
        const found = p.catalogue.byId(row.assetId);
        if (found && assetMatches(filter, found.asset)) results.push(row);
      }
      if (more || rows.length < 200) break;
      if (scanned >= QUERY_SCAN_BUDGET) {
        more = true;
        break;
      }
    }
  }
  return {
    pagination: { limit, cursor: q.Cursor ?? null, nextCursor: more && after !== null ? cursors.issue({ ...query, after }) : null },
    results: results.map(assetEntry),
  };
}
