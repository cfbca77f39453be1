/**
 * WebSocket frame codec (docs/PROTOCOL.md §3.1). A text frame is one message, `{"Topic":…,"Message":…}`, optionally
 * with `"Attachment": <byte length>` announcing that the next binary frame is its attachment. Peers send the control
 * frames `{"Subscribe":[prefix…]}` and `{"Unsubscribe":[prefix…]}` to the hub.
 */
import { decodeError, type DecodeError } from './errors.ts';
import { encodeBody, parseEnvelope, type Envelope } from './message.ts';
import { jsonDepthOver, MAX_JSON_DEPTH, TOPIC_MAX_BYTES } from './limits.ts';
import { encodeTopic, parseTopic, type Topic } from './topic.ts';
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

/** The topic of a text frame, read without reading its Message (skimFrame). */
export interface SkimmedFrame {
  /** The topic, validated as every topic is; an invalid one makes the whole frame invalid. */
  topic: Result<Topic, DecodeError>;
  /** The topic's JSON text, as it came (for logs). */
  topicText: string;
  /** The byte length of the Attachment the frame announces at its end, when it does. */
  attachment?: number;
}

const utf8 = new TextEncoder();
const strictText = new TextDecoder('utf-8', { fatal: true });
const looseText = new TextDecoder('utf-8');
const SKIM_HEAD = utf8.encode('{"Topic":{');
const SKIM_BOUNDARY = utf8.encode('},"Message":');
const CLOSE = 0x7d; /* } */
const ATTACHMENT_TAIL = /,"Attachment":(\d{1,15})\}$/;

const bytesAt = (bytes: Uint8Array, at: number, what: Uint8Array): boolean => {
  if (at + what.length > bytes.length) return false;
  for (let i = 0; i < what.length; i++) if (bytes[at + i] !== what[i]) return false;
  return true;
};

/**
 * The topic of a WebSocket text frame, from its UTF-8 bytes, without decoding or even reading its Message: what a
 * receiver needs to refuse a frame by its topic and size alone (peer/transport.ts, `admit`). Only a frame laid out
 * `{"Topic":{…},"Message":…}` — every frame the reference hub forwards, since it re-encodes any other layout — is
 * skimmed; for any other (key order, spaces, a topic longer than TOPIC_MAX_BYTES) the answer is null and the frame
 * must be decoded whole.
 *
 * The topic ends at the first `},"Message":` after the head. A topic holds only strings, and a string cannot hold an
 * unescaped `"`, so in a topic of strings that sequence can only be the topic's end; whatever comes before it is
 * parsed as JSON, and only a complete object counts (JSON values delimit themselves, so a complete object there is
 * the frame's Topic in any valid frame; a cut that fell inside a string or a nested object is not one, and gives null).
 * The Attachment, when announced, is the frame's last member (`,"Attachment":n}` at its very end, as encodeFrame
 * writes it). Nothing past the topic is checked: a frame refused by its topic may be invalid beyond it.
 */
export function skimFrame(bytes: Uint8Array): SkimmedFrame | null {
  if (!bytesAt(bytes, 0, SKIM_HEAD) || bytes[bytes.length - 1] !== CLOSE) return null;
  const last = Math.min(bytes.length - SKIM_BOUNDARY.length, SKIM_HEAD.length + TOPIC_MAX_BYTES);
  let end = -1;
  for (let at = bytes.indexOf(CLOSE, SKIM_HEAD.length); at !== -1 && at <= last; at = bytes.indexOf(CLOSE, at + 1)) {
    if (bytesAt(bytes, at, SKIM_BOUNDARY)) {
      end = at;
      break;
    }
  }
  if (end === -1) return null;
  let topicText: string;
  let value: unknown;
  try {
    topicText = strictText.decode(bytes.subarray(SKIM_HEAD.length - 1, end + 1));
    value = JSON.parse(topicText);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const out: SkimmedFrame = { topic: parseTopic(value), topicText };
  const tail = ATTACHMENT_TAIL.exec(looseText.decode(bytes.subarray(Math.max(end + SKIM_BOUNDARY.length, bytes.length - 32))));
  if (tail) out.attachment = Number(tail[1]);
  return out;
}
