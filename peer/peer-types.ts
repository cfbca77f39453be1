/** The hub peer's options, events and status (peer/hub-peer.ts). */
import type { Envelope, Topic } from '../shared/protocol/index.ts';
import type { Logger } from './log.ts';
import type { Inbound, InvalidInbound, TransportFactory } from './transport.ts';

export type PeerState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface PeerStatus {
  state: PeerState;
  /** The hub address, '' before the first connect. */
  hub: string;
  /** Reconnect attempt number while reconnecting. */
  attempt?: number;
  /** When the next attempt starts (ms since epoch), while reconnecting. */
  retryAt?: number;
  /** Why the last connection ended or failed. */
  reason?: string;
  since: number;
}

/**
 * One message in or out, as a message log shows it. `message` is null for a subscription, an invalid message or one
 * refused unread (`refused`).
 */
export interface TapEntry {
  direction: 'in' | 'out';
  message: Envelope | null;
  /** The topic of a message refused by `admit`, whose Message was never read (body() says so). */
  refused?: Topic;
  bytes: number;
  body(): string;
  attachment: boolean;
}

export interface HubPeerOptions {
  /** The peer's name on the hub (Source, RespondTo, Target of what is addressed to it). */
  name: string;
  logger?: Logger;
  /** Get and Call time limit; default 5000 ms. */
  requestTimeoutMs?: number;
  /** Prefixes to subscribe to (the peer adds its heartbeat's when none of these covers it). */
  subscriptions?: readonly string[];
  /** Answer Identify with this Self; Machine defaults to the host name, StartedAt to when the peer was made. */
  self?: { Version: string; Machine?: string; StartedAt?: string };
  /** Broadcast Startup on the first connection of this process (a service with state: panels re-read it). */
  announceStartup?: boolean;
  /** Send Identify on every connection and then every this many ms (discovery); 0 or absent: never. */
  identifyEveryMs?: number;
  /** A heartbeat round trip every this many ms while connected; 0: none (only the first, and sync()). Default 1000. */
  livenessMs?: number;
  /** The hub counts as lost after this long without a heartbeat back; default 15,000 ms (DEFAULT_LOST_AFTER_MS). */
  lostAfterMs?: number;
  /** A connection attempt fails when no heartbeat came back within this long; default 5000 ms. */
  openTimeoutMs?: number;
  /** Reconnect after a lost connection (default); false: stay `disconnected` (tests that watch a hub drop a peer). */
  reconnect?: boolean;
  /** What a Get resolves to, from the reply's wire Value; default `[dot]`-decoding of the marked maps' keys. */
  decodeValue?(path: readonly string[], wireValue: unknown): unknown;
  /** How the hub is reached; default by the address's scheme (ws://, wss://, zmq://). */
  transport?: TransportFactory;
  maxMessageBytes?: number;
  /**
   * Whether a message from the hub with this topic and size (bytes on the wire) is wanted; asked before its Message is
   * decoded (peer/transport.ts, TransportOptions.admit). A refused one goes to `onRefused` instead of `onMessage`.
   */
  admit?(topic: Topic, bytes: number): boolean;
  now?: () => number;
}

export interface HubPeerEvents {
  /** Every valid message from the hub (heartbeats aside), before a Get or Call it answers is settled. */
  onMessage?(message: Envelope, inbound: Inbound): void;
  /**
   * A message `admit` refused, by its topic and size; its Message was never decoded. Like onMessage, only once
   * connected (what comes before is held until then).
   */
  onRefused?(topic: Topic, bytes: number): void;
  /** Something from the hub that is not a valid message (dropped, counted, logged). */
  onInvalid?(problem: InvalidInbound): void;
  onStatus?(status: PeerStatus): void;
  /** Connected (after the first round trip); `first` once per peer. Subscriptions are in force. */
  onUp?(first: boolean): void;
  /** A connection that was up ended; pending requests have failed with DISCONNECTED. */
  onDown?(reason: string): void;
  /** Messages may have been lost while connected (a heartbeat never came back): state must be read again. */
  onGap?(reason: string): void;
  tap?(entry: TapEntry): void;
}
