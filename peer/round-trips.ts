/**
 * The bookkeeping of a peer's own round trips through the hub (peer/heartbeat.ts): their numbers, when one last came
 * back, which ones a caller waits for (`sync`), and what a returning one says: the first back, a normal one, or one
 * after others that never came back (a gap: the hub dropped messages for this peer).
 */
import { randomBytes } from 'node:crypto';
import { HubError } from './errors.ts';
import { heartbeat, heartbeatValue } from './heartbeat.ts';
import type { Envelope } from '../shared/protocol/index.ts';

export type BeatOutcome = { kind: 'ignored' } | { kind: 'back' } | { kind: 'gap'; missing: number };

export class RoundTrips {
  private seq = 0;
  /** The highest number seen back on this connection (0: none yet). */
  private lastSeen = 0;
  private lastBackAt = 0;
  private readonly waiting = new Map<number, { done(): void; fail(error: Error): void }>();
  private readonly nonce = randomBytes(8).toString('hex');

  constructor(
    private readonly name: string,
    private readonly now: () => number,
  ) {}

  /** The next round trip's message. */
  next(): { seq: number; message: Envelope<'Update'> } {
    const seq = ++this.seq;
    return { seq, message: heartbeat(this.name, { Seq: seq, SentAt: this.now(), Nonce: this.nonce }) };
  }

  /** The connection is up with round trip `seq`: numbering gaps count from here. */
  start(seq: number): void {
    this.lastSeen = seq;
    this.lastBackAt = this.now();
  }

  /** Milliseconds since one came back. */
  get silentFor(): number {
    return this.now() - this.lastBackAt;
  }

  /** The number a returning round trip carries when it is one of this peer's, or null (forged, or not a round trip). */
  ours(value: unknown): number | null {
    const beat = heartbeatValue(value);
    return beat && beat.Nonce === this.nonce && beat.Seq >= 1 && beat.Seq <= this.seq ? beat.Seq : null;
  }

  /** A round trip came back (its wire Value); anything not sent by this peer is ignored. */
  back(value: unknown): BeatOutcome {
    const seq = this.ours(value);
    if (seq === null) return { kind: 'ignored' };
    const beat = { Seq: seq };
    this.lastBackAt = this.now();
    const waiter = this.waiting.get(beat.Seq);
    if (waiter) {
      this.waiting.delete(beat.Seq);
      waiter.done();
    }
    const missing = beat.Seq - this.lastSeen - 1;
    if (beat.Seq > this.lastSeen) this.lastSeen = beat.Seq;
    return missing > 0 ? { kind: 'gap', missing } : { kind: 'back' };
  }

  /** Resolves when round trip `seq` comes back; rejects after `timeoutMs` or when the connection ends. */
  waitFor(seq: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new HubError('TIMEOUT', `${this.name}: the hub did not route a round trip within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, {
        done: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** The connection ended: whoever waits is told, and the numbering starts over at the next connection. */
  ended(reason: string): void {
    for (const waiter of this.waiting.values()) waiter.fail(new HubError('DISCONNECTED', `the hub connection ended: ${reason}`));
    this.waiting.clear();
    this.lastSeen = 0;
  }
}
