/**
 * Where an interrupted download continues. The partial file holds a prefix of the file; the sidecar `<hash>.json`
 * remembers the sizes of the chunks completed so far, so the chunk the prefix stopped in can be found without asking
 * the store (a HEAD per chunk is the fallback when the sidecar is missing or stale).
 *
 * Nothing on disk is trusted: every complete chunk of the prefix is re-hashed against its address, and the kept part
 * of the current chunk is checked when that chunk completes. That is why neither the partial nor the sidecar needs an
 * fsync per chunk: a crash that loses or garbles recent bytes costs a re-download of one chunk, never a wrong file.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { MAX_CHUNK_BYTES } from '../../lib/chunks/index.ts';

export interface ResumePoint {
  /** The chunk to download next (`chunks.length` when every chunk is there). */
  index: number;
  /** Where that chunk starts in the file. */
  offset: number;
  /** Bytes of that chunk already in the partial, to continue with a Range request. */
  kept: number;
  /** Fed with the kept bytes of that chunk. */
  chunkHash: Hash;
  /** Fed with every byte of the partial before `offset + kept`. */
  whole: Hash;
}

export interface Sidecar {
  /** Identifies the chunk list the sizes belong to: the same file content may come chunked differently. */
  list: string;
  /** Sizes of the first chunks, as far as known. */
  sizes: number[];
}

export const chunkListId = (chunks: readonly string[]): string => createHash('sha256').update(chunks.join('\n')).digest('hex');

/** The sidecar's sizes for this chunk list; none when it is missing, unreadable (a torn write) or for another list. */
export async function readSidecar(file: string, list: string): Promise<number[]> {
  try {
    const data: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof data !== 'object' || data === null) return [];
    const { list: id, sizes } = data as Partial<Record<keyof Sidecar, unknown>>;
    if (id !== list || !Array.isArray(sizes)) return [];
    const valid = sizes.every((n) => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_CHUNK_BYTES);
    return valid ? (sizes as number[]) : [];
  } catch {
    return [];
  }
}

/** A hint only (see above), so a plain write: a torn or lost sidecar just means HEAD requests on resume. */
export async function writeSidecar(file: string, sidecar: Sidecar): Promise<void> {
  await writeFile(file, JSON.stringify(sidecar));
}

/**
 * Finds the resume point of `partial` for `chunks`, truncating it where it stops being trustworthy: at the start of
 * the first complete chunk whose bytes do not match its address, and after the last chunk. `sizes` is filled in as
 * sizes are learnt (from `sizeOf`, a HEAD); the caller persists it.
 */
export async function findResumePoint(
  partial: string, chunks: readonly string[], sizes: number[], sizeOf: (index: number) => Promise<number>,
): Promise<ResumePoint> {
  const have = (await stat(partial).catch(() => undefined))?.size ?? 0;
  const whole = createHash('sha256');
  let offset = 0;
  for (const [index, address] of chunks.entries()) {
    if (offset === have) return { index, offset, kept: 0, chunkHash: createHash('sha256'), whole };
    const size = (sizes[index] ??= await sizeOf(index));
    const chunkHash = createHash('sha256');
    if (offset + size > have) {
      await hashRegion(partial, offset, have, [chunkHash, whole]);
      return { index, offset, kept: have - offset, chunkHash, whole };
    }
    const before = whole.copy();
    await hashRegion(partial, offset, offset + size, [chunkHash, whole]);
    if (chunkHash.digest('hex') !== address) {
      await truncate(partial, offset);
      return { index, offset, kept: 0, chunkHash: createHash('sha256'), whole: before };
    }
    offset += size;
  }
  if (have > offset) await truncate(partial, offset);
  return { index: chunks.length, offset, kept: 0, chunkHash: createHash('sha256'), whole };
}

/** Feeds bytes [start, end) of `file` to every hasher, streaming; fails if the file is shorter. */
async function hashRegion(file: string, start: number, end: number, hashers: Hash[]): Promise<void> {
  if (end <= start) return;
  let read = 0;
  for await (const piece of createReadStream(file, { start, end: end - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (const hasher of hashers) hasher.update(piece);
    read += piece.length;
  }
  if (read !== end - start) throw new Error(`${file} changed while it was being checked`);
}
