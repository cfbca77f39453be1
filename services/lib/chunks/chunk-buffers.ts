/**
 * Chunk-sized buffers in shared memory (hash-pool.ts hashes them on other threads without a copy), reused across files:
 * a push of thousands of files must not allocate 8 MiB per file. At most MAX_BUFFERS exist in the process, which is
 * what bounds a client's memory for transfers whatever the file sizes; a taker waits for one to be given back.
 */
import { MAX_CHUNK_BYTES } from './address.ts';

const MAX_BUFFERS = 6;

export class ChunkBuffers {
  private readonly free: Buffer[] = [];
  private readonly waiting: Array<(buffer: Buffer) => void> = [];
  private made = 0;

  constructor(private readonly size = MAX_CHUNK_BYTES, private readonly max = MAX_BUFFERS) {}

  /** A buffer of `size` bytes (contents undefined): a free one, a new one while fewer than `max` exist, else the next given back. */
  take(): Promise<Buffer> {
    const buffer = this.free.pop();
    if (buffer) return Promise.resolve(buffer);
    if (this.made < this.max) {
      this.made++;
      return Promise.resolve(Buffer.from(new SharedArrayBuffer(this.size)));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(buffer: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(buffer);
    else this.free.push(buffer);
  }
}

let shared: ChunkBuffers | undefined;
/** The process's buffers of MAX_CHUNK_BYTES. */
export function chunkBuffers(): ChunkBuffers {
  shared ??= new ChunkBuffers();
  return shared;
}
