/**
 * The two requests a download needs from the data plane (PROTOCOL §4): HEAD for a chunk's size when resuming without
 * the sidecar, and GET from an offset with `Range`. Bodies are handed over as streams, never buffered.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { ChunkHttpError, MAX_CHUNK_BYTES, chunkAgent } from '../../lib/chunks/index.ts';

export interface ChunkSource {
  storageUrl: string;
  token?: string;
  /** Defaults to the data plane's shared keep-alive agent. */
  agent?: http.Agent;
  signal?: AbortSignal;
  /** No byte for this long on a request drops its connection, to be retried; default STALL_MS. */
  stallMs?: number;
}

/** A chunk body that starts at the offset asked for; `total` is the chunk's full size. */
export interface ChunkBody {
  body: IncomingMessage;
  from: number;
  total: number;
}

/** A server answered the Range with something other than the bytes from the offset asked for (200, 416, another range). */
export const RANGE_MISMATCH = 'range-mismatch';

export async function chunkSize(source: ChunkSource, hash: string): Promise<number> {
  const res = await send(source, 'HEAD', hash, {});
  res.resume();
  if (res.statusCode !== 200) throw httpError('HEAD', hash, res, '');
  return checkedSize(parseSize(res.headers['content-length']), hash);
}

/** GETs chunk `hash` from byte `from` (the whole chunk for 0). */
export async function getChunk(source: ChunkSource, hash: string, from: number): Promise<ChunkBody | typeof RANGE_MISMATCH> {
  const res = await send(source, 'GET', hash, from > 0 ? { Range: `bytes=${from}-` } : {});
  try {
    if (res.statusCode === 200 && from === 0) {
      return { body: res, from: 0, total: checkedSize(parseSize(res.headers['content-length']), hash) };
    }
    if (res.statusCode === 206 && from > 0) {
      const range = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/.exec(res.headers['content-range'] ?? '');
      const [start, end, total] = (range ?? []).slice(1).map(Number);
      if (start === from && total !== undefined && end === total - 1) return { body: res, from, total: checkedSize(total, hash) };
    }
  } catch (error) {
    res.destroy();
    throw error;
  }
  if (res.statusCode === 200 || res.statusCode === 206 || res.statusCode === 416) {
    // The kept bytes do not fit this chunk (416: more than it holds) or the server ignored the range: start it over.
    res.destroy();
    return RANGE_MISMATCH;
  }
  throw httpError('GET', hash, res, await readText(res));
}

/** No byte for this long on a chunk request: the connection is dropped (and retried). */
export const STALL_MS = 30_000;

function send(source: ChunkSource, method: string, hash: string, headers: OutgoingHttpHeaders): Promise<IncomingMessage> {
  const url = chunkUrl(source.storageUrl, hash);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      headers: { ...headers, ...(source.token ? { Authorization: `Bearer ${source.token}` } : {}) },
      agent: source.agent ?? chunkAgent(),
      signal: source.signal,
    });
    req.on('error', reject); // stays attached: a socket error after the response must not go unhandled
    req.on('response', resolve);
    // A connection that goes silent (network gone, server hung) fails instead of holding the workspace busy for ever;
    // as ETIMEDOUT, so the download retries it like a dropped connection, also when not even the headers came.
    const stallMs = source.stallMs ?? STALL_MS;
    req.setTimeout(stallMs, () => req.destroy(Object.assign(new Error(`the chunk store sent nothing for ${stallMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.end();
  });
}

function chunkUrl(storageUrl: string, hash: string): string {
  const url = new URL(storageUrl);
  if (url.protocol !== 'http:') throw new TypeError(`the chunk store speaks http:, not ${url.protocol}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/chunks/${hash}`;
}

const parseSize = (value: string | undefined): number | undefined => (value && /^\d{1,16}$/.test(value) ? Number(value) : undefined);

function checkedSize(size: number | undefined, hash: string): number {
  if (size === undefined || !Number.isSafeInteger(size) || size > MAX_CHUNK_BYTES) {
    throw new Error(`the chunk store gave no valid size for chunk ${hash} (at most ${MAX_CHUNK_BYTES} bytes)`);
  }
  return size;
}

function httpError(method: string, hash: string, res: IncomingMessage, text: string): ChunkHttpError {
  return new ChunkHttpError(res.statusCode ?? 0, `${method} chunk ${hash}: ${res.statusCode} ${text.trim()}`.trim());
}

/** A (small) error body as text; the rest is drained so the connection can be reused. */
async function readText(res: IncomingMessage, limit = 2048): Promise<string> {
  let text = '';
  for await (const piece of res as AsyncIterable<Buffer>) if (text.length < limit) text += piece.toString('utf8');
  return text.slice(0, limit);
}
