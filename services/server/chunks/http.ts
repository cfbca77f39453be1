/**
 * The data plane's HTTP face: `/chunks/<hash>` with HEAD (is it there, or how much of it), PUT (upload, resumable) and
 * GET (download, with a single Range). Every request carries the hub's bearer token when one is configured.
 *
 * Resumable uploads: a HEAD of a chunk that is not complete answers 404 with `Upload-Offset: <n>`, the bytes already
 * received; the client PUTs the rest with `Content-Range: bytes <n>-<total-1>/<total>`. A PUT that must not be applied
 * (wrong offset, upload already in progress) answers 409 with the current `Upload-Offset`.
 *
 * Before the token, guard.ts refuses (403) foreign Host names and requests from web pages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished, pipeline } from 'node:stream/promises';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { MAX_CHUNK_BYTES, isChunkHash } from '../../lib/chunks/address.ts';
import { bearerCheck } from '../../lib/bearer.ts';
import { CORS_ALLOWED, requestGuard, type RequestGuardOptions } from './guard.ts';
import { parseContentRange, parseLength, parseRange } from '../../lib/chunks/range.ts';
import { ChunkStoreError, type ChunkStore } from './store.ts';

export interface ChunkHandlerOptions extends RequestGuardOptions {
  /** The hub's bearer token; when set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  logger?: Logger;
  /** A PUT whose body stalls this long is dropped (its partial kept), so a dead client cannot hold a chunk's upload. */
  idleTimeoutMs?: number;
}

export type ChunkRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

type Route = { kind: 'chunk'; hash: string } | { kind: 'bad' } | { kind: 'other' };

export const CHUNKS_PREFIX = '/chunks/';

/**
 * Routes on the raw request path, never a decoded or normalised one: `/chunks/../x` or `/chunks/%2e%2e` are simply not
 * addresses (400), and nothing outside `/chunks/` is ours (404).
 */
export function routeChunkRequest(url: string | undefined): Route {
  const pathname = (url ?? '').split(/[?#]/, 1)[0] ?? '';
  if (!pathname.startsWith(CHUNKS_PREFIX)) return { kind: 'other' };
  const hash = pathname.slice(CHUNKS_PREFIX.length);
  return isChunkHash(hash) ? { kind: 'chunk', hash } : { kind: 'bad' };
}

export function createChunkHandler(store: ChunkStore, options: ChunkHandlerOptions = {}): ChunkRequestHandler {
  const log = (options.logger ?? silentLogger()).child({ component: 'chunks' });
  const authorized = bearerCheck(options.token);
  const guard = requestGuard(options);
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = guard(req);
    if (!verdict.ok) {
      log.warn({ method: req.method, host: req.headers.host?.slice(0, 200), origin: req.headers.origin?.slice(0, 200), remote: req.socket.remoteAddress }, verdict.reason);
      return reply(res, 403, verdict.reason);
    }
    for (const [name, value] of Object.entries(verdict.cors)) res.setHeader(name, value);
    // An allowed origin's preflight carries no token; it only learns what it may send.
    if (req.method === 'OPTIONS' && verdict.cors['Access-Control-Allow-Origin'] !== undefined) {
      return reply(res, 204, '', { 'Access-Control-Allow-Methods': CORS_ALLOWED.methods, 'Access-Control-Allow-Headers': CORS_ALLOWED.headers, 'Access-Control-Max-Age': '600' });
    }
    if (!authorized(req.headers.authorization)) {
      log.warn({ method: req.method, url: req.url?.slice(0, 200), remote: req.socket.remoteAddress }, 'chunk request without a valid token');
      return reply(res, 401, 'a valid bearer token is required', { 'WWW-Authenticate': 'Bearer' });
    }
    const route = routeChunkRequest(req.url);
    if (route.kind === 'other') return reply(res, 404, 'not found');
    if (route.kind === 'bad') {
      log.debug({ method: req.method, url: req.url?.slice(0, 200) }, 'not a chunk address');
      return reply(res, 400, 'a chunk address is 64 lowercase hex digits');
    }
    switch (req.method) {
      case 'HEAD':
      case 'GET':
        return read(req, res, route.hash);
      case 'PUT':
        return upload(req, res, route.hash);
      default:
        return reply(res, 405, 'method not allowed', { Allow: 'GET, HEAD, PUT' });
    }
  }

  async function read(req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> {
    const headers = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', ETag: `"${hash}"` };
    // A HEAD is how an upload asks whether the chunk is there: a yes keeps it from collection until the commit.
    const chunk = req.method === 'HEAD' ? await store.refresh(hash) : await store.openRead(hash);
    if (chunk === undefined) {
      const offset = await store.partialSize(hash);
      return reply(res, 404, 'no such chunk', { 'Upload-Offset': String(offset) });
    }
    if (typeof chunk === 'number') {
      res.writeHead(200, { ...headers, 'Content-Length': chunk });
      res.end();
      return;
    }
    let streaming = false;
    try {
      const range = parseRange(req.headers.range, chunk.size);
      if (range.kind === 'unsatisfiable') {
        return reply(res, 416, 'range not satisfiable', { 'Content-Range': `bytes */${chunk.size}` });
      }
      const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, chunk.size - 1];
      res.writeHead(range.kind === 'partial' ? 206 : 200, {
        ...headers,
        'Content-Length': end - start + 1,
        ...(range.kind === 'partial' ? { 'Content-Range': `bytes ${start}-${end}/${chunk.size}` } : {}),
      });
      if (end < start) {
        res.end();
        return;
      }
      streaming = true;
      const stream = chunk.handle.createReadStream({ start, end, highWaterMark: 256 * 1024 });
      try {
        await pipeline(stream, res);
      } catch (error) {
        // The usual cause is a client that went away mid-download; it resumes with a Range.
        log.debug({ hash, err: error }, 'chunk download ended early');
      }
    } finally {
      // A read stream closes the handle itself; otherwise close it here.
      if (!streaming) await chunk.handle.close();
    }
  }

  async function upload(req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> {
    const length = parseLength(req.headers['content-length']);
    if (length === undefined || req.headers['transfer-encoding'] !== undefined) {
      return reply(res, 400, 'a chunk upload needs a Content-Length (and no Transfer-Encoding)');
    }
    let offset = 0;
    let total = length;
    const rangeHeader = req.headers['content-range'];
    if (rangeHeader !== undefined) {
      const range = parseContentRange(rangeHeader);
      if (!range) return reply(res, 400, 'Content-Range must be "bytes <start>-<end>/<total>" or "bytes */<total>"');
      if (range.total > MAX_CHUNK_BYTES) return tooLarge(res, range.total);
      const carried = range.end === undefined ? 0 : range.end - range.start + 1;
      if (carried !== length) return reply(res, 400, `Content-Range announces ${carried} bytes but Content-Length is ${length}`);
      offset = range.start;
      total = range.total;
    }
    if (total > MAX_CHUNK_BYTES) return tooLarge(res, total);

    // A stalled body is dropped: the store keeps what arrived, and the address is free for the client's next attempt.
    req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no upload data for ${idleTimeoutMs} ms`)));
    try {
      const result = await store.write(hash, req, { offset, total });
      switch (result.status) {
        case 'stored':
          log.debug({ hash, size: result.size, resumedFrom: offset }, 'chunk stored');
          return reply(res, 201, 'stored', { ETag: `"${hash}"` });
        case 'exists':
          await drain(req);
          return reply(res, 200, 'already stored', { ETag: `"${hash}"` });
        case 'partial':
          // A segment short of the end: accepted, and the client continues from Upload-Offset.
          return reply(res, 204, 'segment accepted', { 'Upload-Offset': String(result.received) });
        case 'interrupted':
          log.debug({ hash, received: result.received, err: result.error }, 'chunk upload interrupted; partial kept');
          res.destroy();
          return;
      }
    } catch (error) {
      if (!(error instanceof ChunkStoreError)) throw error;
      log.warn({ hash, code: error.code, offset, total }, error.message);
      switch (error.code) {
        case 'BUSY':
        case 'OFFSET_MISMATCH':
          return reply(res, 409, error.message, { 'Upload-Offset': String(error.partialSize ?? 0) });
        case 'HASH_MISMATCH':
          return reply(res, 422, error.message);
        case 'TOO_LARGE':
          return tooLarge(res, total);
        case 'BAD_RANGE':
        case 'TOO_LONG':
          return reply(res, 400, error.message);
      }
    } finally {
      if (!req.socket.destroyed) req.socket.setTimeout(0);
    }
  }

  /** 413, and the connection is closed rather than reading a body that may be of any size. */
  function tooLarge(res: ServerResponse, total: number): void {
    log.warn({ total }, 'chunk upload too large');
    reply(res, 413, `a chunk holds at most ${MAX_CHUNK_BYTES} bytes, not ${total}`, { Connection: 'close' });
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.warn({ method: req.method, url: req.url?.slice(0, 200), err: error }, 'chunk request failed');
      if (!res.headersSent) reply(res, 500, 'internal error');
      else res.destroy();
    });
  };
}

/**
 * Sends a small plain-text answer. A request body not read by then is discarded by Node (or the connection closed,
 * for `Connection: close`), so the keep-alive connection stays usable.
 */
function reply(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  if (status === 204) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads and discards a request body; a client that leaves meanwhile is not an error worth reporting. */
async function drain(req: IncomingMessage): Promise<void> {
  req.resume();
  await finished(req).catch(() => undefined);
}
