/**
 * How a hub peer reaches a hub. A Transport carries decoded messages both ways and takes topic-prefix subscriptions;
 * it hides the fabric: WebSocket text frames (`{"Topic":…,"Message":…}`) or ZeroMQ multipart messages
 * (`[topic, message(, attachment)]`). One Transport is one connection attempt: the peer makes a new one for every
 * (re)connect. Every inbound message is decoded by the shared codec here, once; what does not decode is reported as
 * invalid and never handed on as a message.
 */
import type { DecodeError, Envelope } from '../shared/protocol/index.ts';

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
