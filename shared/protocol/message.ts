/**
 * Message bodies per Type (docs/PROTOCOL.md §1) and the validation of a Topic + Message pair. The Value of Set and
 * Update is left as unknown here: what it must look like depends on the service and the Name, and is checked by the
 * state schemas in shared/assethub.
 */
import { decodeError, type DecodeError } from './errors.ts';
import { bounded, FIELD_MAX_CHARS, LOG_MESSAGE_MAX_CHARS } from './limits.ts';
import { parseTopic, type MessageType, type TopicOf } from './topic.ts';
import { err, ok, type Result } from '../result.ts';

export type LogLevel = 'Info' | 'Warning' | 'Error';
export const LOG_LEVELS: readonly LogLevel[] = ['Info', 'Warning', 'Error'];

/** One problem behind a Failure (this project's extension, e.g. each invalid entry of an ImportAssets document). */
export interface FailureDetail { Index: number; Field: string; Message: string }
export interface Failure { Message: string; Code: string; Errors?: FailureDetail[] }

const isDetail = (d: unknown): d is FailureDetail =>
  typeof d === 'object' && d !== null && Number.isInteger((d as FailureDetail).Index)
  && typeof (d as FailureDetail).Field === 'string' && typeof (d as FailureDetail).Message === 'string';
/**
 * What a Self says of its sender. This project's peers fill every field; real Pixotope peers' Self bodies are not
 * documented, so each field reads as null when the sender did not say (docs/PROTOCOL-EXTENSIONS.md "Messages").
 */
export interface SelfInfo { Version: string | null; Machine: string | null; StartedAt: string | null }

export type Empty = Record<string, never>;

export interface MessageBodies {
  Get: Empty;
  Set: { Value: unknown };
  Reset: Empty;
  Update: { Value: unknown };
  Call: { Params: Record<string, unknown> };
  CallResult: { Result: unknown } | { Failure: Failure };
  Identify: Empty;
  Self: { Value: SelfInfo };
  Startup: Empty;
  Log: { Level: LogLevel; Message: string };
}

/** A decoded message: its topic and its body, typed together. */
export type Envelope<T extends MessageType = MessageType> = {
  [K in T]: { topic: TopicOf<K>; message: MessageBodies[K] };
}[T];

const EMPTY: Empty = Object.freeze({}) as Empty;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The doc writes a missing value as the string "null"; both forms read as null. */
const readValue = (v: unknown): unknown => (v === 'null' ? null : v);

/** A Self field as read: a string kept (bounded), a finite number as its text, anything else (or "") unknown. */
function selfField(v: unknown): string | null {
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  return typeof text === 'string' && text.length > 0 ? bounded(text, FIELD_MAX_CHARS) : null;
}

/** A Self body of any shape: the fields of its Value, or of the body itself when there is no Value object. */
export function readSelf(body: Record<string, unknown>): SelfInfo {
  const from = isObject(body.Value) ? body.Value : body;
  return { Version: selfField(from.Version), Machine: selfField(from.Machine), StartedAt: selfField(from.StartedAt) };
}

/** Level words as read, lower-cased: the three of §1 and the usual others; any other word (Debug, Trace…) is Info. */
const LEVEL_WORDS = new Map<string, LogLevel>([
  ['info', 'Info'], ['warning', 'Warning'], ['warn', 'Warning'], ['error', 'Error'], ['err', 'Error'], ['fatal', 'Error'], ['critical', 'Error'],
]);

/** A Log Level of any shape: case-insensitive; unknown words, non-strings and a missing Level are Info. */
export const readLogLevel = (v: unknown): LogLevel => (typeof v === 'string' ? LEVEL_WORDS.get(v.trim().toLowerCase()) ?? 'Info' : 'Info');

/**
 * A Log's text from a body of any shape: its Message when a string; any other Message as JSON; without a Message the
 * rest of the body as JSON (so nothing a real peer said is lost), or "" when there is nothing. At most
 * LOG_MESSAGE_MAX_CHARS.
 */
export function readLogMessage(body: Record<string, unknown>): string {
  const m = body.Message;
  if (typeof m === 'string') return bounded(m, LOG_MESSAGE_MAX_CHARS);
  if (m === null) return '';
  if (m !== undefined) return bounded(JSON.stringify(m), LOG_MESSAGE_MAX_CHARS);
  const rest = Object.keys(body).filter((k) => k !== 'Level');
  if (rest.length === 0) return '';
  return bounded(JSON.stringify(Object.fromEntries(rest.map((k) => [k, body[k]]))), LOG_MESSAGE_MAX_CHARS);
}

function parseBody(type: MessageType, body: Record<string, unknown>): Result<MessageBodies[MessageType], DecodeError> {
  switch (type) {
    case 'Get':
    case 'Reset':
    case 'Identify':
    case 'Startup':
      return ok(EMPTY);
    case 'Set':
    case 'Update':
      if (!('Value' in body)) return err(decodeError('MISSING_FIELD', `a ${type} message needs a Value`, 'Message.Value'));
      return ok({ Value: readValue(body.Value) });
    case 'Call': {
      const params = body.Params ?? {};
      if (!isObject(params)) return err(decodeError('INVALID_FIELD', 'Call Params must be a JSON object', 'Message.Params'));
      return ok({ Params: params });
    }
    case 'CallResult': {
      if ('Failure' in body && body.Failure !== undefined && body.Failure !== null) {
        const f = body.Failure;
        if (!isObject(f) || typeof f.Message !== 'string' || typeof f.Code !== 'string') {
          return err(decodeError('INVALID_FIELD', 'CallResult Failure must be {"Message": string, "Code": string}', 'Message.Failure'));
        }
        // Errors is optional detail: kept when well-formed, dropped (never fatal) otherwise.
        const details = Array.isArray(f.Errors) && f.Errors.every(isDetail) ? { Errors: f.Errors.map((d) => ({ Index: d.Index, Field: d.Field, Message: d.Message })) } : {};
        return ok({ Failure: { Message: f.Message, Code: f.Code, ...details } });
      }
      if (!('Result' in body)) return err(decodeError('MISSING_FIELD', 'a CallResult needs a Result or a Failure', 'Message.Result'));
      return ok({ Result: readValue(body.Result) });
    }
    // Bodies this project chose (docs/PROTOCOL.md §3.2): read whatever shape a real peer sends, never refused.
    case 'Self':
      return ok({ Value: readSelf(body) });
    case 'Log':
      return ok({ Level: readLogLevel(body.Level), Message: readLogMessage(body) });
  }
}

/** Validates an already JSON-decoded Topic and Message pair. Never throws. */
export function parseEnvelope(topicValue: unknown, messageValue: unknown): Result<Envelope, DecodeError> {
  const topic = parseTopic(topicValue);
  if (!topic.ok) return topic;
  if (!isObject(messageValue)) return err(decodeError('NOT_AN_OBJECT', 'Message must be a JSON object', 'Message'));
  const body = parseBody(topic.value.Type, messageValue);
  if (!body.ok) return body;
  return ok({ topic: topic.value, message: body.value } as Envelope);
}

/** Builds a message, typed by its topic. */
export function envelope<T extends MessageType>(topic: TopicOf<T>, message: MessageBodies[T]): Envelope<T> {
  return { topic, message } as unknown as Envelope<T>;
}

/** Serialises a Message body. Compact JSON; body keys keep the order they were written in. */
export const encodeBody = (message: MessageBodies[MessageType]): string => JSON.stringify(message);
