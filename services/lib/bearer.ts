/**
 * The bearer token check of the HTTP listeners that take the hub's token: the data plane (services/server/chunks) and
 * the Pixotope Gateway (services/gateway).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * Returns a check of `Authorization` headers; everything passes when no token is configured. Both sides are hashed
 * before the constant-time compare so neither the content nor the length of the token leaks through timing.
 */
export function bearerCheck(token: string | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const expected = digest(token);
  return (authorization) => {
    const given = BEARER.exec(authorization ?? '')?.[1];
    const same = timingSafeEqual(digest(given ?? ''), expected);
    return given !== undefined && same;
  };
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
