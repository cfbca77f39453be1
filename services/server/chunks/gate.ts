/**
 * A shared/exclusive gate between the users of chunks and the collection of unreferenced ones. Shared holders (a
 * HEAD that refreshes a chunk, a commit between checking its chunks and recording them) run together; the collector
 * waits for them to finish and holds new ones back until its batch is done, so a chunk is never deleted between
 * being found present and being referenced or refreshed. Not re-entrant: a shared holder must not wait for another.
 */
export class Gate {
  private holders = 0;
  private drained: (() => void) | undefined;
  /** The exclusive section waiting or running; shared entrants queue behind it. */
  private exclusiveTurn: Promise<void> | undefined;

  /** Whether an exclusive section is waiting for shared holders or running (for tests and logs). */
  get exclusiveWaiting(): boolean {
    return this.exclusiveTurn !== undefined;
  }

  async shared<T>(fn: () => Promise<T> | T): Promise<T> {
    while (this.exclusiveTurn) await this.exclusiveTurn;
    this.holders++;
    try {
      return await fn();
    } finally {
      if (--this.holders === 0) this.drained?.();
    }
  }

  async exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    while (this.exclusiveTurn) await this.exclusiveTurn;
    let release = (): void => {};
    this.exclusiveTurn = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.holders > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await fn();
    } finally {
      this.exclusiveTurn = undefined;
      release();
    }
  }
}
