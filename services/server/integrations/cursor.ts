/**
 * Stateless cursors for QueryIntegrationAssets, like the catalogue's: `<base64url JSON>.<base64url HMAC>` carrying the
 * query (integration, status, filter text), the last asset id returned and the issue time, signed with a key kept in
 * the integrations database. Older than CURSOR_TTL_MS, altered, or used with another query → CURSOR_EXPIRED.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CURSOR_TTL_MS } from '../../../shared/assethub/catalogue.ts';
import { ServiceFailure } from '../../lib/failure.ts';

export interface IntegrationQuery { integration: string; status: string; filter: string }

const VERSION = 1;
const expired = (why: string): never => {
  throw new ServiceFailure('CURSOR_EXPIRED', `${why}; query again without Cursor`);
};

export class QueryCursor {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number,
  ) {}

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`assethub.integration-cursor.${payload}`).digest();
  }

  issue(state: IntegrationQuery & { after: string }): string {
    const payload = Buffer.from(JSON.stringify([VERSION, state.integration, state.status, state.filter, state.after, this.now()]), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** The asset id the next page starts after. */
  read(token: string, query: IntegrationQuery): string {
    const [payload, signature, extra] = token.split('.');
    if (payload === undefined || signature === undefined || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signature)) {
      return expired('the cursor is malformed: it is not one this server issued');
    }
    const expected = this.sign(payload);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return expired('the cursor\'s signature does not match');
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return expired('the cursor is malformed');
    }
    if (!Array.isArray(body) || body.length !== 6 || body[0] !== VERSION) return expired('the cursor is of another version');
    const [, integration, status, filter, after, issuedAt] = body as unknown[];
    if (typeof after !== 'string' || typeof issuedAt !== 'number') return expired('the cursor is malformed');
    if (integration !== query.integration || status !== query.status || filter !== query.filter) {
      return expired('the cursor belongs to another query (Integration, Status or Filter differ)');
    }
    const age = this.now() - issuedAt;
    if (age > CURSOR_TTL_MS) return expired(`the cursor was issued ${Math.round(age / 1000)} s ago and cursors expire after ${CURSOR_TTL_MS / 1000} s`);
    return after;
  }
}
