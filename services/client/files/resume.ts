/**
 * What an interrupted download keeps. Chunks are written at their offsets by several requests at once, so the partial
 * may have holes; the sidecar `<hash>.json` records the sizes learnt so far (they place the chunks) and which chunks
 * were complete.
 *
 * Nothing on disk is trusted: every chunk the sidecar calls complete is re-hashed from the partial against its address
 * before it is kept, and a bad one is simply fetched again. That is why neither the partial nor the sidecar needs an
 * fsync per chunk: a crash that loses or garbles recent bytes costs a re-download of those chunks, never a wrong file.
 * Without a usable sidecar (lost, torn, another chunk list), sizes come from HEAD requests and every chunk region the
 * partial covers is checked the same way.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { readFile, writeFile } from 'node:fs/promises';
import { MAX_CHUNK_BYTES } from '../../lib/chunks/index.ts';
import type { FileDigest } from './file-digest.ts';

export interface Sidecar {
  /** Identifies the chunk list the sizes belong to: the same file content may come chunked differently. */
  list: string;
  /** Sizes of the first chunks, as far as known without a gap. */
  sizes: number[];
  /** Indexes of the chunks that were written completely and verified while downloading. */
  done: number[];
}

export const chunkListId = (chunks: readonly string[]): string => createHash('sha256').update(chunks.join('\n')).digest('hex');

const isSize = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_CHUNK_BYTES;

/** The sidecar for this chunk list; undefined when it is missing, unreadable (a torn write), malformed or for another list. */
export async function readSidecar(file: string, list: string): Promise<Omit<Sidecar, 'list'> | undefined> {
  try {
    const data: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof data !== 'object' || data === null) return undefined;
    const { list: id, sizes, done } = data as Partial<Record<keyof Sidecar, unknown>>;
    if (id !== list || !Array.isArray(sizes) || !Array.isArray(done) || !sizes.every(isSize)) return undefined;
    if (!done.every((i) => Number.isSafeInteger(i) && (i as number) >= 0 && (i as number) < sizes.length)) return undefined;
    return { sizes: sizes as number[], done: done as number[] };
  } catch {
    return undefined;
  }
}

/**
 * Writes the sidecar whenever asked, one write at a time (concurrent writes of one file could interleave), coalescing
 * requests made meanwhile. A hint only (see above), so a plain write whose failure is ignored.
 */
export class SidecarWriter {
  private writing: Promise<void> | undefined;
  private again = false;

  constructor(private readonly file: string, private readonly snapshot: () => Sidecar) {}

  save(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = this.loop();
  }

  /** Resolves once no write is in progress (before the sidecar is deleted, and before a call returns). */
  async flush(): Promise<void> {
    await this.writing;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await writeFile(this.file, JSON.stringify(this.snapshot())).catch(() => undefined);
    } while (this.again);
    this.writing = undefined;
  }
}

export interface Kept {
  /** Chunk sizes as far as known without a gap (from the sidecar or HEAD requests). */
  sizes: number[];
  /** Indexes of the chunks found intact in the partial. */
  done: Set<number>;
}

/**
 * Which chunks of `partial` can be kept: each candidate (recorded complete in the sidecar, or without one, every chunk
 * region the partial covers) is re-hashed from disk; `digest` takes them in as it goes (file-digest.ts).
 */
export async function findKept(
  handle: FileHandle, chunks: readonly string[], sidecar: Omit<Sidecar, 'list'> | undefined, digest: FileDigest,
  sizeOf: (index: number) => Promise<number>,
): Promise<Kept> {
  const have = (await handle.stat()).size;
  const sizes = sidecar ? sidecar.sizes.slice(0, chunks.length) : [];
  const candidates = new Set(sidecar?.done);
  const done = new Set<number>();
  let offset = 0;
  for (let index = 0; index < chunks.length && offset < have; index++) {
    if (sidecar && !candidates.has(index)) {
      if (index >= sizes.length) break; // no size, so no later chunk was placed either
      offset += sizes[index] as number;
      continue;
    }
    const size = (sizes[index] ??= await sizeOf(index));
    if (offset + size > have) break;
    if (await digest.check(index, offset, size, chunks[index] as string)) done.add(index);
    offset += size;
  }
  return { sizes, done };
}
