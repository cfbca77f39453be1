/**
 * Switches the operator changes through a Set (AutoPull per workspace, per repository and in bulk; an integration's
 * Enabled), keyed so one component can hold many. A switch shows the asked value, busy, until the engine says the
 * service confirmed it; then keeps showing it until the store's copy has it too (the confirming Update and the patch
 * that carries it to the page travel separately) or, if it changed again meanwhile (another panel), for a moment at
 * most. A refusal, or no answer within the time limit, puts it back to what the service holds and is toasted (the
 * failure policy) and kept for a note beside the switch. Without React, so its timing is tested as it is.
 */
import { CommandError, toastFailure, type Failure } from './failure.ts';

/** How long a confirmed value is shown while the store's copy has not caught up. */
export const CONFIRM_GRACE_MS = 2000;
/**
 * How long a Set may go unanswered: the engine answers within its own limit (5 s by default) and the bridge within
 * 45 s, but Electron's IPC has none, and a switch must not stay busy for ever.
 */
export const ANSWER_TIMEOUT_MS = 60_000;

export interface PendingOptions<T> {
  send(key: string, want: T): Promise<void>;
  /** The failure toast's title: what was not changed, e.g. "AutoPull for X was not changed". */
  failed(key: string, want: T): string;
  timeoutMs?: number;
}

export interface PendingView<T> {
  /** What the switch shows: the value asked for while pending, else the store's. */
  shown: T | undefined;
  /** Asked, and not yet answered: the switch is disabled and says "pending…". */
  busy: boolean;
  /** Asked, and the store does not show it yet. */
  pending: boolean;
  /** The last refusal of this key, until it is asked again. */
  failure: Failure | null;
}

interface Asked<T> { want: T; confirmed: boolean; token: number }

export class PendingSets<T> {
  private readonly asked = new Map<string, Asked<T>>();
  private readonly failures = new Map<string, Failure>();
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private tokens = 0;

  constructor(private readonly options: () => PendingOptions<T>) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes whenever a key's view may have (for useSyncExternalStore). */
  readonly snapshot = (): number => this.version;

  view(key: string, value: T | undefined): PendingView<T> {
    const asked = this.asked.get(key);
    const shownByStore = asked !== undefined && asked.confirmed && Object.is(asked.want, value);
    return {
      shown: asked && !shownByStore ? asked.want : value,
      busy: asked !== undefined && !asked.confirmed,
      pending: asked !== undefined && !shownByStore,
      failure: this.failures.get(key) ?? null,
    };
  }

  /** The store's copy of a key: a confirmed Set it shows is over. */
  see(key: string, value: T | undefined): void {
    const asked = this.asked.get(key);
    if (asked?.confirmed && Object.is(asked.want, value)) this.drop(key, asked.token);
  }

  /** Sends the Set; resolves to its failure (already toasted), or null once the service confirmed it. */
  request(key: string, want: T): Promise<Failure | null> {
    const { send, failed, timeoutMs = ANSWER_TIMEOUT_MS } = this.options();
    const token = ++this.tokens;
    this.asked.set(key, { want, confirmed: false, token });
    this.failures.delete(key);
    this.changed();
    return new Promise((resolve) => {
      let settled = false;
      const settle = (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const current = this.asked.get(key)?.token === token;
        if (error === null) {
          if (current) {
            this.asked.set(key, { want, confirmed: true, token });
            setTimeout(() => this.drop(key, token), CONFIRM_GRACE_MS);
            this.changed();
          }
          return resolve(null);
        }
        const failure = toastFailure(failed(key, want), error);
        if (current) {
          this.asked.delete(key);
          this.failures.set(key, failure);
          this.changed();
        }
        resolve(failure);
      };
      const timer = setTimeout(
        () => settle(new CommandError('TIMEOUT', `no confirmation within ${Math.round(timeoutMs / 1000)} s: the switch shows what the service last reported`)),
        timeoutMs,
      );
      // A send that throws at once is refused like one that rejects: the switch must not stay busy.
      new Promise<void>((sent) => sent(send(key, want))).then(() => settle(null), (error: unknown) => settle(error ?? new Error('refused')));
    });
  }

  private drop(key: string, token: number): void {
    if (this.asked.get(key)?.token !== token) return;
    this.asked.delete(key);
    this.changed();
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
