/** Reading a request body within a limit, and writing the Gateway's answers (JSON, with the CORS headers given). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** On every answer of the Gateway: never sniffed as another type, never cached (it is a live reply). */
export const ANSWER_HEADERS: Readonly<Record<string, string>> = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

export type Body = { ok: true; text: string } | { ok: false; reason: string; tooLarge: boolean };

/**
 * The body as UTF-8 text, at most `maxBytes`: past that (or a Content-Length announcing more) reading stops and the
 * answer says so; the connection is closed after the answer (Connection: close) rather than drained.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  return new Promise((resolve) => {
    const tooLarge = (): Body => ({ ok: false, reason: `the body is over ${maxBytes} bytes`, tooLarge: true });
    const announced = Number(req.headers['content-length']);
    if (Number.isFinite(announced) && announced > maxBytes) {
      req.pause();
      resolve(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const end = (body: Body): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        end(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => end({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', (error) => end({ ok: false, reason: `the request broke off (${error.message})`, tooLarge: false }));
    req.on('close', () => end({ ok: false, reason: 'the request broke off', tooLarge: false }));
  });
}

/** Sends `body` as JSON text (already encoded) with `status`. Closes the connection when `close` (a body left unread). */
export function sendJson(res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(json)),
    ...ANSWER_HEADERS,
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(json);
}

/** An error answer: `{"Error": "<reason>"}`. */
export function sendError(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}, close = false): void {
  sendJson(res, status, JSON.stringify({ Error: reason }), headers, close);
}
