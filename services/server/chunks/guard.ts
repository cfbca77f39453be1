/**
 * What the data plane refuses before looking at the token, so that a web page cannot use it through the user's browser:
 *
 * - DNS rebinding: a page on evil.example re-pointed at 127.0.0.1 reaches us with `Host: evil.example`. A loopback-bound
 *   data plane accepts only loopback Host names; one bound beyond loopback also accepts the host it was bound to, the
 *   host it advertises (GetStorage) and IP literals, which no DNS answer can rebind.
 * - Cross-site requests: a request carrying `Origin` (or the `Sec-Fetch-Site` browsers add to requests without one)
 *   is refused unless its Origin is configured as allowed; allowed origins get the CORS headers and preflights they
 *   need. Our own clients send neither header.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { isLoopbackHost } from '../../lib/loopback.ts';

export interface RequestGuardOptions {
  /** The address the data plane listens on (default 127.0.0.1). */
  bindHost?: string;
  /** The host name clients are given (GetStorage); accepted in `Host`. */
  advertisedHost?: string;
  /** Origins (`https://tools.example`) whose pages may use the data plane; every other browser request gets 403. */
  allowedOrigins?: readonly string[];
}

export type GuardVerdict =
  | { ok: true; cors: Record<string, string> }
  | { ok: false; reason: string };

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;
const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0']);

/** Lowercase, without brackets or a trailing dot, so `LOCALHOST.` and `[::1]` compare as names. */
const normal = (host: string): string => host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');

export const isWildcardHost = (host: string): boolean => WILDCARDS.has(host.trim());

export const CORS_ALLOWED = {
  methods: 'GET, HEAD, PUT',
  headers: 'Authorization, Content-Type, Content-Range, Range',
  exposed: 'Upload-Offset, ETag, Content-Range, Content-Length, Accept-Ranges',
};

export function requestGuard(options: RequestGuardOptions = {}): (req: IncomingMessage) => GuardVerdict {
  const bind = options.bindHost ?? '127.0.0.1';
  const loopbackOnly = isLoopbackHost(bind);
  const names = new Set([options.advertisedHost, isWildcardHost(bind) ? undefined : bind].filter((h) => h !== undefined).map(normal));
  const origins = new Set(options.allowedOrigins ?? []);

  const hostAllowed = (header: string | undefined): boolean => {
    const match = HOST.exec(header ?? '');
    if (!match?.[1]) return false;
    const name = normal(match[1]);
    if (isLoopbackHost(name)) return true;
    if (loopbackOnly) return false;
    return isIP(name) !== 0 || names.has(name);
  };

  return (req): GuardVerdict => {
    if (!hostAllowed(req.headers.host)) return { ok: false, reason: `Host ${JSON.stringify(req.headers.host ?? '')} is not this data plane's` };
    const origin = req.headers.origin;
    if (origin === undefined && req.headers['sec-fetch-site'] === undefined) return { ok: true, cors: {} };
    if (origin === undefined || !origins.has(origin)) return { ok: false, reason: 'requests from web pages are refused' };
    return { ok: true, cors: { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': CORS_ALLOWED.exposed, Vary: 'Origin' } };
  };
}
