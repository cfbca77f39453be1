/** Splits a file into chunks while streaming it once: memory stays at a read buffer whatever the file's size. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { MAX_CHUNK_BYTES } from './address.ts';

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
}

export async function hashFileChunks(path: string, chunkSize: number = MAX_CHUNK_BYTES): Promise<FileChunks> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) {
    throw new RangeError(`chunk size must be 1..${MAX_CHUNK_BYTES} bytes, not ${chunkSize}`);
  }
  const whole = createHash('sha256');
  const chunks: ChunkRef[] = [];
  let current = createHash('sha256');
  let offset = 0; // where the current chunk starts
  let filled = 0; // bytes of the current chunk seen so far
  for await (const piece of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    whole.update(piece);
    // A read buffer may straddle a chunk boundary: split it there.
    for (let at = 0; at < piece.length; ) {
      const take = Math.min(piece.length - at, chunkSize - filled);
      current.update(piece.subarray(at, at + take));
      at += take;
      filled += take;
      if (filled === chunkSize) {
        chunks.push({ hash: current.digest('hex'), offset, length: filled });
        offset += filled;
        filled = 0;
        current = createHash('sha256');
      }
    }
  }
  if (filled > 0) chunks.push({ hash: current.digest('hex'), offset, length: filled });
  return { size: offset + filled, hash: whole.digest('hex'), chunks };
}
