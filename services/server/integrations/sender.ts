/**
 * Sends delivery batches (contract.ts postBatch) from a worker thread (sender.worker.ts), so that writing a ~70 KB
 * request and reading and checking its answer run beside the engine's catalogue reads and database writes instead
 * of between them.
 *
 * Nothing depends on the thread: while it cannot run (it failed to start or died), batches are posted from the
 * calling thread and it is tried again after RETRY_THREAD_MS. A batch out on a thread that dies resolves as a failed
 * attempt with the reason (retried under its delivery id like any failed batch); a cancelled one resolves aborted.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../../lib/worker-thread.ts';
import { postBatch, type PostOutcome, type PostRequest } from './contract.ts';

/**
 * Messages to the thread: a batch to post or a cancel. A text body goes as it is (a flat copy); the thread encodes it,
 * so the engine's thread never does.
 */
export type SenderRequest =
  | { type: 'post'; id: number; request: Omit<PostRequest, 'cancel'> }
  | { type: 'cancel'; id: number };
/** The thread's answer: one per posted batch. */
export interface SenderReply { id: number; outcome: PostOutcome }

/** After the thread failed, batches go out from the calling thread this long before a new thread is tried. */
export const RETRY_THREAD_MS = 30_000;

const cancelled: PostOutcome = { ok: false, httpStatus: null, reason: 'cancelled', response: null, aborted: true };

/** The thread (services/lib/worker-thread.ts): `sender.worker.ts`, or its bundle beside the services'. */
const startThread = (): Worker => startWorkerThread(import.meta.url, 'sender');

interface Waiting { resolve: (outcome: PostOutcome) => void; cancel: AbortSignal; onAbort: () => void }

export class DeliverySender {
  private thread: Worker | null = null;
  private threadFailedAt = -Infinity;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;

  /** @param onThreadFailure told (for the log) when the thread fails; batches then go out from this thread for a while. */
  constructor(private readonly onThreadFailure: (reason: string) => void = () => {}, private readonly start: () => Worker = startThread) {}

  /** Whether batches currently go out through the worker thread (false while it is being retried later). */
  get threaded(): boolean {
    return this.thread !== null;
  }

  post(request: PostRequest): Promise<PostOutcome> {
    if (this.closed || request.cancel.aborted) return Promise.resolve(cancelled);
    const thread = this.ensureThread();
    if (!thread) return postBatch(request);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const onAbort = () => thread.postMessage({ type: 'cancel', id } satisfies SenderRequest);
      request.cancel.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, { resolve, cancel: request.cancel, onAbort });
      const message: SenderRequest = {
        type: 'post', id,
        request: {
          url: request.url, secret: request.secret, body: request.body, deliveryId: request.deliveryId, timeoutMs: request.timeoutMs, nowSeconds: request.nowSeconds,
          maxResponseBytes: request.maxResponseBytes,
        },
      };
      thread.postMessage(message);
    });
  }

  /** Stops the thread; batches still out resolve as cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = null;
    for (const id of [...this.waiting.keys()]) this.answer(id, cancelled);
    if (thread) await thread.terminate();
  }

  private answer(id: number, outcome: PostOutcome): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    w.cancel.removeEventListener('abort', w.onAbort);
    w.resolve(outcome);
  }

  private ensureThread(): Worker | null {
    if (this.thread) return this.thread;
    if (performance.now() - this.threadFailedAt < RETRY_THREAD_MS) return null;
    let thread: Worker;
    try {
      thread = this.start();
    } catch (error) {
      this.failed(null, `it could not be started: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
    thread.unref(); // an idle sender never keeps the service alive
    thread.on('message', (reply: SenderReply) => this.answer(reply.id, reply.outcome));
    thread.on('error', (error) => this.failed(thread, error.message));
    thread.on('exit', (code) => this.failed(thread, `it exited (code ${code})`));
    this.thread = thread;
    return thread;
  }

  private failed(thread: Worker | null, why: string): void {
    if (thread !== null && this.thread !== thread) return; // an old thread's late event
    this.thread = null;
    if (this.closed) return;
    this.threadFailedAt = performance.now();
    this.onThreadFailure(why);
    for (const [id, w] of [...this.waiting]) {
      this.answer(id, w.cancel.aborted ? cancelled : { ok: false, httpStatus: null, reason: `request failed: the delivery thread stopped (${why})`, response: null });
    }
    if (thread) void thread.terminate();
  }
}
