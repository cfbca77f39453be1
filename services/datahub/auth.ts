/** Who may connect: loopback-only binding without a token, and a bearer token checked before the WebSocket upgrade. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isLoopbackHost } from '../lib/loopback.ts';
import { StartupError } from '../lib/startup.ts';

/** A hub others can reach without a token would let anyone on the network drive every service: refuse to start. */
export function assertSafeBinding(host: string, token: string | undefined): void {
  if (token === undefined && !isLoopbackHost(host)) {
    throw new StartupError(
      `DataHub: refusing to listen on ${host} without a token; set a token (Authorization: Bearer) or bind to 127.0.0.1`,
    );
  }
}

/**
 * Constant-time token check. Both sides are hashed first so timingSafeEqual always gets equal-length buffers and the
 * comparison time reveals neither the token nor its length.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const m = authorization === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  const given = m?.[1] ?? '';
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  // Evaluate the comparison even when the header is missing, so both paths cost the same.
  const same = timingSafeEqual(digest(given), digest(token));
  return m !== null && same;
}

export const isAuthorized = (req: IncomingMessage, token: string | undefined): boolean =>
  token === undefined || bearerMatches(req.headers.authorization, token);

/** Answers an upgrade request with a plain HTTP error and closes the socket, before any WebSocket exists. */
export function refuseUpgrade(socket: Duplex, status: 401 | 400 | 403 | 503, reason: string): void {
  const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  // Destroy once the response is flushed, or soon anyway: a client that does not read must not hold the socket open.
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.once('finish', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
