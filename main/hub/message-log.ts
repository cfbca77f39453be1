/**
 * The message log: every frame in and out, as LogEntry (shared/panel/api.ts), in a ring buffer. Bounded twice: by
 * entry count (capacity, default 10,000) and by the characters of the bodies it holds (so 10,000 frames of 64 KiB
 * cannot take 1.3 GB); the oldest entries go first. Pausing stops recording; clearing empties it.
 */
import { LOG_BODY_LIMIT, type LogEntry } from '../../shared/panel/api.ts';
import { writeOnlyFields } from '../../shared/assethub/state-traits.ts';
import { decodeKey, type Envelope } from '../../shared/protocol/index.ts';

export const DEFAULT_LOG_CAPACITY = 10_000;
/** Body characters the ring may hold in all (UTF-16: about twice as many bytes). */
export const LOG_BODY_BUDGET = 32 * 1024 * 1024;

/**
 * A Set's write-only field (by the states' traits, shared/assethub/state-traits.ts: an integration's `"Secret": "…"`)
 * as it is shown in the log. Any Set's, whatever its state: a value that must not come back must not be kept either.
 */
export const REDACTED = '(write-only: not logged)';

/**
 * A Set's body without the string values of the fields named in `fields`: the Value itself when the Set's Name ends in
 * one (`Integrations.DAM.Secret`), else each such field anywhere in the JSON text. Null when there are no fields.
 */
function redactor(fields: readonly string[]): ((body: string, set: Envelope<'Set'>) => string) | null {
  if (fields.length === 0) return null;
  const names = new Set(fields);
  const keys = fields.map((f) => JSON.stringify(f));
  const alternatives = keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  // `"Secret":"…"`, the value a JSON string with its escapes.
  const pattern = new RegExp(`(${alternatives}):"(?:[^"\\\\]|\\\\.)*"`, 'g');
  const shown = JSON.stringify(REDACTED);
  return (body, set) => {
    const field = decodeKey(set.topic.Name.slice(set.topic.Name.lastIndexOf('.') + 1));
    if (names.has(field) && typeof set.message.Value === 'string') return JSON.stringify({ ...set.message, Value: REDACTED });
    return keys.some((k) => body.includes(k)) ? body.replace(pattern, (_match, key: string) => `${key}:${shown}`) : body;
  };
}

const isSet = (m: Envelope | null): m is Envelope<'Set'> => m?.topic.Type === 'Set';

/** A copy that does not keep a large parent string alive (V8 slices share their parent's memory). */
const detach = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

export class MessageLog {
  private ring: Array<LogEntry | undefined>;
  private start = 0;
  private count = 0;
  private chars = 0;
  private seq = 0;
  paused = false;

  private readonly redact: ((body: string, set: Envelope<'Set'>) => string) | null;

  constructor(
    private cap: number = DEFAULT_LOG_CAPACITY,
    private readonly budget: number = LOG_BODY_BUDGET,
    private readonly now: () => number = Date.now,
    /** Field names never logged in a Set: the write-only fields of the states' traits. */
    writeOnly: readonly string[] = writeOnlyFields(),
  ) {
    this.ring = new Array<LogEntry | undefined>(cap);
    this.redact = redactor(writeOnly);
  }

  get capacity(): number {
    return this.cap;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Records one message; returns its entry, or null while paused. `body` is its Message as JSON text (the whole
   * control frame or undecodable input when `message` is null); `size` its byte length on the wire.
   */
  record(direction: 'in' | 'out', text: string, message: Envelope | null, size: number): LogEntry | null {
    if (this.paused) return null;
    let body = text;
    if (isSet(message) && this.redact) body = this.redact(body, message);
    const truncated = body.length > LOG_BODY_LIMIT;
    if (truncated) body = detach(body.slice(0, LOG_BODY_LIMIT));
    else if (body.length > 1024 && body.length * 4 < size) body = detach(body);
    const entry: LogEntry = {
      seq: ++this.seq,
      time: this.now(),
      direction,
      topic: message ? (message.topic as unknown as Record<string, string>) : null,
      size,
      body,
      truncated,
    };
    this.push(entry);
    return entry;
  }

  private push(entry: LogEntry): void {
    if (this.count === this.cap) this.dropOldest();
    this.ring[(this.start + this.count) % this.cap] = entry;
    this.count++;
    this.chars += entry.body.length;
    while (this.chars > this.budget && this.count > 1) this.dropOldest();
  }

  private dropOldest(): void {
    const old = this.ring[this.start];
    this.ring[this.start] = undefined;
    this.start = (this.start + 1) % this.cap;
    this.count--;
    if (old) this.chars -= old.body.length;
  }

  /** Entries, oldest first. */
  entries(): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      const e = this.ring[(this.start + i) % this.cap];
      if (e) out.push(e);
    }
    return out;
  }

  /**
   * The newest entries before `before` (a seq; all when absent), oldest first: at most `limit`, and no more body
   * characters than `maxChars` (at least one entry), so a page always fits a bridge message. `more`: older ones remain.
   */
  page(before: number | undefined, limit: number, maxChars: number): { entries: LogEntry[]; more: boolean } {
    const out: LogEntry[] = [];
    let chars = 0;
    let i = this.count - 1;
    for (; i >= 0; i--) {
      const e = this.ring[(this.start + i) % this.cap];
      if (!e || (before !== undefined && e.seq >= before)) continue;
      if (out.length === limit || (out.length > 0 && chars + e.body.length > maxChars)) break;
      out.push(e);
      chars += e.body.length;
    }
    return { entries: out.reverse(), more: i >= 0 };
  }

  clear(): void {
    this.ring = new Array<LogEntry | undefined>(this.cap);
    this.start = 0;
    this.count = 0;
    this.chars = 0;
  }

  /** Changes the capacity, keeping the newest entries that fit. */
  setCapacity(capacity: number): void {
    if (capacity === this.cap) return;
    const kept = this.entries().slice(-capacity);
    this.cap = capacity;
    this.ring = new Array<LogEntry | undefined>(capacity);
    this.start = 0;
    this.count = 0;
    this.chars = 0;
    for (const e of kept) this.push(e);
  }
}
