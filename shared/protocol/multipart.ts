/**
 * ZeroMQ multipart codec (docs/PROTOCOL.md §3.2): `[topic, message(, attachment)]`, topic and message as UTF-8 JSON.
 * The topic part is written canonically so SUB sockets can filter it by prefix.
 */
import { decodeError, type DecodeError } from './errors.ts';
import { encodeBody, parseEnvelope, type Envelope } from './message.ts';
import { jsonDepthOver, MAX_JSON_DEPTH } from './limits.ts';
import { encodeTopic, parseTopic, type Topic } from './topic.ts';
import { err, ok, type Result } from '../result.ts';

export interface MultipartMessage {
  envelope: Envelope;
  attachment?: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMultipart(message: Envelope, attachment?: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [encoder.encode(encodeTopic(message.topic)), encoder.encode(encodeBody(message.message))];
  if (attachment !== undefined) parts.push(attachment);
  return parts;
}

function parsePart(bytes: Uint8Array, what: 'Topic' | 'Message'): Result<unknown, DecodeError> {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return err(decodeError('INVALID_UTF8', `${what} part is not valid UTF-8`, what));
  }
  if (jsonDepthOver(text)) return err(decodeError('TOO_LARGE', `${what} part is nested more than ${MAX_JSON_DEPTH} levels deep`, what));
  try {
    return ok(JSON.parse(text));
  } catch (e) {
    return err(decodeError('INVALID_JSON', `${what} part is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, what));
  }
}

/** Decodes one multipart message. Never throws. */
export function decodeMultipart(parts: readonly Uint8Array[]): Result<MultipartMessage, DecodeError> {
  if (parts.length < 2 || parts.length > 3) {
    return err(decodeError('INVALID_MULTIPART', `expected 2 or 3 parts [topic, message(, attachment)], got ${parts.length}`));
  }
  const [topicPart, messagePart, attachment] = parts as [Uint8Array, Uint8Array, Uint8Array | undefined];
  const topic = parsePart(topicPart, 'Topic');
  if (!topic.ok) return topic;
  const message = parsePart(messagePart, 'Message');
  if (!message.ok) return message;
  const env = parseEnvelope(topic.value, message.value);
  if (!env.ok) return env;
  const out: MultipartMessage = { envelope: env.value };
  if (attachment !== undefined) out.attachment = attachment;
  return ok(out);
}

/**
 * The topic of a multipart message, from its topic part alone (the Message part is not read): what a receiver needs
 * to refuse a message by its topic and size (peer/transport.ts, `admit`). An invalid topic makes the whole message
 * invalid, with the error decodeMultipart would give for it.
 */
export function decodeTopicPart(bytes: Uint8Array): Result<Topic, DecodeError> {
  const topic = parsePart(bytes, 'Topic');
  return topic.ok ? parseTopic(topic.value) : topic;
}
