/**
 * The browser host's session: a random token that the page must present to open the bridge, and the Origin and Host
 * checks on the upgrade request.
 *
 * How the page presents the token: as a WebSocket subprotocol. The page offers two protocols,
 * `assethub-panel.v1` and `token.<token>`; the host checks the token BEFORE the upgrade (a missing or wrong token gets
 * HTTP 401, a foreign Origin or Host HTTP 403, and no socket is ever opened), then answers with `assethub-panel.v1`
 * only, so the token is never echoed. The token travels in the URL's fragment (`#token=…`), which browsers never send
 * in requests, so it stays out of the HTTP logs and the Referer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const BRIDGE_PATH = '/bridge';
export const BRIDGE_PROTOCOL = 'assethub-panel.v1';
export const TOKEN_PROTOCOL_PREFIX = 'token.';

/** 32 random bytes, base64url: valid as a subprotocol token (RFC 6455 / RFC 7230 tchar). */
export function createSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The page's URL: the token in the fragment. */
export function sessionUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}/#token=${token}`;
}

export const expectedOrigin = (port: number): string => `http://127.0.0.1:${port}`;

/** Constant-time comparison of the presented token with the session's. */
export function tokenMatches(presented: string | null, token: string): boolean {
  if (presented === null) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The protocols a client offered (Sec-WebSocket-Protocol, comma separated). */
export function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  if (typeof raw !== 'string') return [];
  return raw.split(',').map((p) => p.trim()).filter(Boolean);
}

/** The token among the offered protocols, or null. */
export function presentedToken(protocols: readonly string[]): string | null {
  const entry = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry === undefined ? null : entry.slice(TOKEN_PROTOCOL_PREFIX.length);
}

export type UpgradeVerdict = { ok: true } | { ok: false; status: 401 | 403 | 404; reason: string };

/**
 * Decides an upgrade request: the path must be the bridge, the Origin exactly the page's own
 * (`http://127.0.0.1:<port>`; this also defeats DNS rebinding, as does the Host check), and the token right.
 */
export function checkUpgrade(url: string | undefined, headers: IncomingHttpHeaders, port: number, token: string): UpgradeVerdict {
  const pathname = (url ?? '').split('?')[0];
  if (pathname !== BRIDGE_PATH) return { ok: false, status: 404, reason: 'no such endpoint' };
  if (headers.origin !== expectedOrigin(port)) return { ok: false, status: 403, reason: 'foreign origin' };
  if (headers.host !== `127.0.0.1:${port}`) return { ok: false, status: 403, reason: 'foreign host' };
  const protocols = offeredProtocols(headers);
  if (!protocols.includes(BRIDGE_PROTOCOL)) return { ok: false, status: 401, reason: 'missing bridge protocol' };
  if (!tokenMatches(presentedToken(protocols), token)) return { ok: false, status: 401, reason: 'missing or wrong session token' };
  return { ok: true };
}
