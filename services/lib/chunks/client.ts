/**
 * The data plane's client: upload and download single chunks, resuming where an earlier attempt stopped.
 * Uploads ask first (HEAD) how much the server already holds; downloads continue a destination file that already holds
 * a prefix with a Range request. Both verify SHA-256 end to end, and both retry a few times on a dropped connection,
 * a busy chunk or a server error, each retry resuming rather than starting over.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_CHUNK_BYTES, assertChunkHash } from './address.ts';
import { HashTap, hashFileInto, sha256File } from './digest.ts';
import { parseContentRange, parseLength } from './range.ts';

/** A chunk's bytes: a slice of a file, or a stream factory that can start anywhere in the chunk. */
export type ChunkBody =
  | { path: string; offset?: number; length: number }
  | { length: number; open: (from: number) => Readable };

/** A chunk's bytes held in memory (a push reads each chunk once, then uploads it from that buffer). */
export const bytesBody = (bytes: Uint8Array): ChunkBody => ({ length: bytes.length, open: (from) => Readable.from([bytes.subarray(from)]) });

export interface TransferOptions {
  /** Defaults to a shared keep-alive agent. */
  agent?: http.Agent;
  /** Further attempts after a dropped connection, a busy chunk (409) or a 5xx; default 3. */
  retries?: number;
  signal?: AbortSignal;
}

export interface UploadResult {
  status: 'stored' | 'exists';
  /** Where the last PUT started in the chunk (0: the whole chunk); undefined when the server already had it. */
  resumedFrom: number | undefined;
}

export interface DownloadResult {
  size: number;
  /** Bytes of the destination that were kept from an earlier attempt. */
  resumedFrom: number;
}

export class ChunkHttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ChunkHttpError';
    this.status = status;
  }
}

/** The bytes do not hash to the address. `resumed`: a kept prefix may be the culprit, so starting over can help. */
export class ChunkIntegrityError extends Error {
  readonly resumed: boolean;
  constructor(message: string, resumed: boolean) {
    super(message);
    this.name = 'ChunkIntegrityError';
    this.resumed = resumed;
  }
}

let sharedAgent: http.Agent | undefined;
/** One keep-alive agent for the process, made on first use: consecutive chunks reuse their connections. */
export function chunkAgent(): http.Agent {
  sharedAgent ??= new http.Agent({ keepAlive: true, maxSockets: 8 });
  return sharedAgent;
}

export async function uploadChunk(
  baseUrl: string, token: string | undefined, hash: string, body: ChunkBody, options: TransferOptions = {},
): Promise<UploadResult> {
  assertChunkHash(hash);
  if (!Number.isSafeInteger(body.length) || body.length < 0 || body.length > MAX_CHUNK_BYTES) {
    throw new RangeError(`a chunk holds 0..${MAX_CHUNK_BYTES} bytes, not ${body.length}`);
  }
  let restarted = false;
  return withRetries(options, async () => {
    const put = { from: 0 };
    try {
      return await uploadOnce(chunkUrl(baseUrl, hash), token, body, options, put);
    } catch (error) {
      // 422 after a resume: the server's partial was bad and is gone now, so one fresh upload is worth trying.
      if (error instanceof ChunkHttpError && error.status === 422 && put.from > 0 && !restarted) {
        restarted = true;
        throw new RetryNow(error);
      }
      throw error;
    }
  });
}

async function uploadOnce(
  url: string, token: string | undefined, body: ChunkBody, options: TransferOptions, put: { from: number },
): Promise<UploadResult> {
  const head = await send(url, 'HEAD', authorization(token), options);
  head.resume();
  if (head.statusCode === 200) return { status: 'exists', resumedFrom: undefined };
  if (head.statusCode !== 404) throw new ChunkHttpError(head.statusCode ?? 0, `HEAD ${url}: ${head.statusCode}`);
  const offered = parseLength(headerText(head.headers['upload-offset'])) ?? 0;
  // An offset beyond our length means the server's partial is not ours to continue: a fresh upload replaces it.
  const from = offered <= body.length ? offered : 0;
  put.from = from;

  const headers: OutgoingHttpHeaders = {
    ...authorization(token),
    'Content-Type': 'application/octet-stream',
    'Content-Length': body.length - from,
  };
  if (from > 0) headers['Content-Range'] = from === body.length ? `bytes */${body.length}` : `bytes ${from}-${body.length - 1}/${body.length}`;
  const res = await send(url, 'PUT', headers, options, from < body.length ? openBody(body, from) : undefined);
  const text = await readText(res);
  if (res.statusCode === 201) return { status: 'stored', resumedFrom: from };
  if (res.statusCode === 200) return { status: 'exists', resumedFrom: from };
  throw new ChunkHttpError(res.statusCode ?? 0, `PUT ${url} from ${from}: ${res.statusCode} ${text.trim()}`);
}

export async function downloadChunk(
  baseUrl: string, token: string | undefined, hash: string, destPath: string, options: TransferOptions = {},
): Promise<DownloadResult> {
  assertChunkHash(hash);
  let restarted = false;
  return withRetries(options, async () => {
    try {
      return await downloadOnce(chunkUrl(baseUrl, hash), token, hash, destPath, options);
    } catch (error) {
      // The destination was deleted; a kept prefix that was wrong deserves one download from scratch.
      if (error instanceof ChunkIntegrityError && error.resumed && !restarted) {
        restarted = true;
        throw new RetryNow(error);
      }
      throw error;
    }
  });
}

async function downloadOnce(url: string, token: string | undefined, hash: string, destPath: string, options: TransferOptions): Promise<DownloadResult> {
  const have = (await fileSize(destPath)) ?? 0;
  const res = await send(url, 'GET', { ...authorization(token), ...(have > 0 ? { Range: `bytes=${have}-` } : {}) }, options);
  if (res.statusCode === 416) {
    // The destination already holds at least the whole chunk: either it is complete, or it is wrong.
    res.resume();
    if ((await sha256File(destPath)) === hash) return { size: have, resumedFrom: have };
    await rm(destPath, { force: true });
    throw new ChunkIntegrityError(`${destPath} held ${have} bytes that are not chunk ${hash}`, true);
  }
  let from: number;
  if (res.statusCode === 200) from = 0;
  else if (res.statusCode === 206) {
    const range = parseContentRange(headerText(res.headers['content-range']) ?? '');
    if (range?.start !== have) {
      res.destroy();
      throw new ChunkHttpError(206, `GET ${url}: answered a range other than the one asked for`);
    }
    from = have;
  } else {
    throw new ChunkHttpError(res.statusCode ?? 0, `GET ${url}: ${res.statusCode} ${(await readText(res)).trim()}`);
  }

  const hasher = createHash('sha256');
  if (from > 0) await hashFileInto(hasher, destPath, from);
  const tap = new HashTap(hasher, MAX_CHUNK_BYTES - from);
  await pipeline(res, tap, createWriteStream(destPath, from > 0 ? { flags: 'r+', start: from } : { flags: 'w' }));
  if (hasher.digest('hex') !== hash) {
    await rm(destPath, { force: true });
    throw new ChunkIntegrityError(`the ${from + tap.bytes} bytes downloaded to ${destPath} are not chunk ${hash}`, from > 0);
  }
  return { size: from + tap.bytes, resumedFrom: from };
}

/** Signals a retry that does not count against the budget (a deliberate fresh start). */
class RetryNow extends Error {
  readonly reason: Error;
  constructor(reason: Error) {
    super(reason.message);
    this.reason = reason;
  }
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

function retryable(error: unknown): boolean {
  if (error instanceof ChunkHttpError) return error.status === 409 || error.status >= 500;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
}

async function withRetries<T>(options: TransferOptions, attempt: () => Promise<T>): Promise<T> {
  const retries = options.retries ?? 3;
  for (let failures = 0; ; ) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof RetryNow) continue;
      if (failures >= retries || !retryable(error) || options.signal?.aborted) throw error;
      failures++;
    }
    // Backoff: a busy chunk usually frees up within the other upload's lifetime; a dead server is not hammered.
    await sleep(Math.min(2000, 100 * 2 ** failures), undefined, { signal: options.signal });
  }
}

/**
 * Sends a request and resolves with the response. The body (if any) is piped in; its errors and the socket's surface
 * through the request's 'error', and a response that arrives first (e.g. a 409 before the whole body was sent) wins.
 */
/** No byte for this long on a chunk request: the connection is dropped. */
const STALL_MS = 30_000;

function send(url: string, method: string, headers: OutgoingHttpHeaders, options: TransferOptions, body?: Readable): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: options.agent ?? chunkAgent(), signal: options.signal });
    req.on('error', reject); // kept attached: a late socket error after the response must not go unhandled
    req.on('response', resolve);
    // A connection that goes silent (network gone, server hung) fails and is retried instead of hanging for ever.
    req.setTimeout(STALL_MS, () => req.destroy(new Error(`the chunk store sent nothing for ${STALL_MS / 1000} s`)));
    if (body) pipeline(body, req).catch(() => undefined);
    else req.end();
  });
}

function openBody(body: ChunkBody, from: number): Readable {
  if ('open' in body) return body.open(from);
  const base = body.offset ?? 0;
  return createReadStream(body.path, { start: base + from, end: base + body.length - 1, highWaterMark: 1 << 20 });
}

/** Reads a (small) response body as text, keeping at most `limit` characters but always draining the rest. */
async function readText(res: IncomingMessage, limit = 4096): Promise<string> {
  let text = '';
  for await (const piece of res as AsyncIterable<Buffer>) if (text.length < limit) text += piece.toString('utf8');
  return text.slice(0, limit);
}

function chunkUrl(baseUrl: string, hash: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:') throw new TypeError(`the chunk client speaks http:, not ${url.protocol}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/chunks/${hash}`;
}

const authorization = (token: string | undefined): OutgoingHttpHeaders => (token ? { Authorization: `Bearer ${token}` } : {});

const headerText = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
