/**
 * Stateless, tamper-proof tokens (the pagination cursors of the catalogue and of the integrations): `<base64url JSON
 * array>.<base64url HMAC-SHA256>` under a key the service keeps in its database, so a token survives a restart. The
 * array starts with a purpose-bound version and ends with the issue time; a token older than its time to live, altered,
 * signed by another key or of another kind fails with CURSOR_EXPIRED and a message that says which.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ServiceFailure } from './failure.ts';

const AGAIN = 'query again without Cursor';
export const tokenExpired = (why: string): never => {
  throw new ServiceFailure('CURSOR_EXPIRED', `${why}; ${AGAIN}`);
};

export class SignedTokens {
  constructor(
    private readonly key: Buffer,
    /** Signed into every token, so a token of one kind is never accepted as another. */
    private readonly purpose: string,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`${this.purpose}.${payload}`).digest();
  }

  issue(fields: readonly unknown[]): string {
    const payload = Buffer.from(JSON.stringify([1, ...fields, this.now()]), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** The fields of a token this service issued within the time to live, with their count checked. */
  open(token: string, count: number): unknown[] {
    const [payload, signature, extra] = token.split('.');
    if (payload === undefined || signature === undefined || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signature)) {
      return tokenExpired('the cursor is malformed: it is not one this server issued');
    }
    const expected = this.sign(payload);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return tokenExpired('the cursor\'s signature does not match: it was altered or issued by another server');
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return tokenExpired('the cursor is malformed');
    }
    if (!Array.isArray(body) || body[0] !== 1 || body.length !== count + 2) return tokenExpired('the cursor is of another version');
    const issuedAt = body.at(-1);
    if (typeof issuedAt !== 'number') return tokenExpired('the cursor is malformed');
    const age = this.now() - issuedAt;
    if (age > this.ttlMs) return tokenExpired(`the cursor was issued ${Math.round(age / 1000)} s ago and cursors expire after ${this.ttlMs / 1000} s`);
    return body.slice(1, -1);
  }
}
