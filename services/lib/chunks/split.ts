/**
 * Splits a file into chunks in one read: each chunk is read once into a shared buffer, hashed on a pool thread while
 * the whole-file hash takes the same bytes here, then handed to the caller (e.g. to upload it) while the next chunks
 * are read. Memory stays at `inFlight` chunk buffers whatever the file's size.
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { MAX_CHUNK_BYTES } from './address.ts';
import { chunkBuffers } from './chunk-buffers.ts';
import { chunkHashPool } from './hash-pool.ts';

export interface ChunkRef {
  hash: string;
  offset: number;
  length: number;
}

export interface FileChunks {
  size: number;
  /** SHA-256 of the whole file. */
  hash: string;
  /** Consecutive chunks of `chunkSize` bytes, the last one shorter; none for an empty file. */
  chunks: ChunkRef[];
  /**
   * The opened file's stat, when it held from before the first read to after the last (same size, mtime, ctime, and
   * the size read): the stat that goes with `hash`, which a scan index may remember. Undefined when the file changed.
   */
  stat?: BigIntStats;
}

/** A chunk as read: its bytes are valid until the `onChunk` that got them settles. */
export interface ReadChunk extends ChunkRef {
  bytes: Buffer;
}

export interface SplitOptions {
  /** Default MAX_CHUNK_BYTES. */
  chunkSize?: number;
  /** Chunks read ahead and not yet done with (hashing, `onChunk`); default 3. */
  inFlight?: number;
  /** Called for each chunk once hashed (several at once, not necessarily in file order); a rejection stops the split. */
  onChunk?: (chunk: ReadChunk) => Promise<void>;
}

export async function splitFile(path: string, options: SplitOptions = {}): Promise<FileChunks> {
  const { chunkSize = MAX_CHUNK_BYTES, inFlight = 3, onChunk } = options;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) {
    throw new RangeError(`chunk size must be 1..${MAX_CHUNK_BYTES} bytes, not ${chunkSize}`);
  }
  const buffers = chunkBuffers();
  const pool = chunkHashPool();
  const whole = createHash('sha256');
  const chunks: ChunkRef[] = [];
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const handle = await open(path, 'r');
  let offset = 0;
  let stat: BigIntStats | undefined;
  try {
    const before = await handle.stat({ bigint: true });
    while (!failure) {
      while (running.size >= inFlight) await Promise.race(running);
      if (failure) break;
      const buffer = await buffers.take();
      let length: number;
      try {
        length = await readUpTo(handle, buffer, chunkSize, offset);
      } catch (error) {
        buffers.give(buffer);
        throw error;
      }
      if (length === 0) {
        buffers.give(buffer);
        break;
      }
      const bytes = buffer.subarray(0, length);
      const ref = { hash: '', offset, length };
      chunks.push(ref);
      const hashed = pool.hash(bytes); // posted first, so the thread hashes while the whole-file hash runs here
      whole.update(bytes);
      const task: Promise<void> = hashed
        .then(async (hash) => {
          ref.hash = hash;
          if (onChunk && !failure) await onChunk({ ...ref, bytes });
        })
        .catch((error: unknown) => void (failure ??= { error }))
        .finally(() => {
          buffers.give(buffer);
          running.delete(task);
        });
      running.add(task);
      offset += length;
      if (length < chunkSize) break;
    }
    if (!failure) {
      const after = await handle.stat({ bigint: true });
      const held = after.size === before.size && after.mtimeNs === before.mtimeNs && after.ctimeNs === before.ctimeNs && Number(before.size) === offset;
      if (held) stat = before;
    }
  } finally {
    // Nothing of this file is still being read or handed out once this returns or throws.
    await Promise.allSettled([...running]);
    await handle.close();
  }
  if (failure) throw failure.error;
  return { size: offset, hash: whole.digest('hex'), chunks, ...(stat ? { stat } : {}) };
}

/** Hashes a file and its chunks without handing the bytes to anyone. */
export function hashFileChunks(path: string, chunkSize: number = MAX_CHUNK_BYTES): Promise<FileChunks> {
  return splitFile(path, { chunkSize });
}

/** Reads up to `length` bytes at `position` (fewer only at the end of the file). */
async function readUpTo(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
