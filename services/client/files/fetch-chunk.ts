/**
 * One chunk's download into the partial at its offset, verified against its address. A dropped connection or a
 * server error is retried with backoff, continuing with a Range from the bytes already written; a continuation that
 * does not add up (the server ignored the Range, or the result does not hash) starts the chunk over.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { chunkBuffers } from '../../lib/chunks/chunk-buffers.ts';
import { chunkHashPool } from '../../lib/chunks/hash-pool.ts';
import { ChunkHttpError } from '../../lib/chunks/index.ts';
import { RANGE_MISMATCH, getChunk, type ChunkBody, type ChunkSource } from './chunk-source.ts';
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

/** Bytes of a streamed chunk gathered before a write. */
const WRITE_BYTES = 1 << 20;

/** Continuations of one chunk that found the bytes kept unusable; more than this means something is broken. */
const MAX_RESTARTS = 3;

const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Downloads chunk `index` (address `address`) into place; resolves once it is written and verified. */
export async function fetchChunk(context: FetchContext, index: number, address: string): Promise<void> {
  const { source, layout, retries } = context;
  const { signal } = source;
  // The chunk's first `written` bytes are in the partial, written by this call: a retry continues after them.
  const progress: Progress = { written: 0 };
  let restarts = 0;
  let failures = 0;
  const startOver = (why: string) => {
    if (++restarts > MAX_RESTARTS) throw new IntegrityError(`chunk ${address} of ${context.uri} could not be resumed: ${why}`);
    progress.written = 0;
  };
  for (;;) {
    signal.throwIfAborted();
    const before = progress.written;
    try {
      const got = await getChunk(source, address, progress.written);
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
      const hash = await receive(context, got, offset, address, progress);
      if (progress.written !== got.total) {
        throw Object.assign(new Error(`chunk ${address} ended after ${progress.written} of ${got.total} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      }
      if (hash === address) return;
      if (got.from === 0) throw new IntegrityError(`the bytes served for chunk ${address} do not match its address`);
      startOver('the continued chunk does not match its address');
      continue;
    } catch (error) {
      if (error instanceof IntegrityError || signal.aborted || !retryable(error)) throw error;
      // The budget counts failures in a row: an attempt that made progress earns a fresh one.
      failures = progress.written > before ? 1 : failures + 1;
      if (failures > retries) throw error;
    }
    await sleep(Math.min(2000, 100 * 2 ** failures), undefined, { signal });
  }
}

interface Progress {
  /** Bytes of the chunk in the partial from its start, written by this call. */
  written: number;
}

/**
 * Receives the body after the `got.from` bytes already written, writes what arrives (also when the body then fails:
 * a retry continues after it) and answers the SHA-256 of the whole chunk once all of it is in, else undefined.
 *
 * Into a shared chunk buffer when one is free, so the chunk is hashed on a pool thread, off this one; when none is
 * (a push or another pull in this process holds them), streamed and hashed here as it arrives. Never waiting for a
 * buffer: the response is open by now, and a socket left unread for STALL_MS is dropped (chunk-source.ts) with an
 * error that is not retried; it also means a download never holds one thing while waiting for another (no deadlock).
 */
async function receive(context: FetchContext, got: ChunkBody, offset: number, address: string, progress: Progress): Promise<string | undefined> {
  const buffers = chunkBuffers();
  const buffer = buffers.tryTake();
  if (buffer && got.total <= buffer.length) {
    try {
      return await receiveBuffered(context, got, offset, address, progress, buffer);
    } finally {
      buffers.give(buffer);
    }
  }
  if (buffer) buffers.give(buffer);
  return receiveStreamed(context, got, offset, address, progress);
}

/**
 * The chunk gathered in `buffer` (the prefix kept by an earlier attempt is read back into it from the partial, which
 * is in the page cache), then hashed on a pool thread while the new bytes go to disk in one positional write.
 */
async function receiveBuffered(
  context: FetchContext, got: ChunkBody, offset: number, address: string, progress: Progress, buffer: Buffer,
): Promise<string | undefined> {
  const { handle } = context;
  try {
    await readExactly(handle, buffer.subarray(0, got.from), offset);
  } catch (error) {
    got.body.destroy();
    throw error;
  }
  let filled = got.from;
  let failure: { error: unknown } | undefined;
  try {
    for await (const piece of got.body as AsyncIterable<Buffer>) {
      if (filled + piece.length > got.total) throw tooLong(address, got.total);
      piece.copy(buffer, filled);
      filled += piece.length;
      context.onBytes(piece.length);
    }
  } catch (error) {
    failure = { error }; // the loop destroyed the body on its way out
  }
  // Posted before the write, so the thread hashes while libuv writes. Both settle before the buffer is given back
  // (allSettled: a failed write must not hand the buffer on while a thread still reads it); the hash never rejects.
  const hashing = failure || filled !== got.total ? undefined : chunkHashPool().hash(buffer.subarray(0, filled));
  const writing = writeAt(handle, buffer.subarray(progress.written, filled), offset + progress.written);
  const [wrote, hashed] = await Promise.allSettled([writing, hashing]);
  if (wrote.status === 'rejected') throw wrote.reason;
  progress.written = filled;
  if (failure) throw failure.error;
  return hashed.status === 'fulfilled' ? hashed.value : undefined;
}

/**
 * The chunk hashed here as it arrives and written a MiB at a time (pieces come at the socket's size, ~64 KiB: a
 * sixteenth of the thread-pool round trips); a kept prefix is hashed first, read back from the partial.
 */
async function receiveStreamed(context: FetchContext, got: ChunkBody, offset: number, address: string, progress: Progress): Promise<string | undefined> {
  const { handle } = context;
  const hash = createHash('sha256');
  try {
    for (let at = 0; at < got.from; ) {
      const piece = Buffer.allocUnsafe(Math.min(WRITE_BYTES, got.from - at));
      await readExactly(handle, piece, offset + at);
      hash.update(piece);
      at += piece.length;
    }
  } catch (error) {
    got.body.destroy();
    throw error;
  }
  const pending: Buffer[] = [];
  let buffered = 0;
  const flush = async () => {
    const at = offset + progress.written;
    const { bytesWritten } = await handle.writev(pending, at); // no copy; a short write (rare) finishes below
    if (bytesWritten < buffered) await writeAt(handle, Buffer.concat(pending, buffered).subarray(bytesWritten), at + bytesWritten);
    progress.written += buffered;
    pending.length = 0;
    buffered = 0;
  };
  try {
    for await (const piece of got.body as AsyncIterable<Buffer>) {
      if (progress.written + buffered + piece.length > got.total) throw tooLong(address, got.total);
      hash.update(piece);
      pending.push(piece);
      buffered += piece.length;
      context.onBytes(piece.length);
      if (buffered >= WRITE_BYTES) await flush();
    }
  } finally {
    if (buffered > 0) await flush();
  }
  return progress.written === got.total ? hash.digest('hex') : undefined;
}

/** A body longer than its chunk (a 206 whose length disagrees with its range): nothing of it lands beyond the chunk. */
const tooLong = (address: string, total: number) => new IntegrityError(`the store sent more than the ${total} bytes of chunk ${address}`);

/** Fills `into` from the partial at `position`; the bytes were written by this call, so a short file is an error. */
async function readExactly(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  for (let at = 0; at < into.length; ) {
    const { bytesRead } = await handle.read(into, at, into.length - at, position + at);
    if (bytesRead === 0) throw new Error(`the partial file ends at ${position + at}, before the bytes of the chunk kept there`);
    at += bytesRead;
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
