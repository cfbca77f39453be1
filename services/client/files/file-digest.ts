/**
 * The whole file's SHA-256, fed in file order while chunks complete in any order. A chunk is hashed from the partial
 * once every chunk before it is in, re-reading it rather than holding its bytes: the read comes from the page cache
 * (the chunk was written moments ago), costs a copy and keeps memory at one read buffer however far the downloads run
 * ahead of a slow chunk. Measured here: reading 1 GiB back costs 0.1-0.4 s next to 0.65 s for hashing it, most of it
 * in libuv's threads; holding out-of-order chunks instead would cost up to IN_FLIGHT x 8 MiB and stall on a slow one.
 *
 * The reading and hashing happen on the digest thread (digest-thread.ts), which reads the partial through the same
 * descriptor; this thread only says which region is next. So the handle must stay open until close() resolves. When
 * the thread cannot run or dies, the hash is taken here instead, as it was before threads: the running hash died with
 * the thread, so it is rebuilt from the partial's first `fedBytes` bytes (every one of them a verified chunk).
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { DigestThreads, LOST, digestThreads, type DigestStream } from './digest-thread.ts';

const READ_BYTES = 1 << 20;

/** Below this a file is hashed here: a few messages to the thread would cost about what hashing it does. */
const MIN_THREAD_BYTES = 256 * 1024;

/** Where the chunks are: their offsets and sizes once known, and whether a chunk is complete on disk. */
export interface ChunkPlaces {
  readonly count: number;
  place(index: number): { offset: number; size: number } | undefined;
  complete(index: number): boolean;
}

export class FileDigest {
  /** Chunks fed so far, from the first. */
  private fed = 0;
  /** The bytes they hold: the running hash is the SHA-256 of the partial's first `fedBytes` bytes. */
  private fedBytes = 0;
  /** The running hash, on the digest thread or (`local`) here; exactly one of them is set. */
  private remote: DigestStream | undefined;
  private local: Hash | undefined;
  /** Every read of the partial, one at a time and in order: what close() waits for. */
  private running: Promise<void> = Promise.resolve();
  private failed: { error: unknown } | undefined;
  private closed = false;
  private buffer: Buffer | undefined;

  /** `size`: the file's, to tell whether the thread is worth it. */
  constructor(private readonly handle: FileHandle, size: number, threads: DigestThreads = digestThreads()) {
    this.remote = size >= MIN_THREAD_BYTES ? threads.open() : undefined;
    if (!this.remote) this.local = createHash('sha256');
  }

  /**
   * Whether chunk `index` at `offset` holds bytes that hash to `address` (a kept chunk on resume). When it is the next
   * chunk in order and intact, the file's hash takes it in on the same read.
   */
  check(index: number, offset: number, size: number, address: string): Promise<boolean> {
    return this.queue(async () => {
      const end = offset + size;
      const whole = index === this.fed && offset === this.fedBytes;
      let hash: string | typeof LOST = LOST;
      if (this.remote) {
        hash = await this.remote.check(this.handle.fd, offset, end, address, whole);
        if (hash === LOST) await this.fallBack();
      }
      if (hash === LOST) {
        const chunk = createHash('sha256');
        const copy = whole ? this.here().copy() : undefined;
        await this.hashRegion(offset, end, copy ? [chunk, copy] : [chunk]);
        hash = chunk.digest('hex');
        if (copy && hash === address) this.local = copy;
      }
      if (whole && hash === address) {
        this.fed++;
        this.fedBytes = end;
      }
      return hash === address;
    });
  }

  /** Feeds every complete chunk from the first not yet fed, in order; in the background, one pass at a time. */
  advance(places: ChunkPlaces): void {
    void this.queue(async () => {
      if (this.failed) return;
      try {
        for (let place = places.place(this.fed); !this.closed && place && places.complete(this.fed); place = places.place(this.fed)) {
          await this.feed(place.offset, place.offset + place.size);
          this.fed++;
        }
      } catch (error) {
        this.failed = { error };
      }
    });
  }

  /** The file's SHA-256 once all `count` chunks are fed; undefined when some are missing. Throws what a read threw. */
  async finish(places: ChunkPlaces): Promise<string | undefined> {
    this.advance(places);
    return this.queue(async () => {
      if (this.failed) throw this.failed.error;
      if (this.fed !== places.count) return undefined;
      if (this.remote) {
        const hash = await this.remote.finish();
        if (hash !== LOST) return hash;
        await this.fallBack();
      }
      return this.here().digest('hex');
    });
  }

  /** Resolves once nothing reads the partial for this digest any more, nor will: the handle may be closed or cut. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
    this.remote?.drop();
    this.remote = undefined;
  }

  private queue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.running.then(work);
    this.running = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Bytes [start, end) into the running hash; `start` is `fedBytes`. */
  private async feed(start: number, end: number): Promise<void> {
    if (this.remote) {
      if ((await this.remote.feed(this.handle.fd, start, end)) !== LOST) {
        this.fedBytes = end;
        return;
      }
      await this.fallBack();
    }
    await this.hashRegion(start, end, [this.here()]);
    this.fedBytes = end;
  }

  /** The thread is gone, and the running hash with it: rebuilt here from the bytes it had taken in. */
  private async fallBack(): Promise<void> {
    this.remote?.drop(); // a thread that answered nonsense may still be up
    this.remote = undefined;
    const whole = createHash('sha256');
    await this.hashRegion(0, this.fedBytes, [whole]);
    this.local = whole;
  }

  private here(): Hash {
    if (!this.local) throw new Error('the file digest has no running hash here'); // never: set whenever `remote` is not
    return this.local;
  }

  /** Feeds bytes [start, end) of the partial to every hasher; fails if the partial is shorter. */
  private async hashRegion(start: number, end: number, hashers: Hash[]): Promise<void> {
    const buffer = (this.buffer ??= Buffer.allocUnsafe(READ_BYTES));
    for (let at = start; at < end; ) {
      const { bytesRead } = await this.handle.read(buffer, 0, Math.min(READ_BYTES, end - at), at);
      if (bytesRead === 0) throw new Error(`the partial file ends at ${at}, before ${end}`);
      const piece = buffer.subarray(0, bytesRead);
      for (const hasher of hashers) hasher.update(piece);
      at += bytesRead;
    }
  }
}
