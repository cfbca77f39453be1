/** The hub's health counters and the `Stats` value it answers Gets with (see docs/PROTOCOL-EXTENSIONS.md). */

export interface HubStats {
  /** Peers connected now. */
  Peers: number;
  /** Valid messages received from peers (control frames and invalid frames not included). */
  MessagesIn: number;
  /** Messages delivered to peers, one per receiver, the hub's own answers and Logs included. */
  MessagesOut: number;
  MessagesInPerSecond: number;
  MessagesOutPerSecond: number;
  /** `LOWPRIO_` broadcast Updates not delivered to a peer above the soft limit (one per peer and message). */
  Dropped: number;
  /** Frames refused: invalid JSON, topic or message, oversized, or a broken attachment sequence. */
  Invalid: number;
  /** Peers disconnected for passing the hard limit. */
  Disconnected: number;
  StartedAt: string;
}

export const STATS_FIELDS = [
  'Peers', 'MessagesIn', 'MessagesOut', 'MessagesInPerSecond', 'MessagesOutPerSecond', 'Dropped', 'Invalid',
  'Disconnected', 'StartedAt',
] as const satisfies ReadonlyArray<keyof HubStats>;

/** Seconds in the sliding window the per-second rates are averaged over. */
const WINDOW_SECONDS = 5;
const TICK_MS = 1000;

/** Plain counters bumped on the hot path; rates come from a 1 s tick over a short sliding window. */
export class StatsTracker {
  messagesIn = 0;
  messagesOut = 0;
  dropped = 0;
  invalid = 0;
  disconnected = 0;
  readonly startedAt = new Date().toISOString();

  private readonly inPerTick: number[] = [];
  private readonly outPerTick: number[] = [];
  private lastIn = 0;
  private lastOut = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    // Stats must never keep a process alive on their own.
    this.timer.unref();
  }

  private tick(): void {
    push(this.inPerTick, this.messagesIn - this.lastIn);
    push(this.outPerTick, this.messagesOut - this.lastOut);
    this.lastIn = this.messagesIn;
    this.lastOut = this.messagesOut;
  }

  snapshot(peers: number): HubStats {
    return {
      Peers: peers,
      MessagesIn: this.messagesIn,
      MessagesOut: this.messagesOut,
      MessagesInPerSecond: average(this.inPerTick),
      MessagesOutPerSecond: average(this.outPerTick),
      Dropped: this.dropped,
      Invalid: this.invalid,
      Disconnected: this.disconnected,
      StartedAt: this.startedAt,
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function push(window: number[], count: number): void {
  window.push(count);
  if (window.length > WINDOW_SECONDS) window.shift();
}

/** Messages per second over the completed ticks of the window (0 before the first tick). */
function average(window: readonly number[]): number {
  if (window.length === 0) return 0;
  let sum = 0;
  for (const n of window) sum += n;
  return Math.round((sum / window.length) * 10) / 10;
}

/**
 * The Value for a Get of `Name` on the hub: `Stats` is the whole object, `Stats.<field>` one field, anything else null
 * (docs/PROTOCOL.md §1: a Get for a value the service does not have is answered with null).
 */
export function statsValue(name: string, stats: HubStats): unknown {
  if (name === 'Stats') return stats;
  if (!name.startsWith('Stats.')) return null;
  const field = name.slice('Stats.'.length);
  return (STATS_FIELDS as readonly string[]).includes(field) ? stats[field as keyof HubStats] : null;
}
