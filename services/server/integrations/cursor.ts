/**
 * Pagination cursors for QueryIntegrationAssets (signed tokens, services/lib/signed-token.ts): the query (integration,
 * status, filter text), the last asset id returned and the issue time.
 */
import { CURSOR_TTL_MS } from '../../../shared/assethub/catalogue.ts';
import { SignedTokens, tokenExpired } from '../../lib/signed-token.ts';

export interface IntegrationQuery { integration: string; status: string; filter: string }

export class QueryCursor {
  private readonly tokens: SignedTokens;

  constructor(key: Buffer, now: () => number) {
    this.tokens = new SignedTokens(key, 'assethub.integration-cursor', CURSOR_TTL_MS, now);
  }

  issue(state: IntegrationQuery & { after: string }): string {
    return this.tokens.issue([state.integration, state.status, state.filter, state.after]);
  }

  /** The asset id the next page starts after. */
  read(token: string, query: IntegrationQuery): string {
    const [integration, status, filter, after] = this.tokens.open(token, 4);
    if (typeof after !== 'string') return tokenExpired('the cursor is malformed');
    if (integration !== query.integration || status !== query.status || filter !== query.filter) {
      return tokenExpired('the cursor belongs to another query (Integration, Status or Filter differ)');
    }
    return after;
  }
}
