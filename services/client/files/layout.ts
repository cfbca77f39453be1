/**
 * Where each chunk of a file goes. A commit names the chunks but not their sizes, so a chunk's offset is known once
 * the sizes of all chunks before it are: from the sidecar or HEAD on resume, otherwise from the Content-Length of
 * their GETs, which are sent in file order and answer within a round trip, long before their bodies end.
 */
import type { ChunkPlaces } from './file-digest.ts';

/** A chunk's size from the store differs from the one recorded: the sizes (and offsets) kept were wrong. */
export class LayoutMismatch extends Error {
  constructor(index: number, recorded: number, actual: number) {
    super(`chunk ${index} holds ${actual} bytes, not the ${recorded} recorded`);
    this.name = 'LayoutMismatch';
  }
}

export class Layout implements ChunkPlaces {
  readonly count: number;
  /** Indexes of the chunks complete and verified in the partial. */
  readonly done: Set<number>;
  private readonly sizes: (number | undefined)[];
  /** offsets[i] for every i up to `known`: the sizes of all chunks before it are known. */
  private readonly offsets: number[] = [0];
  private readonly waiters = new Map<number, Array<(offset: number) => void>>();

  constructor(count: number, sizes: readonly number[] = [], done: Iterable<number> = []) {
    this.count = count;
    this.sizes = sizes.slice(0, count);
    this.done = new Set(done);
    this.extend();
  }

  /** The sizes known without a gap, for the sidecar. */
  knownSizes(): number[] {
    return this.sizes.slice(0, this.offsets.length - 1) as number[];
  }

  /** The chunks not complete yet, in file order. */
  missing(): number[] {
    return Array.from({ length: this.count }, (_, i) => i).filter((i) => !this.done.has(i));
  }

  place(index: number): { offset: number; size: number } | undefined {
    const offset = this.offsets[index];
    const size = this.sizes[index];
    return offset === undefined || size === undefined ? undefined : { offset, size };
  }

  complete(index: number): boolean {
    return this.done.has(index);
  }

  /** Records the size a GET announced; throws LayoutMismatch when it contradicts a recorded one. */
  setSize(index: number, size: number): void {
    const recorded = this.sizes[index];
    if (recorded !== undefined && recorded !== size) throw new LayoutMismatch(index, recorded, size);
    this.sizes[index] = size;
    this.extend();
  }

  /** Resolves with the chunk's offset once it is known; rejects when `signal` aborts first. */
  offsetOf(index: number, signal: AbortSignal): Promise<number> {
    const known = this.offsets[index];
    if (known !== undefined) return Promise.resolve(known);
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const list = this.waiters.get(index) ?? [];
      list.push((offset) => {
        signal.removeEventListener('abort', onAbort);
        resolve(offset);
      });
      this.waiters.set(index, list);
    });
  }

  /** The end of the last chunk, once every size is known. */
  total(): number | undefined {
    return this.offsets[this.count];
  }

  private extend(): void {
    for (let i = this.offsets.length - 1; i < this.count; i++) {
      const size = this.sizes[i];
      if (size === undefined) break;
      this.offsets.push((this.offsets[i] as number) + size);
      const list = this.waiters.get(i + 1);
      this.waiters.delete(i + 1);
      for (const waiter of list ?? []) waiter(this.offsets[i + 1] as number);
    }
  }
}
