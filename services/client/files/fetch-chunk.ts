/**
 * One chunk's download into the partial at its offset, verified against its address while it is written. A dropped
 * connection or a server error is retried with backoff, continuing with a Range from the bytes already written; a
 * continuation that does not add up (the server ignored the Range, or the result does not hash) starts the chunk over.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChunkHttpError } from '../../lib/chunks/index.ts';
import { RANGE_MISMATCH, getChunk, type ChunkSource } from './chunk-source.ts';
import { IntegrityError } from './errors.ts';
import type { Layout } from './layout.ts';

export interface FetchContext {
  /** Its signal aborts when the caller aborts or another chunk of the file failed. */
  source: ChunkSource & { signal: AbortSignal };
  handle: FileHandle;
  layout: Layout;
  uri: string;
  /** The file's size: no chunk may reach beyond it. */
  size: number;
  /** Further attempts after failures in a row without progress. */
  retries: number;
  onBytes(n: number): void;
}

/** Bytes of a chunk gathered before a write. */
const WRITE_BYTES = 1 << 20;

/** Continuations of one chunk that found the bytes kept unusable; more than this means something is broken. */
const MAX_RESTARTS = 3;

const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Downloads chunk `index` (address `address`) into place; resolves once it is written and verified. */
export async function fetchChunk(context: FetchContext, index: number, address: string): Promise<void> {
  const { source, handle, layout, retries } = context;
  const { signal } = source;
  let written = 0;
  let hash = createHash('sha256');
  let restarts = 0;
  let failures = 0;
  const startOver = (why: string) => {
    if (++restarts > MAX_RESTARTS) throw new IntegrityError(`chunk ${address} of ${context.uri} could not be resumed: ${why}`);
    written = 0;
    hash = createHash('sha256');
  };
  for (;;) {
    signal.throwIfAborted();
    const before = written;
    try {
      const got = await getChunk(source, address, written);
      if (got === RANGE_MISMATCH) {
        startOver('the store did not answer the Range');
        continue;
      }
      let offset: number;
      try {
        layout.setSize(index, got.total);
        offset = await layout.offsetOf(index, signal);
        if (offset + got.total > context.size) throw new IntegrityError(`the chunks of ${context.uri} hold more than its ${context.size} bytes`);
      } catch (error) {
        got.body.destroy();
        throw error;
      }
      // Pieces arrive at the socket's size (~64 KiB); they are written a MiB at a time, which takes a sixteenth of the
      // thread-pool round trips. What arrived is written even when the body then fails: a retry continues after it.
      const pending: Buffer[] = [];
      let buffered = 0;
      const flush = async () => {
        const at = offset + written;
        const { bytesWritten } = await handle.writev(pending, at); // no copy; a short write (rare) finishes below
        if (bytesWritten < buffered) await writeAt(handle, Buffer.concat(pending, buffered).subarray(bytesWritten), at + bytesWritten);
        written += buffered;
        pending.length = 0;
        buffered = 0;
      };
      try {
        for await (const piece of got.body as AsyncIterable<Buffer>) {
          hash.update(piece);
          pending.push(piece);
          buffered += piece.length;
          context.onBytes(piece.length);
          if (buffered >= WRITE_BYTES) await flush();
        }
      } finally {
        if (buffered > 0) await flush();
      }
      if (written !== got.total) {
        throw Object.assign(new Error(`chunk ${address} ended after ${written} of ${got.total} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      }
      if (hash.digest('hex') === address) return;
      if (got.from === 0) throw new IntegrityError(`the bytes served for chunk ${address} do not match its address`);
      startOver('the continued chunk does not match its address');
      continue;
    } catch (error) {
      if (error instanceof IntegrityError || signal.aborted || !retryable(error)) throw error;
      // The budget counts failures in a row: an attempt that made progress earns a fresh one.
      failures = written > before ? 1 : failures + 1;
      if (failures > retries) throw error;
    }
    await sleep(Math.min(2000, 100 * 2 ** failures), undefined, { signal });
  }
}

/** Positional write of all of `piece` (the partial is written at several offsets at once). */
async function writeAt(handle: FileHandle, piece: Buffer, position: number): Promise<void> {
  for (let at = 0; at < piece.length; ) at += (await handle.write(piece, at, piece.length - at, position + at)).bytesWritten;
}

function retryable(error: unknown): boolean {
  if (error instanceof ChunkHttpError) return error.status === 409 || error.status >= 500;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
}
