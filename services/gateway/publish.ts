/**
 * From what a client sent (request.ts) to the message the Gateway publishes, and what it then waits for. The Gateway
 * fills the fields that say who asks: a Get's and a Call's `RespondTo` (the request's own name, whatever the client
 * wrote, so that the answer comes back to the Gateway), a Call's `ID` (always its own), an Update's or Log's `Source`
 * (the Gateway's name). `~LOCAL~` at the start of a Target is this machine. Everything else is checked by the shared
 * codec, as a hub peer checks what it receives: a message the Gateway publishes is one every peer can read.
 */
import { randomUUID } from 'node:crypto';
import { dict } from '../../shared/dict.ts';
import { isMessageType, MESSAGE_TYPES, parseEnvelope, type Envelope, type MessageType } from '../../shared/protocol/index.ts';
import type { Parsed, RawPublish } from './request.ts';

/** `~LOCAL~-<Service>` addresses the service of the Gateway's own machine (Pixotope's documentation's example). */
export const LOCAL_MACHINE = '~LOCAL~';

/** What the answer to a published message is. */
export type Awaited =
  /** A Get: the Update addressed to the request. */
  | { kind: 'get' }
  /** A Call: the CallResult addressed to the request with its ID. */
  | { kind: 'call'; id: string }
  /** A Set or Reset: the target's next BROADCAST Update of that state. */
  | { kind: 'broadcast'; source: string; state: string }
  /** Anything else: nothing, answered `[]` at once. */
  | { kind: 'none' };

export interface Publication {
  envelope: Envelope;
  awaited: Awaited;
}

export interface Filler {
  /** The Gateway's own name: Source of what it publishes for clients. */
  source: string;
  /** The machine `~LOCAL~` stands for. */
  machine: string;
}

/**
 * Types a client may not publish through the Gateway: they claim to be a service (Self, Startup: panels would list a
 * phantom or re-read every state) or ask every service to answer a name only the Gateway knows (Identify).
 */
const REFUSED: ReadonlySet<MessageType> = new Set(['Identify', 'Self', 'Startup']);

const stateOf = (wireName: string | undefined): string => (wireName === undefined ? 'State' : (wireName.split('.')[0] || 'State'));

/** Builds the message to publish for request `requestName`, or says what is wrong with it. */
export function toPublication(raw: RawPublish, requestName: string, filler: Filler): Parsed<Publication> {
  const type = raw.topic.Type;
  if (type === undefined || type === null) return { ok: false, reason: 'Topic has no Type' };
  if (!isMessageType(type)) return { ok: false, reason: `Topic.Type ${JSON.stringify(type)} is not one of ${MESSAGE_TYPES.join(', ')}` };
  if (REFUSED.has(type)) return { ok: false, reason: `a ${type} cannot be published through the Gateway: it speaks for a service, and the Gateway is none` };
  const topic = dict<unknown>();
  for (const key of Object.keys(raw.topic)) topic[key] = raw.topic[key];
  const target = topic.Target;
  if (typeof target === 'string' && target.startsWith(LOCAL_MACHINE)) topic.Target = filler.machine + target.slice(LOCAL_MACHINE.length);
  // The Gateway's requests are `<its name>-<n>`, numbered in order and shown in every answer: a client that could
  // address them would answer (or add Logs to) another client's waiting Get or Call.
  if (typeof topic.Target === 'string' && (topic.Target === filler.source || topic.Target.startsWith(`${filler.source}-`))) {
    return { ok: false, reason: `Topic.Target ${JSON.stringify(topic.Target)} is this Gateway's own name: only the hub's services answer its requests` };
  }
  const id = randomUUID();
  if (type === 'Get' || type === 'Call') topic.RespondTo = requestName;
  if (type === 'Call') topic.ID = id;
  if (type === 'Update' || type === 'Log') topic.Source = filler.source;
  // Bodies that carry nothing are sent empty, whatever the client put in them.
  const message = type === 'Get' || type === 'Reset' ? dict<unknown>() : raw.message;
  const parsed = parseEnvelope(topic, message);
  if (!parsed.ok) return { ok: false, reason: parsed.error.message };
  const envelope = parsed.value;
  const t = envelope.topic;
  switch (t.Type) {
    case 'Get':
      return { ok: true, value: { envelope, awaited: { kind: 'get' } } };
    case 'Call':
      return { ok: true, value: { envelope, awaited: { kind: 'call', id } } };
    case 'Set':
    case 'Reset':
      return { ok: true, value: { envelope, awaited: { kind: 'broadcast', source: t.Target, state: stateOf(t.Name) } } };
    default:
      return { ok: true, value: { envelope, awaited: { kind: 'none' } } };
  }
}
