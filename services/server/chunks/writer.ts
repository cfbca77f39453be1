/**
 * Sequential writes of incoming pieces to a file at increasing positions, overlapped with their arrival: one write runs
 * while the next pieces queue up, and the queue goes out as one writev when it finishes. When the disk is slower than
 * the network the writes grow by themselves (fewer, larger writes are markedly cheaper to write and fsync than many
 * 64 KiB ones); when it is faster, bytes reach the file as soon as they arrive. The queue is capped, so memory per
 * upload stays bounded and a slow disk pushes back on the network.
 */
import type { FileHandle } from 'node:fs/promises';

const MAX_QUEUED_BYTES = 2 * 1024 * 1024;

export class BatchWriter {
  private readonly handle: FileHandle;
  private next: number;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(handle: FileHandle, position: number) {
    this.handle = handle;
    this.next = position;
  }

  /** Queues a piece and starts writing if idle; waits only while the queue is full. Rejects once a write failed. */
  async add(piece: Uint8Array): Promise<void> {
    this.rethrow();
    this.queue.push(piece);
    this.queuedBytes += piece.length;
    // Cleared in a callback, so it is never left set even if drain() had nothing to do.
    this.writing ??= this.drain().finally(() => (this.writing = undefined));
    while (this.queuedBytes >= MAX_QUEUED_BYTES && this.writing) await this.writing;
    this.rethrow();
  }

  /** Waits until everything queued is written; rejects with the first write error. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    this.rethrow();
  }

  /** Writes the queue batch after batch until it is empty. Never rejects: a failure is kept and rethrown to callers. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure) {
        const buffers = this.queue;
        const position = this.next;
        this.next += this.queuedBytes;
        this.queue = [];
        this.queuedBytes = 0;
        await writeAll(this.handle, buffers, position);
      }
    } catch (error) {
      this.failure = { error };
    }
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}

async function writeAll(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    rest = dropBytes(rest, bytesWritten);
  }
}

/** The buffers left after the first `count` bytes were written (a short writev is legal, if rare on files). */
function dropBytes(buffers: Uint8Array[], count: number): Uint8Array[] {
  let left = count;
  let i = 0;
  while (i < buffers.length && left >= (buffers[i] as Uint8Array).length) left -= (buffers[i++] as Uint8Array).length;
  const rest = buffers.slice(i);
  if (left > 0 && rest[0]) rest[0] = rest[0].subarray(left);
  return rest;
}
