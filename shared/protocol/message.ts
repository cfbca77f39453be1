/**
 * Message bodies per Type (docs/PROTOCOL.md §1) and the validation of a Topic + Message pair. The Value of Set and
 * Update is left as unknown here: what it must look like depends on the service and the Name, and is checked by the
 * state schemas in shared/assethub.
 */
import { decodeError, type DecodeError } from './errors.ts';
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
export interface SelfInfo { Version: string; Machine: string; StartedAt: string }

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
    case 'Self': {
      const v = body.Value;
      if (!isObject(v) || typeof v.Version !== 'string' || typeof v.Machine !== 'string' || typeof v.StartedAt !== 'string') {
        return err(decodeError('INVALID_FIELD', 'Self Value must be {"Version", "Machine", "StartedAt"} strings', 'Message.Value'));
      }
      return ok({ Value: { Version: v.Version, Machine: v.Machine, StartedAt: v.StartedAt } });
    }
    case 'Log': {
      if (typeof body.Level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(body.Level)) {
        return err(decodeError('INVALID_FIELD', `Log Level must be one of ${LOG_LEVELS.join(', ')}`, 'Message.Level'));
      }
      if (typeof body.Message !== 'string') return err(decodeError('INVALID_FIELD', 'Log Message must be a string', 'Message.Message'));
      return ok({ Level: body.Level as LogLevel, Message: body.Message });
    }
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
