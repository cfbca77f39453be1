/**
 * What an HTTP client asked the Gateway to publish, read from a POST body or a GET query (docs/PROTOCOL.md §3.3), before
 * any check of the topic itself (publish.ts does those). Tolerant as real clients need: no `Message`, any
 * `Content-Type` (or none), empty query pairs. Objects keyed by what the client sent are prototype-free.
 */
import { dict, type Dict } from '../../shared/dict.ts';
import { jsonDepthOver, MAX_JSON_DEPTH } from '../../shared/protocol/index.ts';

/** A client's Topic and Message, as sent (keys in any order; nothing checked but their being objects). */
export interface RawPublish {
  topic: Dict<unknown>;
  message: Dict<unknown>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy without a prototype, so that `__proto__` or `constructor` sent by a client are plain keys. */
function ownCopy(source: Record<string, unknown>): Dict<unknown> {
  const out = dict<unknown>();
  for (const key of Object.keys(source)) out[key] = source[key];
  return out;
}

/** The POST form: `{"Topic": {…}, "Message": {…}}`; Message may be absent (a Get). */
export function parseBody(text: string): Parsed<RawPublish> {
  if (text.trim() === '') return fail('the body is empty: send {"Topic": {...}, "Message": {...}} as JSON');
  if (jsonDepthOver(text)) return fail(`the body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`the body is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(value)) return fail('the body must be a JSON object {"Topic": {...}, "Message": {...}}');
  const topic: unknown = Object.hasOwn(value, 'Topic') ? value.Topic : undefined;
  if (topic === undefined || topic === null) return fail('the body has no Topic');
  if (!isObject(topic)) return fail('Topic must be a JSON object');
  const message: unknown = Object.hasOwn(value, 'Message') ? value.Message : undefined;
  if (message !== undefined && message !== null && !isObject(message)) return fail('Message must be a JSON object');
  return { ok: true, value: { topic: ownCopy(topic), message: isObject(message) ? ownCopy(message) : dict() } };
}

/** Query keys that are topic fields. */
const TOPIC_QUERY_KEYS = new Set(['Type', 'Target', 'Name', 'Method']);
const PARAM = 'Param';

/** A query value: its JSON meaning when it parses (`5`, `true`, `"x"`, `{…}`), else the text as it is. */
function queryValue(text: string): Parsed<unknown> {
  if (jsonDepthOver(text)) return fail(`a query value nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: true, value: text };
  }
}

/**
 * The GET form: `Type`, `Target`, `Name`, `Method` make the Topic (always strings: `Name=5` is the name "5"), `Value`
 * the Message's Value and `Param<Key>` its Params, each JSON-decoded when it parses. Pairs without a value (`&&`,
 * `a=`) and unknown keys are ignored; a key given twice counts once, the last.
 */
export function parseQuery(search: string): Parsed<RawPublish> {
  const topic = dict<unknown>();
  const message = dict<unknown>();
  let params: Dict<unknown> | null = null;
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(search);
  } catch {
    return fail('the query string cannot be read');
  }
  for (const [key, raw] of query) {
    if (raw === '') continue;
    if (TOPIC_QUERY_KEYS.has(key)) {
      const decoded = queryValue(raw);
      topic[key] = decoded.ok && typeof decoded.value === 'string' ? decoded.value : raw;
    } else if (key === 'Value') {
      const decoded = queryValue(raw);
      if (!decoded.ok) return decoded;
      message.Value = decoded.value;
    } else if (key.startsWith(PARAM) && key.length > PARAM.length) {
      const decoded = queryValue(raw);
      if (!decoded.ok) return decoded;
      params ??= dict<unknown>();
      params[key.slice(PARAM.length)] = decoded.value;
    }
  }
  if (params !== null) message.Params = params;
  if (Object.keys(topic).length === 0) return fail('the query names no topic: give Type, Target and Name (or Method), e.g. ?Type=Get&Target=AssetHubServer&Name=State');
  return { ok: true, value: { topic, message } };
}
