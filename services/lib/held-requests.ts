/**
 * The requests to a service (Get, Set, Reset, Call), handled in arrival order one per turn of the event loop: a burst
 * (twenty clients' GetChanges arriving together, each ~20 ms of work) is spread over turns instead of holding the
 * process's loop for all of it at once; a lone request is handled at once. While the service is busy (ServiceDefinition
 * `busy`: the server writing a large commit in slices) they wait, with its state broadcasts. Bounded, so a peer
 * flooding a service costs it bounded memory: past MAX_HELD requests or MAX_HELD_BYTES waiting, one more is refused.
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { Envelope } from '../../shared/protocol/index.ts';

const MAX_HELD = 10_000;
const MAX_HELD_BYTES = 64 * 1024 * 1024;

export interface HeldHandlers {
  /** Whether the service is busy: a promise that settles when it may be free. */
  busy(): Promise<void> | undefined;
  dispatch(message: Envelope): void;
  broadcast(state: string): void;
  /** A request that could not be held (bounds reached). */
  refuse(message: Envelope): void;
}

export class HeldRequests {
  private readonly requests: Array<{ message: Envelope; bytes: number }> = [];
  private bytes = 0;
  private readonly states = new Set<string>();
  private draining = false;

  constructor(private readonly handlers: HeldHandlers) {}

  add(message: Envelope, bytes: number): void {
    if (this.requests.length >= MAX_HELD || this.bytes + bytes > MAX_HELD_BYTES) return this.handlers.refuse(message);
    this.requests.push({ message, bytes });
    this.bytes += bytes;
    void this.drain();
  }

  addState(state: string): void {
    this.states.add(state);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        const busy = this.handlers.busy();
        if (busy) {
          await busy;
          continue;
        }
        const next = this.requests.shift();
        if (next) {
          this.bytes -= next.bytes;
          this.handlers.dispatch(next.message);
          // The next request in a later turn, even one that arrives during this one (a socket delivers a burst of
          // frames in one turn): what else the process has to do comes in between.
          await turn();
          continue;
        }
        if (this.states.size === 0) break;
        const states = [...this.states];
        this.states.clear();
        for (const state of states) this.handlers.broadcast(state);
      }
    } finally {
      this.draining = false;
    }
  }
}
