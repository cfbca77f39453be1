/**
 * The answers to the Gateway's requests. Each request has a name of its own on the hub (`<gateway>-<n>`), used as its
 * RespondTo; the Gateway's peer subscribes once to every Update, CallResult and Log addressed to any of them (one
 * prefix per Type, `{"Type":"Update","Target":"<gateway>-` without a closing quote: ZeroMQ prefix semantics), and this
 * table hands each one to its request by exact Target. A Set or Reset has no RespondTo: its answer is the target's
 * next BROADCAST Update of that state, for which the peer holds a subscription per target while such a request waits.
 * Real Pixotope peers on the ZeroMQ fabric may write an Update or Log with Source before Target, or without Target
 * (read as BROADCAST), bytes the hub matches as sent: the peer also subscribes to those (FOREIGN_ORDER_PREFIXES),
 * whatever their Target, and this table keeps only those whose decoded Target is a waiting request's name, or
 * BROADCAST from a waiting Set's or Reset's target.
 *
 * A request ends with its answer (the Update, the CallResult with its ID, the broadcast) or after the time limit; it
 * resolves with the answer first, so that a Get's value is at `[0].Message.Value`, then what else came for it (Logs;
 * a refused Set's Warning), at most MAX_REPLIES messages. Nobody answering is `[]`.
 * Why not the peer's own correlation (peer/correlation.ts): it answers with the decoded Value alone, shares one request
 * between concurrent Gets and has one RespondTo, where a Gateway client wants the reply messages themselves.
 */
import { BROADCAST, FOREIGN_ORDER_PREFIXES, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import type { Awaited } from './publish.ts';

interface Waiting {
  awaited: Awaited;
  answer: Envelope | null;
  others: Envelope[];
  timer: NodeJS.Timeout | null;
  resolve(replies: Envelope[]): void;
}

export interface RepliesOptions {
  /** The prefix of every request name (the Gateway's peer name and `-`). */
  prefix: string;
  timeoutMs: number;
  maxReplies: number;
  /** Subscribes to prefixes; resolves once they are in force (a round trip through the hub). */
  subscribe(prefixes: readonly string[]): Promise<void>;
  unsubscribe(prefixes: readonly string[]): void;
}

/** The Updates and Logs whose Source comes second (the Gateway reads no Self). */
const FOREIGN_REPLY_PREFIXES = FOREIGN_ORDER_PREFIXES.filter((p) => p.startsWith(topicPrefix('Update')) || p.startsWith(topicPrefix('Log')));

/**
 * The prefixes that bring every reply addressed to a request name starting with `prefix`, and the Updates and Logs
 * written with Source before Target (or without Target), whatever they are addressed to: onMessage sorts them out.
 */
export function replyPrefixes(prefix: string): string[] {
  const open = (p: string): string => p.slice(0, -1); // without the closing quote: every name that starts so
  return [
    open(topicPrefix('Update', { Target: prefix })),
    open(topicPrefix('CallResult', { Target: prefix })),
    open(topicPrefix('Log', { Target: prefix })),
    ...FOREIGN_REPLY_PREFIXES,
  ];
}

/** What a Set or Reset on `source` waits for: its BROADCAST Updates, and its BROADCAST Logs (a refused Set says why). */
const broadcastPrefixes = (source: string): string[] => [
  topicPrefix('Update', { Target: BROADCAST, Source: source }),
  topicPrefix('Log', { Target: BROADCAST, Source: source }),
];

export class Replies {
  private readonly waiting = new Map<string, Waiting>();
  /** The Sets and Resets waiting (request names, in order), by the target whose broadcasts answer them. */
  private readonly bySource = new Map<string, Set<string>>();
  /** Per Set/Reset target: how many requests wait on its broadcasts, and when their subscription is in force. */
  private readonly watched = new Map<string, { count: number; ready: Promise<void> }>();
  private next = 0;

  constructor(private readonly options: RepliesOptions) {}

  get pending(): number {
    return this.waiting.size;
  }

  /** A fresh request name. */
  name(): string {
    this.next += 1;
    return `${this.options.prefix}${this.next}`;
  }

  /**
   * Before publishing a Set or Reset: makes sure the target's broadcasts reach the Gateway. Resolves to a release
   * function to call once the request is done.
   */
  async watch(source: string): Promise<() => void> {
    let entry = this.watched.get(source);
    if (!entry) {
      const ready = this.options.subscribe(broadcastPrefixes(source));
      entry = { count: 0, ready };
      this.watched.set(source, entry);
    }
    entry.count += 1;
    const current = entry;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      current.count -= 1;
      if (current.count === 0 && this.watched.get(source) === current) {
        this.watched.delete(source);
        this.options.unsubscribe(broadcastPrefixes(source));
      }
    };
    try {
      await current.ready;
    } catch (error) {
      release();
      if (this.watched.get(source) === current) this.watched.delete(source);
      throw error;
    }
    return release;
  }

  /** Starts waiting for request `name`'s answer; call before publishing. Resolves with the replies, `[]` when none. */
  wait(name: string, awaited: Awaited): Promise<Envelope[]> {
    return new Promise((resolve) => {
      const waiting: Waiting = { awaited, answer: null, others: [], timer: null, resolve };
      waiting.timer = setTimeout(() => this.finish(name), this.options.timeoutMs);
      this.waiting.set(name, waiting);
      if (awaited.kind === 'broadcast') {
        const names = this.bySource.get(awaited.source);
        if (names) names.add(name);
        else this.bySource.set(awaited.source, new Set([name]));
      }
    });
  }

  /** Ends a request now with what it has (its publication failed, or the Gateway closes). */
  finish(name: string): void {
    const waiting = this.waiting.get(name);
    if (!waiting) return;
    this.waiting.delete(name);
    if (waiting.awaited.kind === 'broadcast') {
      const names = this.bySource.get(waiting.awaited.source);
      names?.delete(name);
      if (names?.size === 0) this.bySource.delete(waiting.awaited.source);
    }
    if (waiting.timer) clearTimeout(waiting.timer);
    waiting.resolve(waiting.answer ? [waiting.answer, ...waiting.others] : waiting.others);
  }

  finishAll(): void {
    for (const name of [...this.waiting.keys()]) this.finish(name);
  }

  /** Every message the Gateway's peer receives. */
  onMessage(message: Envelope): void {
    const topic = message.topic;
    if (topic.Type !== 'Update' && topic.Type !== 'CallResult' && topic.Type !== 'Log') return;
    if (topic.Target === BROADCAST) {
      if (topic.Type !== 'CallResult') this.onBroadcast(message, topic.Source);
      return;
    }
    const waiting = this.waiting.get(topic.Target);
    if (!waiting) return;
    const { awaited } = waiting;
    const answers = (awaited.kind === 'get' && topic.Type === 'Update') || (awaited.kind === 'call' && topic.Type === 'CallResult' && topic.ID === awaited.id);
    if (answers) {
      waiting.answer = message;
      this.finish(topic.Target);
    } else {
      this.keep(waiting, message);
    }
  }

  /** A broadcast costs only the requests waiting on its Source (every foreign-order broadcast on the fabric comes here). */
  private onBroadcast(message: Envelope, source: string): void {
    const names = this.bySource.get(source);
    if (!names) return;
    for (const name of [...names]) {
      const waiting = this.waiting.get(name);
      if (!waiting || waiting.awaited.kind !== 'broadcast') continue;
      const { awaited } = waiting;
      if (message.topic.Type === 'Update' && message.topic.Name === awaited.state) {
        waiting.answer = message;
        this.finish(name);
      } else if (message.topic.Type === 'Log') {
        this.keep(waiting, message);
      }
    }
  }

  private keep(waiting: Waiting, message: Envelope): void {
    if (waiting.others.length < this.options.maxReplies - 1) waiting.others.push(message);
  }
}
