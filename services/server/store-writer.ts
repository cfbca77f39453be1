/**
 * Writes that would hold the event loop for long (a commit of thousands of files: seconds of SQLite work, and a
 * final fsync of hundreds of milliseconds) are done in slices: short transactions of about SLICE_MS each, the loop
 * turning between them, so every other service of the process goes on. One such writer at a time holds the server's
 * connection; between its slices the database holds a half-written commit, so nobody else may use the connection
 * then: the guard refuses every statement (STORE_BUSY), and the service host and the integration workers wait for
 * `idle()` first, checked again right before they touch it (docs/PROTOCOL-EXTENSIONS.md, "Large commits and new
 * branches").
 */
import { setImmediate as turn } from 'node:timers/promises';
import { ServiceFailure } from '../lib/failure.ts';

/** How long one slice may run before the loop turns (its transaction's commit comes on top: ~5–30 ms here). */
export const SLICE_MS = 10;

/** Runs synchronous work as the holder of the connection, then lets the loop turn. */
export type Slice = <R>(work: () => R) => Promise<R>;

export class StoreWriter {
  private turn: Promise<void> | undefined;
  private inSlice = false;

  /** A promise while a writer holds the connection (resolved when it lets go), else undefined. */
  idle(): Promise<void> | undefined {
    return this.turn;
  }

  /** The connection's guard: throws while a writer holds it and is not in one of its slices. */
  check(): void {
    if (this.turn && !this.inSlice) throw new ServiceFailure('STORE_BUSY', 'the server is writing a large commit: try again when it has finished');
  }

  /**
   * Holds the connection for `fn`, after any writer holding it now. `fn` touches the database only inside `slice`,
   * which runs its synchronous work and then lets the loop turn.
   */
  async hold<T>(fn: (slice: Slice) => Promise<T>): Promise<T> {
    while (this.turn) await this.turn;
    let release = (): void => {};
    this.turn = new Promise<void>((resolve) => (release = resolve));
    try {
      return await fn(this.slice);
    } finally {
      this.turn = undefined;
      release();
    }
  }

  private readonly slice = async <R>(work: () => R): Promise<R> => {
    this.inSlice = true;
    let result: R;
    try {
      result = work();
    } finally {
      this.inSlice = false;
    }
    await turn();
    return result;
  };
}

/** Calls `step(i)` for i from 0 to n - 1, about SLICE_MS of them in each `slice` (each its own transaction when asked). */
export async function inSlices(n: number, slice: Slice, step: (i: number) => void, transaction?: (work: () => void) => void): Promise<void> {
  let i = 0;
  while (i < n) {
    await slice(() => {
      const work = () => {
        const start = performance.now();
        do step(i++);
        while (i < n && performance.now() - start < SLICE_MS);
      };
      if (transaction) transaction(work);
      else work();
    });
  }
}
