/**
 * Large frames are checked beside the hub, not on its event loop. Decoding a frame of several MB (JSON.parse and the
 * protocol's checks) holds a thread for 100 ms and more; the hub's thread is shared with the reference services in
 * `npm run services`, so one such frame, valid or hostile, would stall every service of the process. A frame over
 * LARGE_FRAME_BYTES is handed to a worker thread (frame-check.worker.ts), and the hub routes it once the answer is
 * back; what routing needs of it comes back small: its topic, its announced
 * Attachment, the canonical wire text when it had to be re-encoded, a control frame's prefixes, or why it is invalid.
 *
 * Nothing depends on the thread: while it cannot run (it failed to start or died) frames are checked on the calling
 * thread, and a new thread is tried after RETRY_THREAD_MS. A frame out on a thread that dies is refused with the reason
 * (a Warning Log to its sender, as any invalid frame).
 */
import type { Worker } from 'node:worker_threads';
import { decodeFrame, encodeFrame } from '../../shared/protocol/frame.ts';
import { encodeTopic, type Topic } from '../../shared/protocol/topic.ts';
import { startWorkerThread } from '../lib/worker-thread.ts';
import { hasCanonicalTopic } from './canonical.ts';

/** Frames larger than this are checked on the worker thread; smaller ones cost well under a millisecond to decode. */
export const LARGE_FRAME_BYTES = 64 * 1024;
/** After the thread failed, frames are checked on the calling thread this long before a new thread is tried. */
export const RETRY_THREAD_MS = 30_000;

export interface CheckRequest { id: number; bytes: Uint8Array }

/** What routing needs of a text frame. */
export type Checked =
  | { kind: 'invalid'; message: string }
  | { kind: 'subscribe' | 'unsubscribe'; prefixes: string[] }
  /** `wire`: the canonical frame text when the frame came in another layout; null when it can go as it came. */
  | { kind: 'message'; topic: Topic; canonicalTopic: string; attachment: number | undefined; wire: string | null };

/** The thread's answer to a request, with the frame's bytes handed back (moved both ways, never copied). */
export type CheckReply = Checked & { id: number; bytes: Uint8Array };

/** The same answers, computed on this thread (no worker, or small frames). */
export function checkHere(bytes: Uint8Array): Checked {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const decoded = decodeFrame(text);
  if (!decoded.ok) return { kind: 'invalid', message: decoded.error.message };
  const frame = decoded.value;
  if (frame.kind !== 'message') return { kind: frame.kind, prefixes: frame.prefixes };
  const { envelope, attachment } = frame;
  const canonicalTopic = encodeTopic(envelope.topic);
  return { kind: 'message', topic: envelope.topic, canonicalTopic, attachment, wire: hasCanonicalTopic(text, canonicalTopic) ? null : encodeFrame(envelope, attachment) };
}

interface Waiting { resolve: (result: { checked: Checked; bytes: Buffer }) => void }

export class FrameChecker {
  private thread: Worker | null = null;
  private threadFailedAt = -Infinity;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;

  /** @param onThreadFailure told (for the log) when the thread fails; frames are then checked on this thread for a while. */
  constructor(
    private readonly onThreadFailure: (reason: string) => void = () => {},
    private readonly start: () => Worker = () => startWorkerThread(import.meta.url, 'frame-check'),
  ) {}

  /**
   * Checks a WebSocket text frame, and gives its bytes back: they are moved to the thread and back when they own
   * their memory (a Buffer of a large frame does), so that a frame of 16 MiB is neither copied nor cloned here (on
   * these machines either costs ~50 ms); bytes sharing their memory are copied first.
   */
  text(bytes: Buffer): Promise<{ checked: Checked; bytes: Buffer }> {
    const thread = this.closed ? null : this.ensureThread();
    if (!thread) return Promise.resolve({ checked: checkHere(bytes), bytes });
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : Buffer.from(bytes);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, { resolve });
      thread.postMessage({ id, bytes: own } satisfies CheckRequest, [own.buffer as ArrayBuffer]);
    });
  }

  private ensureThread(): Worker | null {
    if (this.thread) return this.thread;
    if (Date.now() - this.threadFailedAt < RETRY_THREAD_MS) return null;
    try {
      const thread = this.start();
      thread.unref();
      thread.on('message', (reply: CheckReply) => {
        const waiting = this.waiting.get(reply.id);
        if (!waiting) return;
        this.waiting.delete(reply.id);
        const { id: _, bytes, ...checked } = reply;
        waiting.resolve({ checked, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
      });
      thread.on('error', (error) => this.fail(`the frame checker thread failed: ${error.message}`));
      thread.on('exit', (code) => {
        if (!this.closed) this.fail(`the frame checker thread exited (${code})`);
      });
      this.thread = thread;
      return thread;
    } catch (error) {
      this.fail(`the frame checker thread could not start: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  /** The thread is gone, and the frames it held with it (their bytes were moved there): they are refused, saying why. */
  private fail(reason: string): void {
    if (this.thread === null && this.waiting.size === 0) return;
    this.thread = null;
    this.threadFailedAt = Date.now();
    this.onThreadFailure(reason);
    const lost = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of lost) w.resolve({ checked: { kind: 'invalid', message: `lost with the hub's frame checker thread (${reason}); send it again` }, bytes: Buffer.alloc(0) });
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = null;
    for (const w of this.waiting.values()) w.resolve({ checked: { kind: 'invalid', message: 'the hub is closing' }, bytes: Buffer.alloc(0) });
    this.waiting.clear();
    await thread?.terminate();
  }
}
