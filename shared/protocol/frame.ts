/**
 * WebSocket frame codec (docs/PROTOCOL.md §3.1). A text frame is one message, `{"Topic":…,"Message":…}`, optionally
 * with `"Attachment": <byte length>` announcing that the next binary frame is its attachment. Peers send the control
 * frames `{"Subscribe":[prefix…]}` and `{"Unsubscribe":[prefix…]}` to the hub.
 */
import { decodeError, type DecodeError } from './errors.ts';
import { encodeBody, parseEnvelope, type Envelope } from './message.ts';
import { jsonDepthOver, MAX_JSON_DEPTH } from './limits.ts';
import { encodeTopic } from './topic.ts';
import { err, ok, type Result } from '../result.ts';

/** A message frame. Its canonical topic string (for prefix matching) is `encodeTopic(envelope.topic)`, computed only by
 * those that route. */
export interface MessageFrame {
  kind: 'message';
  envelope: Envelope;
  /** Byte length of the binary frame that follows, when there is one. */
  attachment?: number;
}
export interface ControlFrame {
  kind: 'subscribe' | 'unsubscribe';
  prefixes: string[];
}
export type Frame = MessageFrame | ControlFrame;

function parseJson(text: string): Result<unknown, DecodeError> {
  if (jsonDepthOver(text)) return err(decodeError('TOO_LARGE', `frame is nested more than ${MAX_JSON_DEPTH} levels deep`));
  try {
    return ok(JSON.parse(text));
  } catch (e) {
    return err(decodeError('INVALID_JSON', `frame is not valid JSON: ${e instanceof Error ? e.message : String(e)}`));
  }
}

function parsePrefixes(value: unknown, key: string): Result<string[], DecodeError> {
  if (!Array.isArray(value) || !value.every((p): p is string => typeof p === 'string')) {
    return err(decodeError('INVALID_FIELD', `${key} must be an array of topic prefix strings`, key));
  }
  return ok(value);
}

/** Decodes one WebSocket text frame. Never throws: a malformed frame is a typed error. */
export function decodeFrame(text: string): Result<Frame, DecodeError> {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return err(decodeError('NOT_AN_OBJECT', 'frame must be a JSON object'));
  }
  const frame = body as Record<string, unknown>;
  if ('Topic' in frame || 'Message' in frame) return decodeMessageFrame(frame);
  for (const key of ['Subscribe', 'Unsubscribe'] as const) {
    if (key in frame) {
      const prefixes = parsePrefixes(frame[key], key);
      if (!prefixes.ok) return prefixes;
      return ok({ kind: key === 'Subscribe' ? 'subscribe' : 'unsubscribe', prefixes: prefixes.value });
    }
  }
  return err(decodeError('MISSING_FIELD', 'frame has neither Topic/Message nor Subscribe/Unsubscribe'));
}

function decodeMessageFrame(frame: Record<string, unknown>): Result<MessageFrame, DecodeError> {
  if (!('Topic' in frame)) return err(decodeError('MISSING_FIELD', 'frame has no Topic', 'Topic'));
  if (!('Message' in frame)) return err(decodeError('MISSING_FIELD', 'frame has no Message', 'Message'));
  const envelope = parseEnvelope(frame.Topic, frame.Message);
  if (!envelope.ok) return envelope;
  const out: MessageFrame = { kind: 'message', envelope: envelope.value };
  const attachment = frame.Attachment;
  if (attachment !== undefined) {
    if (typeof attachment !== 'number' || !Number.isSafeInteger(attachment) || attachment < 0) {
      return err(decodeError('INVALID_FIELD', 'Attachment must be a non-negative integer byte length', 'Attachment'));
    }
    out.attachment = attachment;
  }
  return ok(out);
}

/** Encodes a message as a text frame with its topic in canonical form. */
export function encodeFrame(message: Envelope, attachmentLength?: number): string {
  const head = `{"Topic":${encodeTopic(message.topic)},"Message":${encodeBody(message.message)}`;
  return attachmentLength === undefined ? head + '}' : `${head},"Attachment":${attachmentLength}}`;
}

export const encodeSubscribe = (prefixes: readonly string[]): string => JSON.stringify({ Subscribe: prefixes });
export const encodeUnsubscribe = (prefixes: readonly string[]): string => JSON.stringify({ Unsubscribe: prefixes });
