/**
 * Pagination cursors for QueryAssets and QueryRelationships (signed tokens, services/lib/signed-token.ts). A cursor
 * carries the query it belongs to (Call, repository, branch, filter text), the revision range resolved when paging
 * began (positions, so pages stay stable while new commits land), the last URI returned and its issue time.
 */
import { CURSOR_TTL_MS } from '../../../shared/assethub/catalogue.ts';
import { SignedTokens, tokenExpired } from '../../lib/signed-token.ts';

export interface CursorQuery {
  method: 'QueryAssets' | 'QueryRelationships';
  repository: string;
  branch: string;
  filter: string;
}

export interface CursorState extends CursorQuery {
  from: number | null;
  to: number;
  /** The last URI of the page that issued the cursor: the next page starts after it. */
  after: string;
}

export class CursorCodec {
  private readonly tokens: SignedTokens;

  constructor(key: Buffer, now: () => number) {
    this.tokens = new SignedTokens(key, 'assethub.cursor', CURSOR_TTL_MS, now);
  }

  issue(state: CursorState): string {
    return this.tokens.issue([state.method, state.repository, state.branch, state.filter, state.from, state.to, state.after]);
  }

  /** The state of a cursor issued for `query`; CURSOR_EXPIRED (saying why) for anything else. */
  read(token: string, query: CursorQuery): CursorState {
    const [method, repository, branch, filter, from, to, after] = this.tokens.open(token, 7);
    if (
      (method !== 'QueryAssets' && method !== 'QueryRelationships') || typeof repository !== 'string' || typeof branch !== 'string'
      || typeof filter !== 'string' || (from !== null && !Number.isInteger(from)) || !Number.isInteger(to) || typeof after !== 'string'
    ) {
      return tokenExpired('the cursor is malformed');
    }
    if (method !== query.method) return tokenExpired(`the cursor belongs to ${method}, not ${query.method}`);
    const differs = [
      repository !== query.repository ? `Repository "${repository}"` : null,
      branch !== query.branch ? `Branch "${branch}"` : null,
      filter !== query.filter ? `Filters "${filter}"` : null,
    ].filter((d) => d !== null);
    if (differs.length > 0) return tokenExpired(`the cursor belongs to another query (${differs.join(', ')})`);
    return { method, repository, branch, filter, from: from as number | null, to: to as number, after };
  }
}
