/**
 * Stateless pagination cursors for QueryAssets and QueryRelationships. A cursor carries the query it belongs to
 * (Call, repository, branch, filter text), the revision range resolved when paging began (positions, so pages stay
 * stable while new commits land), the last URI returned and the time it was issued, signed with HMAC-SHA256 under a
 * key kept in the database. Format: `<base64url JSON>.<base64url HMAC>`. A cursor older than CURSOR_TTL_MS, altered,
 * signed by another key, or used with another query fails with CURSOR_EXPIRED and a message that says which.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CURSOR_TTL_MS } from '../../../shared/assethub/catalogue.ts';
import { ServiceFailure } from '../../lib/failure.ts';

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
  /** Milliseconds since the epoch, by the issuing catalogue's clock. */
  issuedAt: number;
}

const VERSION = 1;
const expired = (message: string): never => {
  throw new ServiceFailure('CURSOR_EXPIRED', message);
};

export class CursorCodec {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number,
  ) {}

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`assethub.cursor.${payload}`).digest();
  }

  issue(state: Omit<CursorState, 'issuedAt'>): string {
    const body = [VERSION, state.method, state.repository, state.branch, state.filter, state.from, state.to, state.after, this.now()];
    const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** The state of a cursor issued for `query`; CURSOR_EXPIRED (saying why) for anything else. */
  read(token: string, query: CursorQuery): CursorState {
    const [payload, signature, extra] = token.split('.');
    if (payload === undefined || signature === undefined || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signature)) {
      return expired('the cursor is malformed: it is not one this server issued; query again without Cursor');
    }
    const expected = this.sign(payload);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return expired('the cursor\'s signature does not match: it was altered or issued by another server; query again without Cursor');
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return expired('the cursor is malformed; query again without Cursor');
    }
    if (!Array.isArray(body) || body[0] !== VERSION || body.length !== 9) return expired('the cursor is of another version; query again without Cursor');
    const [, method, repository, branch, filter, from, to, after, issuedAt] = body as unknown[];
    if (
      (method !== 'QueryAssets' && method !== 'QueryRelationships') || typeof repository !== 'string' || typeof branch !== 'string'
      || typeof filter !== 'string' || (from !== null && !Number.isInteger(from)) || !Number.isInteger(to) || typeof after !== 'string'
      || typeof issuedAt !== 'number'
    ) {
      return expired('the cursor is malformed; query again without Cursor');
    }
    if (method !== query.method) return expired(`the cursor belongs to ${method}, not ${query.method}; query again without Cursor`);
    const differs = [
      repository !== query.repository ? `Repository "${repository}"` : null,
      branch !== query.branch ? `Branch "${branch}"` : null,
      filter !== query.filter ? `Filters "${filter}"` : null,
    ].filter((d) => d !== null);
    if (differs.length > 0) return expired(`the cursor belongs to another query (${differs.join(', ')}); query again without Cursor`);
    const age = this.now() - issuedAt;
    if (age > CURSOR_TTL_MS) {
      return expired(`the cursor was issued ${Math.round(age / 1000)} s ago and cursors expire after ${CURSOR_TTL_MS / 1000} s; query again without Cursor`);
    }
    return { method, repository, branch, filter, from: from as number | null, to: to as number, after, issuedAt };
  }
}
