/**
 * SHA-256 of chunks on worker threads, so a file's chunk hashes and its whole-file hash (taken on the calling thread
 * from the same bytes, at the same time) cost one pass of wall time, not two. The bytes live in shared memory
 * (chunk-buffers.ts): both threads read them, nothing is copied or moved.
 *
 * Nothing depends on the threads: small chunks, bytes not in shared memory, and every hash while the threads cannot
 * run (they failed to start or died) are hashed on the calling thread; a hash out on a thread that dies is taken here
 * from the bytes the caller still holds, and new threads are tried after RETRY_THREADS_MS.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface HashRequest { id: number; memory: SharedArrayBuffer; offset: number; length: number }
export interface HashReply { id: number; hash: string }

/**
 * The thread's whole program, answering HashRequest with HashReply. Plain JavaScript evaluated in the thread: it needs
 * no module of ours, so no TypeScript loader in tests and no bundle of its own (a loader costs each thread ~20 MB).
 */
const THREAD_SOURCE = `
const { createHash } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, memory, offset, length }) => {
  parentPort.postMessage({ id, hash: createHash('sha256').update(new Uint8Array(memory, offset, length)).digest('hex') });
});`;

/** Below this a thread's round trip costs more than hashing here (~0.15 ms per 256 KiB). */
const MIN_THREAD_BYTES = 256 * 1024;
const RETRY_THREADS_MS = 30_000;

interface Out { bytes: Uint8Array; resolve: (hash: string) => void }
interface Thread { worker: Worker; out: Map<number, Out> }

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class HashPool {
  private threads: Thread[] = [];
  private failedAt = -Infinity;
  private nextId = 1;

  /** `size`: threads at most; by default one per core beyond the caller's, up to 4 (the disk is the limit after that). */
  constructor(
    private readonly size = Math.min(4, Math.max(1, availableParallelism() - 1)),
    // No inherited --import preloads (services/lib/worker-thread.ts says why).
    private readonly start: () => Worker = () => new Worker(THREAD_SOURCE, { eval: true, execArgv: [] }),
  ) {}

  /** Threads running now (tests and benches report it). */
  get running(): number {
    return this.threads.length;
  }

  /** The SHA-256 of `bytes`; the caller must not change them before this settles. Never rejects for a thread's sake. */
  hash(bytes: Uint8Array): Promise<string> {
    const memory = bytes.buffer;
    const thread = bytes.byteLength >= MIN_THREAD_BYTES && memory instanceof SharedArrayBuffer ? this.leastBusy() : null;
    if (!thread || !(memory instanceof SharedArrayBuffer)) return Promise.resolve(sha256Hex(bytes));
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (thread.out.size === 0) thread.worker.ref(); // a hash out keeps the process alive; an idle thread does not
      thread.out.set(id, { bytes, resolve });
      thread.worker.postMessage({ id, memory, offset: bytes.byteOffset, length: bytes.byteLength } satisfies HashRequest);
    });
  }

  /** Stops the threads (tests); hashes still out are taken here. */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) this.settleHere(t);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private leastBusy(): Thread | null {
    if (this.threads.length < this.size && performance.now() - this.failedAt >= RETRY_THREADS_MS) this.spawn();
    let best: Thread | null = null;
    for (const t of this.threads) if (!best || t.out.size < best.out.size) best = t;
    return best;
  }

  private spawn(): void {
    let worker: Worker;
    try {
      worker = this.start();
    } catch {
      this.failedAt = performance.now();
      return;
    }
    const thread: Thread = { worker, out: new Map() };
    worker.on('message', (reply: HashReply) => {
      const out = thread.out.get(reply.id);
      if (!out) return;
      thread.out.delete(reply.id);
      if (thread.out.size === 0) worker.unref();
      // Our own thread, but a reply that is not a hash is not trusted: the bytes are hashed here instead.
      out.resolve(typeof reply.hash === 'string' && /^[0-9a-f]{64}$/.test(reply.hash) ? reply.hash : sha256Hex(out.bytes));
    });
    const failed = (): void => {
      if (!this.threads.includes(thread)) return;
      this.threads = this.threads.filter((t) => t !== thread);
      this.failedAt = performance.now();
      this.settleHere(thread);
    };
    worker.on('error', failed);
    worker.on('exit', failed);
    worker.unref(); // after the listeners: attaching 'message' refs the thread again
    this.threads.push(thread);
  }

  private settleHere(thread: Thread): void {
    for (const out of thread.out.values()) out.resolve(sha256Hex(out.bytes));
    thread.out.clear();
  }
}

let shared: HashPool | undefined;
/** One pool for the process, made on first use. */
export function chunkHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}
