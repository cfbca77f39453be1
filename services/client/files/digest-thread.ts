/**
 * Running SHA-256s of partial files on a worker thread, so a pull's whole-file hash (file-digest.ts) costs the event
 * loop a message per chunk instead of hashing every byte. The thread reads the partial itself, with readSync on the
 * numeric fd of the download's FileHandle (descriptors belong to the process, not to a thread): no byte crosses
 * threads, and the event loop only posts regions and awaits. Whoever posts a region must keep the handle open until
 * the answer is in (FileDigest.close awaits it).
 *
 * One thread for the process, holding one running hash per stream (a file being pulled): pulls of several
 * workspaces share it, and a pull of many files starts it once. Nothing depends on it: when it cannot start or dies,
 * every request out and every later one on its streams answers LOST and the caller hashes on its own thread (the
 * running hash was the thread's, so the caller rebuilds it from the partial); new streams try a new thread after
 * RETRY_THREAD_MS.
 */
import { Worker } from 'node:worker_threads';

type Op =
  | { op: 'feed'; fd: number; start: number; end: number }
  | { op: 'check'; fd: number; start: number; end: number; address: string; whole: boolean }
  | { op: 'finish' | 'drop' };
export type DigestRequest = Op & { id: number; stream: number };
export interface DigestReply { id: number; hash?: string; error?: { message: string; code?: string } }

/**
 * The thread's whole program. Plain JavaScript evaluated in the thread: no module of ours, so no TypeScript loader
 * (~20 MB a thread under tsx) and no bundle of its own (hash-pool.ts does the same).
 * - feed: bytes [start, end) of fd into the stream's running hash.
 * - check: the SHA-256 of [start, end); with `whole`, the running hash takes the same bytes in if they hash to `address`.
 * - finish: the running hash's digest, and the stream is gone; drop: the stream is gone, and no answer.
 * A read that fails or comes up short answers `error`; the stream's running hash may then hold part of the region.
 * Exported for tests, which run it behind a few lines of their own (a thread that dies, a slow one).
 */
export const DIGEST_THREAD_SOURCE = `
const { createHash } = require('node:crypto');
const { readSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
const streams = new Map();
const buffer = Buffer.allocUnsafe(1 << 20);
const running = (stream) => {
  let hash = streams.get(stream);
  if (!hash) streams.set(stream, (hash = createHash('sha256')));
  return hash;
};
const hashRegion = (fd, start, end, hashers) => {
  for (let at = start; at < end; ) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
    if (n === 0) throw new Error('the partial file ends at ' + at + ', before ' + end);
    for (const hasher of hashers) hasher.update(buffer.subarray(0, n));
    at += n;
  }
};
parentPort.on('message', (m) => {
  if (m.op === 'drop') return void streams.delete(m.stream);
  let reply = {};
  try {
    if (m.op === 'feed') hashRegion(m.fd, m.start, m.end, [running(m.stream)]);
    else if (m.op === 'check') {
      const chunk = createHash('sha256');
      const whole = m.whole ? running(m.stream).copy() : undefined;
      hashRegion(m.fd, m.start, m.end, whole ? [chunk, whole] : [chunk]);
      reply = { hash: chunk.digest('hex') };
      if (whole && reply.hash === m.address) streams.set(m.stream, whole);
    } else {
      reply = { hash: running(m.stream).digest('hex') };
      streams.delete(m.stream);
    }
  } catch (error) {
    reply = { error: { message: String(error && error.message), code: error && typeof error.code === 'string' ? error.code : undefined } };
  }
  parentPort.postMessage({ id: m.id, ...reply });
});`;

const RETRY_THREAD_MS = 30_000;

/** The answer to a request whose thread is gone: the stream's running hash is lost with it. */
export const LOST = 'lost';

interface Thread {
  worker: Worker;
  out: Map<number, (reply: DigestReply | typeof LOST) => void>;
  dead: boolean;
}

export class DigestThreads {
  private thread: Thread | undefined;
  private failedAt = -Infinity;
  private nextId = 1;
  private nextStream = 1;

  // No inherited --import preloads (services/lib/worker-thread.ts says why).
  constructor(private readonly start: () => Worker = () => new Worker(DIGEST_THREAD_SOURCE, { eval: true, execArgv: [] })) {}

  /** Requests not answered yet (tests: none may be out once a pull has returned). */
  get outstanding(): number {
    return this.thread?.out.size ?? 0;
  }

  /** A new running hash on the thread; undefined when no thread can run now (the caller hashes on its own). */
  open(): DigestStream | undefined {
    const thread = this.thread ?? this.spawn();
    const stream = this.nextStream++;
    return thread ? new DigestStream((op) => this.send(thread, { ...op, id: this.nextId++, stream })) : undefined;
  }

  /** Stops the thread (tests); every request out answers LOST. */
  async close(): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    this.lose(thread);
    await thread.worker.terminate();
  }

  private send(thread: Thread, request: DigestRequest): Promise<DigestReply | typeof LOST> {
    if (thread.dead) return Promise.resolve(LOST);
    if (request.op === 'drop') {
      thread.worker.postMessage(request); // reads nothing and answers nothing: no one waits for it
      return Promise.resolve({ id: request.id });
    }
    return new Promise((resolve) => {
      if (thread.out.size === 0) thread.worker.ref(); // a request out keeps the process alive; an idle thread does not
      thread.out.set(request.id, resolve);
      thread.worker.postMessage(request);
    });
  }

  private spawn(): Thread | undefined {
    if (performance.now() - this.failedAt < RETRY_THREAD_MS) return undefined;
    let worker: Worker;
    try {
      worker = this.start();
    } catch {
      this.failedAt = performance.now();
      return undefined;
    }
    const thread: Thread = { worker, out: new Map(), dead: false };
    worker.on('message', (reply: DigestReply) => {
      const resolve = thread.out.get(reply.id);
      if (!resolve) return;
      thread.out.delete(reply.id);
      if (thread.out.size === 0) worker.unref();
      resolve(reply);
    });
    const failed = (): void => {
      if (thread.dead) return;
      this.failedAt = performance.now();
      this.lose(thread);
    };
    worker.on('error', failed);
    worker.on('exit', failed);
    worker.unref(); // after the listeners: attaching 'message' refs the thread again
    this.thread = thread;
    return thread;
  }

  private lose(thread: Thread): void {
    thread.dead = true;
    if (this.thread === thread) this.thread = undefined;
    const out = [...thread.out.values()];
    thread.out.clear();
    thread.worker.unref();
    for (const resolve of out) resolve(LOST);
  }
}

/** One file's running hash on the thread. Each call rejects with the thread's read error, or answers LOST. */
export class DigestStream {
  constructor(private readonly post: (op: Op) => Promise<DigestReply | typeof LOST>) {}

  /** Feeds bytes [start, end) of `fd` in. */
  async feed(fd: number, start: number, end: number): Promise<void | typeof LOST> {
    const reply = await this.send({ op: 'feed', fd, start, end });
    return reply === LOST ? LOST : undefined;
  }

  /** The SHA-256 of bytes [start, end) of `fd`; with `whole`, fed in if it equals `address`. */
  async check(fd: number, start: number, end: number, address: string, whole: boolean): Promise<string | typeof LOST> {
    return this.hashOf(await this.send({ op: 'check', fd, start, end, address, whole }));
  }

  /** The digest of all fed; the stream is gone. */
  async finish(): Promise<string | typeof LOST> {
    return this.hashOf(await this.send({ op: 'finish' }));
  }

  /** Forgets the stream (it reads nothing, so nothing waits for it). */
  drop(): void {
    void this.send({ op: 'drop' });
  }

  private async send(op: Op): Promise<DigestReply | typeof LOST> {
    const reply = await this.post(op);
    if (reply !== LOST && reply.error) throw Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
    return reply;
  }

  private hashOf(reply: DigestReply | typeof LOST): string | typeof LOST {
    if (reply === LOST) return LOST;
    // Our own thread, but an answer that is not a hash is not trusted: as if the thread were gone.
    return typeof reply.hash === 'string' && /^[0-9a-f]{64}$/.test(reply.hash) ? reply.hash : LOST;
  }
}

let shared: DigestThreads | undefined;
/** The process's digest thread, started on first use. */
export function digestThreads(): DigestThreads {
  shared ??= new DigestThreads();
  return shared;
}
