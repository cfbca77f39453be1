/**
 * How a hub peer reaches a hub. A Transport carries decoded messages both ways and takes topic-prefix subscriptions;
 * it hides the fabric: WebSocket text frames (`{"Topic":…,"Message":…}`) or ZeroMQ multipart messages
 * (`[topic, message(, attachment)]`). One Transport is one connection attempt: the peer makes a new one for every
 * (re)connect. Every inbound message is decoded by the shared codec here, once; what does not decode is reported as
 * invalid and never handed on as a message. An owner that says which messages it wants (`admit`) is asked first, from
 * the topic and size alone: what it refuses is reported as refused and its Message is never decoded.
 */
import type { DecodeError, Envelope, Topic } from '../shared/protocol/index.ts';

/** A decoded message from the hub. */
export interface Inbound {
  envelope: Envelope;
  /** Its size on the wire, in bytes. */
  bytes: number;
  /** The Message part as JSON text (for the message log; computed only when asked). */
  body(): string;
  attachment?: Uint8Array;
  /** The text frame exactly as it came (WebSocket fabric only): tests check what the hub forwarded byte for byte. */
  raw?: string;
}

/** Something from the hub that is not a valid message. */
export interface InvalidInbound {
  error: DecodeError;
  /** What came, as text (cut), for logs. */
  raw: string;
  bytes: number;
}

/** A message the transport's owner refused from its topic and size (TransportOptions.admit): its Message was not read. */
export interface RefusedInbound {
  topic: Topic;
  /** Its size on the wire, in bytes (with the Attachment it announced). */
  bytes: number;
}

/** What went out: its size and its Message text, for the message log. */
export interface Outbound {
  bytes: number;
  body(): string;
}

export interface TransportEvents {
  /** The connection is open: subscriptions and messages may be sent (on ZeroMQ: the sockets are connecting). */
  onOpen(): void;
  onMessage(message: Inbound): void;
  onInvalid(problem: InvalidInbound): void;
  /** A message `admit` refused (only with TransportOptions.admit). */
  onRefused(refused: RefusedInbound): void;
  /**
   * The connection ended or could not be made; called once, never after close(). `fatal` means retrying cannot help
   * (the hub refused the token, the address is invalid).
   */
  onClose(reason: string, fatal: boolean): void;
}

export interface Transport {
  /** Sends one message; null when it could not be sent (not open, or the send queue is full). */
  send(message: Envelope, attachment?: Uint8Array): Outbound | null;
  subscribe(prefixes: readonly string[]): void;
  unsubscribe(prefixes: readonly string[]): void;
  /**
   * Sends bytes exactly as given, bypassing the codec (tests that attack a hub): a WebSocket text (string) or binary
   * (Uint8Array) frame, or a ZeroMQ multipart message (array of parts). False when not sent.
   */
  sendRaw(data: string | Uint8Array | readonly Uint8Array[]): boolean;
  /** Ends the connection; no event follows. */
  close(): void;
}

export interface TransportOptions {
  /** The hub's address (`ws://…`, `wss://…`, `zmq://…`). */
  url: string;
  token?: string;
  /** Largest message accepted from the hub. */
  maxMessageBytes?: number;
  /**
   * Whether a message with this topic and size (in bytes on the wire, Attachment included) is wanted. Asked before its
   * Message is decoded, from the topic alone: a ZeroMQ topic part, or the topic cut out of a WebSocket text frame laid
   * out as the reference hub forwards every frame (shared/protocol/frame.ts, skimFrame); a frame in any other layout
   * is decoded whole first and reaches its owner as a message. A refused message goes to `onRefused`, and costs about
   * its topic: its Message is neither parsed nor (on either fabric) made into a string. An invalid topic is reported
   * as invalid, as it would be after a full decode.
   */
  admit?(topic: Topic, bytes: number): boolean;
}

export type TransportFactory = (options: TransportOptions, events: TransportEvents) => Transport;

/** Largest message a peer accepts from the hub by default (the reference hubs refuse more than 16 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A transport that failed before it started (an invalid address): it reports why, after the caller has it. */
export function failedTransport(reason: string, events: TransportEvents): Transport {
  let closed = false;
  queueMicrotask(() => {
    if (!closed) events.onClose(reason, true);
  });
  return { send: () => null, subscribe: () => {}, unsubscribe: () => {}, sendRaw: () => false, close: () => void (closed = true) };
}

/** Cuts a text for a log line. */
export const cut = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}…` : text);
