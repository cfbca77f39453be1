/**
 * The scan threads (scan.worker.ts): the walk, and the reading of many files, run there with synchronous calls, so the
 * client's thread is never held by a folder of 100,000 entries or a slow share, and no lstat or read pays a round trip
 * through libuv. One thread walks and is kept between scans; a big batch of reads (a first scan) is spread over up to
 * HASH_THREADS threads. Threads keep the process alive only while they have work, and stop after IDLE_MS unused.
 * A thread that dies (or cannot start) fails its requests with a ScanThreadError, so the scan fails saying why instead
 * of waiting; the next scan starts a new one.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../../lib/worker-thread.ts';
import type { HashReply, HashRequest } from './hash.ts';
import { STAT_WORDS } from './scan-index.ts';
import type { WalkChunk, WalkEnd, WalkRequest } from './walk.ts';

/** Int32 slots of a request's shared control: a stop flag, and the walk's chunks not yet handled here. */
export const CONTROL_STOP = 0;
export const CONTROL_QUEUED = 1;
const IDLE_MS = 30_000;
/** Threads that read files for a big batch: one per core beyond the client's own, at least one, at most four. */
export const HASH_THREADS = Math.min(4, Math.max(1, os.availableParallelism() - 1));
// A batch of reads: small enough to spread well and to stop soon, large enough that messages cost little.
const BATCH_FILES = 128;
const BATCH_BYTES = 32 * 1024 * 1024;

type Reply = WalkChunk | WalkEnd | HashReply;

export class ScanThreadError extends Error {}

// Ours, so only the frame is checked; a thread that sends something else is treated as broken.
const isReply = (m: unknown): m is Reply =>
  typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'number' &&
  ['chunk', 'end', 'hashed'].includes((m as { type?: unknown }).type as string);

let nextId = 1;

export class ScanThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { reply(r: Reply): void; fail(e: Error): void }>();
  private dead = false;

  constructor(worker: Worker, private readonly onDeath: (thread: ScanThread) => void) {
    this.worker = worker;
    worker.unref();
    worker.on('message', (m: unknown) => (isReply(m) ? this.waiting.get(m.id)?.reply(m) : this.die('it sent a malformed message')));
    worker.on('messageerror', (e) => this.die(`a message could not be read: ${e.message}`));
    worker.on('error', (e) => this.die(`it failed: ${e.message}`));
    worker.on('exit', (code) => this.die(`it exited (code ${code})`));
  }

  /** Sends one request (with its `id`); `onReply` gets its replies and returns true at the last one. */
  request(message: WalkRequest | HashRequest, onReply: (reply: Reply) => boolean): Promise<void> {
    if (this.dead) return Promise.reject(new ScanThreadError('the scan thread stopped'));
    const { id } = message;
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        this.waiting.delete(id);
        if (this.waiting.size === 0) this.worker.unref();
      };
      this.waiting.set(id, {
        reply: (r) => {
          let last: boolean;
          try {
            last = onReply(r);
          } catch (error) {
            settle();
            reject(error);
            return;
          }
          if (last) {
            settle();
            resolve();
          }
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      });
      this.worker.ref(); // a scan under way keeps the process alive; an idle thread does not
      this.worker.postMessage(message);
    });
  }

  stop(): void {
    this.die('it was stopped');
  }

  private die(why: string): void {
    if (this.dead) return;
    this.dead = true;
    this.onDeath(this);
    const error = new ScanThreadError(`the scan thread stopped: ${why}`);
    for (const w of [...this.waiting.values()]) w.fail(error);
    void this.worker.terminate();
  }
}

export class ScanThreads {
  private threads: ScanThread[] = [];
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly start: () => Worker = () => startWorkerThread(import.meta.url, 'scan')) {}

  /** `count` live threads, started as needed; the first one walks. */
  take(count: number): ScanThread[] {
    clearTimeout(this.idle);
    while (this.threads.length < count) {
      let worker: Worker;
      try {
        worker = this.start();
      } catch (error) {
        throw new ScanThreadError(`a scan thread could not start: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.threads.push(new ScanThread(worker, (dead) => (this.threads = this.threads.filter((t) => t !== dead))));
    }
    return this.threads.slice(0, count);
  }

  /** After a scan: the extra readers stop now (a first scan's are rarely needed again), the walker once idle. */
  release(): void {
    for (const t of this.threads.slice(1)) t.stop();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(), IDLE_MS).unref();
  }

  close(): void {
    clearTimeout(this.idle);
    for (const t of [...this.threads]) t.stop();
  }
}

const newControl = (): Int32Array => new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
const stopControl = (control: Int32Array): void => {
  Atomics.store(control, CONTROL_STOP, 1);
  Atomics.notify(control, CONTROL_QUEUED);
};

/**
 * Walks `root` on `thread`, handing each chunk of entries to `onChunk` here as it comes. On abort the thread stops
 * after its current folder and this resolves; the caller then throws the signal's reason.
 */
export async function walkOn(
  thread: ScanThread,
  walk: Pick<WalkRequest, 'root' | 'pxignore'>,
  onChunk: (uris: string[], stats: Float64Array) => void,
  signal?: AbortSignal,
): Promise<WalkEnd> {
  const control = newControl();
  const stop = (): void => stopControl(control);
  signal?.addEventListener('abort', stop, { once: true });
  let end: WalkEnd | undefined;
  try {
    await thread.request({ type: 'walk', id: nextId++, ...walk, control: control.buffer as SharedArrayBuffer }, (reply) => {
      if (reply.type === 'end') {
        end = reply;
        return true;
      }
      if (reply.type !== 'chunk' || typeof reply.uris !== 'string' || !(reply.stats instanceof Float64Array)) {
        throw new ScanThreadError(`the scan thread sent a malformed ${reply.type}`);
      }
      try {
        onChunk(reply.uris.split('\0'), reply.stats);
      } finally {
        Atomics.sub(control, CONTROL_QUEUED, 1);
        Atomics.notify(control, CONTROL_QUEUED);
      }
      return false;
    });
  } catch (error) {
    stop(); // the thread, if alive, must not go on walking (or wait) for nobody
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  return end as WalkEnd;
}

export interface HashJob { uri: string; file: string; size: number }

/**
 * Reads `jobs` in batches on `threads` (two batches queued per thread, so none waits for the next between batches),
 * handing each file's outcome to `onRead` here: the reply's `hashes[i]`, `errors[i]`, and its packed stat at
 * `i * STAT_WORDS`. On abort, running batches stop between files; once all have settled, the signal's reason is thrown.
 */
export async function hashOn(
  threads: ScanThread[],
  jobs: HashJob[],
  onRead: (job: HashJob, reply: HashReply, i: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failed = false;
  const running = new Set<Int32Array>();
  const stopAll = (): void => running.forEach(stopControl);
  signal?.addEventListener('abort', stopAll, { once: true });
  // At least four batches per thread, so that a few hundred files are spread too.
  const batchFiles = Math.min(BATCH_FILES, Math.ceil(jobs.length / (threads.length * 4)));
  const batch = (): HashJob[] => {
    const out: HashJob[] = [];
    for (let bytes = 0; next < jobs.length && out.length < batchFiles && bytes < BATCH_BYTES;) {
      const job = jobs[next++] as HashJob;
      out.push(job);
      bytes += job.size;
    }
    return out;
  };
  const lane = async (thread: ScanThread): Promise<void> => {
    for (let files = batch(); files.length > 0 && !failed && !signal?.aborted; files = batch()) {
      const control = newControl();
      running.add(control);
      try {
        const message: HashRequest = { type: 'hash', id: nextId++, files: files.map((f) => f.file).join('\0'), control: control.buffer as SharedArrayBuffer };
        await thread.request(message, (reply) => {
          if (reply.type !== 'hashed' || !(reply.stats instanceof Float64Array) || reply.stats.length !== files.length * STAT_WORDS) {
            throw new ScanThreadError(`the scan thread sent a malformed ${reply.type}`);
          }
          files.forEach((job, i) => onRead(job, reply, i));
          return true;
        });
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        running.delete(control);
      }
    }
  };
  try {
    // Settle all before throwing, so no batch is still out when the caller writes the index.
    const lanes = await Promise.allSettled(threads.flatMap((t) => [lane(t), lane(t)]));
    for (const r of lanes) if (r.status === 'rejected') throw r.reason;
    signal?.throwIfAborted();
  } finally {
    signal?.removeEventListener('abort', stopAll);
  }
}
