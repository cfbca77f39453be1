/**
 * Topics (docs/PROTOCOL.md §1): one shape per Type, encoded compactly with its keys in a fixed order so that
 * subscribers can match by string prefix. Decoding accepts any key order, ignores unknown keys and fills the fields a
 * receiver can do without (TOPIC_DEFAULTS); encoding is always canonical.
 */
import { decodeError, type DecodeError } from './errors.ts';
import { FIELD_MAX_CHARS, NAME_MAX_CHARS, NAME_MAX_SEGMENTS } from './limits.ts';
import { BROADCAST, FORBIDDEN_TOPIC_SEQUENCE } from './names.ts';
import { err, ok, type Result } from '../result.ts';

export interface GetTopic { Type: 'Get'; Target: string; Name: string; RespondTo: string }
export interface SetTopic { Type: 'Set'; Target: string; Name: string }
export interface ResetTopic { Type: 'Reset'; Target: string; Name?: string }
export interface UpdateTopic { Type: 'Update'; Target: string; Source: string; Name: string }
export interface CallTopic { Type: 'Call'; Target: string; RespondTo: string; Method: string; ID: string }
export interface CallResultTopic { Type: 'CallResult'; Target: string; ExecutedOn: string; Method: string; ID: string }
export interface IdentifyTopic { Type: 'Identify'; Source: string }
export interface SelfTopic { Type: 'Self'; Target: string; Source: string }
export interface StartupTopic { Type: 'Startup'; Target: string; Source: string }
export interface LogTopic { Type: 'Log'; Target: string; Source: string }

export type Topic =
  | GetTopic | SetTopic | ResetTopic | UpdateTopic | CallTopic | CallResultTopic
  | IdentifyTopic | SelfTopic | StartupTopic | LogTopic;
export type MessageType = Topic['Type'];
export type TopicOf<T extends MessageType> = Extract<Topic, { Type: T }>;

/** Canonical key order per Type; keys after the first optional one may be absent. */
export const TOPIC_KEYS = {
  Get: ['Type', 'Target', 'Name', 'RespondTo'],
  Set: ['Type', 'Target', 'Name'],
  Reset: ['Type', 'Target', 'Name'],
  Update: ['Type', 'Target', 'Source', 'Name'],
  Call: ['Type', 'Target', 'RespondTo', 'Method', 'ID'],
  CallResult: ['Type', 'Target', 'ExecutedOn', 'Method', 'ID'],
  Identify: ['Type', 'Source'],
  Self: ['Type', 'Target', 'Source'],
  Startup: ['Type', 'Target', 'Source'],
  Log: ['Type', 'Target', 'Source'],
} as const satisfies Record<MessageType, readonly string[]>;

const OPTIONAL_KEYS: Partial<Record<MessageType, ReadonlySet<string>>> = { Reset: new Set(['Name']) };
/**
 * Tolerant reading of real peers (docs/PROTOCOL-EXTENSIONS.md "Messages"): topic fields a receiver can do without, and
 * what a missing one reads as. Only the Target of the messages that are not requests: an Update, Self, Startup or Log
 * without one is read as addressed to everyone. Whatever is needed to act or to answer (a Get's Target, Name and
 * RespondTo, a Call's ID, any Source…) is still required.
 */
export const TOPIC_DEFAULTS: Partial<Record<MessageType, Readonly<Record<string, string>>>> = {
  Update: { Target: BROADCAST },
  Self: { Target: BROADCAST },
  Startup: { Target: BROADCAST },
  Log: { Target: BROADCAST },
};
/** The keys after Type, per Type, computed once: decoding is on the hot path of every frame. */
const FIELD_KEYS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(TOPIC_KEYS).map(([type, keys]): [string, readonly string[]] => [type, keys.slice(1)]),
);

export const MESSAGE_TYPES = Object.keys(TOPIC_KEYS) as MessageType[];

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TOPIC_KEYS, value);
}

/** JSON string literal; the common case (no quote, backslash or control character) skips JSON.stringify. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;
const str = (value: string): string => (NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`);

/** Canonical string of a topic: compact JSON, keys in the order of TOPIC_KEYS. */
export function encodeTopic(topic: Topic): string {
  switch (topic.Type) {
    case 'Get':
      return `{"Type":"Get","Target":${str(topic.Target)},"Name":${str(topic.Name)},"RespondTo":${str(topic.RespondTo)}}`;
    case 'Set':
      return `{"Type":"Set","Target":${str(topic.Target)},"Name":${str(topic.Name)}}`;
    case 'Reset':
      return topic.Name === undefined
        ? `{"Type":"Reset","Target":${str(topic.Target)}}`
        : `{"Type":"Reset","Target":${str(topic.Target)},"Name":${str(topic.Name)}}`;
    case 'Update':
      return `{"Type":"Update","Target":${str(topic.Target)},"Source":${str(topic.Source)},"Name":${str(topic.Name)}}`;
    case 'Call':
      return `{"Type":"Call","Target":${str(topic.Target)},"RespondTo":${str(topic.RespondTo)},"Method":${str(topic.Method)},"ID":${str(topic.ID)}}`;
    case 'CallResult':
      return `{"Type":"CallResult","Target":${str(topic.Target)},"ExecutedOn":${str(topic.ExecutedOn)},"Method":${str(topic.Method)},"ID":${str(topic.ID)}}`;
    case 'Identify':
      return `{"Type":"Identify","Source":${str(topic.Source)}}`;
    case 'Self':
    case 'Startup':
    case 'Log':
      return `{"Type":"${topic.Type}","Target":${str(topic.Target)},"Source":${str(topic.Source)}}`;
  }
}

/**
 * A prefix for subscriptions: the canonical encoding of the leading fields given, without the closing brace, e.g.
 * `topicPrefix('Update', { Target: 'BROADCAST' })` → `{"Type":"Update","Target":"BROADCAST"`. Fields must be a
 * leading run of the Type's key order; the closing quote of the last value keeps `A` from matching `AB`.
 */
export function topicPrefix<T extends MessageType>(type: T, fields: Partial<Omit<TopicOf<T>, 'Type'>> = {}): string {
  const given = fields as Record<string, string | undefined>;
  let out = `{"Type":${JSON.stringify(type)}`;
  for (const key of TOPIC_KEYS[type].slice(1)) {
    const value = given[key];
    if (value === undefined) break;
    out += `,"${key}":${JSON.stringify(value)}`;
  }
  return out;
}

/**
 * Prefixes of the `Update`, `Log` and `Self` topics whose Source comes second: real Pixotope peers on the ZeroMQ fabric,
 * whose bytes the hub matches as they were sent. An Update in the other documented key order (Type, Source, Target,
 * Name) and an Update, Log or Self without Target (read as BROADCAST, TOPIC_DEFAULTS) match no canonical prefix. A
 * subscriber that takes these must filter by the decoded Target itself: they bring such topics whatever their Target.
 * The WebSocket hub matches the canonical re-encoding, where Target always comes second: there these never match.
 */
export const FOREIGN_ORDER_PREFIXES: readonly string[] = ['{"Type":"Update","Source"', '{"Type":"Log","Source"', '{"Type":"Self","Source"'];

/** ZeroMQ semantics: a subscription matches every topic whose canonical string starts with it. */
export const matchesPrefix = (canonicalTopic: string, prefix: string): boolean => canonicalTopic.startsWith(prefix);

/** Whether a dotted Name has more than `limit` segments (counted without splitting it). */
function segmentsOver(name: string, limit: number): boolean {
  let dots = 0;
  for (let at = name.indexOf('.'); at !== -1; at = name.indexOf('.', at + 1)) if (++dots >= limit) return true;
  return false;
}

/** Validates a decoded JSON value as a topic. Unknown keys are ignored (tolerant reading). */
export function parseTopic(value: unknown): Result<Topic, DecodeError> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err(decodeError('NOT_AN_OBJECT', 'Topic must be a JSON object', 'Topic'));
  }
  const fields = value as Record<string, unknown>;
  const type = fields.Type;
  if (type === undefined) return err(decodeError('MISSING_FIELD', 'Topic has no Type', 'Topic.Type'));
  if (!isMessageType(type)) {
    return err(decodeError('UNKNOWN_TYPE', `Topic.Type ${JSON.stringify(type)} is not one of ${MESSAGE_TYPES.join(', ')}`, 'Topic.Type'));
  }
  const optional = OPTIONAL_KEYS[type];
  const defaults = TOPIC_DEFAULTS[type];
  const topic: Record<string, string> = { Type: type };
  for (const key of FIELD_KEYS[type] ?? []) {
    const v = fields[key];
    if (v === undefined || v === null) {
      if (optional?.has(key)) continue;
      const fallback = defaults?.[key];
      if (fallback !== undefined) {
        topic[key] = fallback;
        continue;
      }
      return err(decodeError('MISSING_FIELD', `a ${type} topic needs ${key}`, `Topic.${key}`));
    }
    if (typeof v !== 'string') return err(decodeError('INVALID_FIELD', `Topic.${key} must be a string`, `Topic.${key}`));
    if (v.length === 0) return err(decodeError('INVALID_FIELD', `Topic.${key} must not be empty`, `Topic.${key}`));
    const max = key === 'Name' ? NAME_MAX_CHARS : FIELD_MAX_CHARS;
    if (v.length > max) return err(decodeError('TOO_LARGE', `Topic.${key} has ${v.length} characters; at most ${max}`, `Topic.${key}`));
    if (key === 'Name' && segmentsOver(v, NAME_MAX_SEGMENTS)) {
      return err(decodeError('TOO_LARGE', `Topic.Name has more than ${NAME_MAX_SEGMENTS} segments`, 'Topic.Name'));
    }
    if (v.includes(FORBIDDEN_TOPIC_SEQUENCE)) {
      return err(decodeError('FORBIDDEN_SEQUENCE', `Topic.${key} contains "${FORBIDDEN_TOPIC_SEQUENCE}", which the hub reserves`, `Topic.${key}`));
    }
    topic[key] = v;
  }
  return ok(topic as unknown as Topic);
}
