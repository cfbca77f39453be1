/**
 * Who may use the Gateway, decided from a request's headers before anything is read or published:
 * - Browsers: a request with an `Origin` is served only when that exact origin was allowed (`--gateway-allow-origin`,
 *   shared/origin.ts), with CORS headers and its preflight answered; any other gets 403. A browser request without
 *   `Origin` (a no-cors GET, e.g. an `<img>` of another site) still carries `Sec-Fetch-Site`: it is refused too, unless
 *   it is `none` (the operator typed or bookmarked the URL, as Pixotope's editor lets them copy it).
 * - DNS rebinding: a Gateway on loopback answers only requests whose `Host` is a loopback name, so a page of
 *   evil.example re-pointed at 127.0.0.1 gets 403.
 * - The token: beyond loopback every request but a preflight needs the hub's token (`Authorization: Bearer`, compared in
 *   constant time), 401 otherwise; the Gateway refuses to start there without one (assertGatewayBinding).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { originAllowed, originRefusal } from '../../shared/origin.ts';
import { bearerCheck } from '../lib/bearer.ts';
import { isLoopbackHost } from '../lib/loopback.ts';
import { StartupError } from '../lib/startup.ts';

export const CORS_METHODS = 'GET, POST, OPTIONS';
export const CORS_HEADERS = 'Content-Type, Authorization';

export type Access =
  | { ok: true; cors: Record<string, string> }
  | { ok: false; status: 401 | 403; reason: string; headers?: Record<string, string> };

export interface AccessPolicy {
  /** The address the Gateway listens on. */
  host: string;
  token?: string;
  allowOrigins: readonly string[];
}

/** Beyond loopback without a token anyone on the network could drive every service: refuse to start. */
export function assertGatewayBinding(host: string, token: string | undefined): void {
  if (!token && !isLoopbackHost(host)) {
    throw new StartupError(`Gateway: refusing to listen on ${host} without the hub's token; set a token (--token or ASSETHUB_TOKEN) or bind to 127.0.0.1`);
  }
}

/** Whether requests need the token: exactly when the Gateway listens beyond loopback. */
export const tokenRequired = (host: string): boolean => !isLoopbackHost(host);

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;

function loopbackHostHeader(header: string | undefined): boolean {
  const name = HOST.exec(header ?? '')?.[1];
  return name !== undefined && isLoopbackHost(name.replace(/\.$/, ''));
}

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Decides a request (`preflight`: an OPTIONS, which carries no token). */
export function accessPolicy(policy: AccessPolicy): (headers: IncomingHttpHeaders, preflight: boolean) => Access {
  const loopback = isLoopbackHost(policy.host);
  const needsToken = tokenRequired(policy.host);
  const tokenMatches = bearerCheck(needsToken ? policy.token : undefined);
  return (headers, preflight) => {
    if (loopback && !loopbackHostHeader(headers.host)) {
      return { ok: false, status: 403, reason: `Host ${JSON.stringify((headers.host ?? '').slice(0, 200))} is not this Gateway's (it listens on loopback)` };
    }
    const origin = one(headers.origin);
    const fetchSite = one(headers['sec-fetch-site']);
    if (origin === undefined && fetchSite !== undefined && fetchSite !== 'none') {
      return { ok: false, status: 403, reason: 'requests from web pages are refused unless their origin is allowed (this one sent none)' };
    }
    if (!originAllowed(origin, policy.allowOrigins)) return { ok: false, status: 403, reason: originRefusal(origin ?? '') };
    const cors: Record<string, string> = origin === undefined ? {} : { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
    if (!preflight && !tokenMatches(one(headers.authorization))) {
      return { ok: false, status: 401, reason: 'this Gateway needs the hub\'s token: Authorization: Bearer <token>', headers: { ...cors, 'WWW-Authenticate': 'Bearer' } };
    }
    return { ok: true, cors };
  };
}

/** The headers of an answered preflight for an allowed origin. */
export function preflightHeaders(cors: Record<string, string>, headers: IncomingHttpHeaders): Record<string, string> {
  return {
    ...cors,
    'Access-Control-Allow-Methods': CORS_METHODS,
    'Access-Control-Allow-Headers': CORS_HEADERS,
    'Access-Control-Max-Age': '600',
    // Chromium asks before a public page may reach a private address (Private Network Access).
    ...(one(headers['access-control-request-private-network']) === 'true' ? { 'Access-Control-Allow-Private-Network': 'true' } : {}),
  };
}
