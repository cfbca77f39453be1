/** Live figures change with every settled batch: panels hear of it at most every `everyMs`, the last change included. */
export class Throttle {
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  private closed = false;

  constructor(private readonly everyMs: number, private readonly fn: () => void) {}

  /** Something changed: `fn` runs now if it has not run for `everyMs`, else once that much time has passed. */
  poke(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.last + this.everyMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.last = Date.now();
      if (!this.closed) this.fn();
    }, wait);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
