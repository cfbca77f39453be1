/**
 * Routing (docs/PROTOCOL.md §3.1): each valid message goes to every peer with a matching subscription prefix, once per
 * peer, the sender included (ZeroMQ semantics). Frames from one connection are handled synchronously in arrival
 * order, which is what lets a peer confirm its subscriptions with a round trip (see testing/test-peer.ts).
 */
import { decodeFrame, encodeFrame } from '../../shared/protocol/frame.ts';
import type { Envelope, SelfInfo } from '../../shared/protocol/message.ts';
import { encodeTopic } from '../../shared/protocol/topic.ts';
import type { Logger } from '../lib/log.ts';
import { answersTo, refusalLog } from './answers.ts';
import { isLowPriority, verdict, type Limits } from './delivery.ts';
import type { Peer } from './peer.ts';
import type { StatsTracker } from './stats.ts';

const TOPIC_HEAD = '{"Topic":';
const MESSAGE_HEAD = ',"Message":';

/**
 * True when the text already starts with the canonical topic, closed and followed by the Message: then receivers can
 * get the original bytes and the hub saves re-encoding the body. Any other form (key order, spaces, unknown topic
 * keys, Message first) is re-encoded.
 */
export const hasCanonicalTopic = (text: string, canonicalTopic: string): boolean =>
  text.startsWith(TOPIC_HEAD) &&
  text.startsWith(canonicalTopic, TOPIC_HEAD.length) &&
  text.startsWith(MESSAGE_HEAD, TOPIC_HEAD.length + canonicalTopic.length);

export class Router {
  readonly peers = new Set<Peer>();

  constructor(
    private readonly limits: Limits,
    private readonly stats: StatsTracker,
    private readonly log: Logger,
    private readonly self: SelfInfo,
  ) {}

  add(peer: Peer): void {
    this.peers.add(peer);
  }

  remove(peer: Peer): void {
    peer.open = false;
    this.peers.delete(peer);
    if (peer.pending !== undefined) {
      // The sender left between a message and its attachment: the message is incomplete and never forwarded.
      peer.pending = undefined;
      this.stats.invalid++;
    }
  }

  /** A text frame: a message, or a Subscribe/Unsubscribe control frame. */
  onText(peer: Peer, data: Buffer): void {
    if (peer.pending !== undefined) {
      peer.pending = undefined;
      this.refuse(peer, 'the binary Attachment announced by the previous message did not follow it; that message was dropped');
    }
    const text = data.toString('utf8');
    const decoded = decodeFrame(text);
    if (!decoded.ok) return this.refuse(peer, decoded.error.message);
    const frame = decoded.value;
    if (frame.kind !== 'message') {
      if (frame.kind === 'unsubscribe') return peer.subscriptions.remove(frame.prefixes);
      const refused = peer.subscriptions.add(frame.prefixes);
      if (refused !== null) this.refuse(peer, refused);
      return;
    }

    const { envelope, attachment } = frame;
    peer.learnName(envelope.topic);
    const canonicalTopic = encodeTopic(envelope.topic);
    const wire = hasCanonicalTopic(text, canonicalTopic) ? data : encodeFrame(envelope, attachment);
    if (attachment !== undefined) {
      // Held until the binary frame arrives, so each receiver gets text and attachment back to back with nothing from
      // another sender in between.
      peer.pending = { envelope, canonicalTopic, wire, attachmentLength: attachment };
      return;
    }
    this.accept(envelope, canonicalTopic, wire, undefined);
  }

  /** A binary frame: the attachment of the message just before it, or an error. */
  onBinary(peer: Peer, data: Buffer): void {
    const pending = peer.pending;
    peer.pending = undefined;
    if (pending === undefined) {
      return this.refuse(peer, 'a binary frame must follow a message that announces it with "Attachment"; it was dropped');
    }
    if (data.length !== pending.attachmentLength) {
      return this.refuse(peer, `the message announced an Attachment of ${pending.attachmentLength} bytes but ${data.length} came; both were dropped`);
    }
    this.accept(pending.envelope, pending.canonicalTopic, pending.wire, data);
  }

  /** Sends a message the hub itself originates through normal routing. */
  publish(message: Envelope): void {
    const canonicalTopic = encodeTopic(message.topic);
    this.route(message, canonicalTopic, encodeFrame(message), undefined);
  }

  private accept(message: Envelope, canonicalTopic: string, wire: Buffer | string, attachment: Buffer | undefined): void {
    this.stats.messagesIn++;
    this.route(message, canonicalTopic, wire, attachment);
    // The hub's answers are routed like any service's (the asker subscribes to what is addressed to it), after the
    // message itself, so a subscriber to both sees the question before the answer.
    for (const answer of answersTo(message, () => this.stats.snapshot(this.peers.size), this.self)) this.publish(answer);
  }

  private route(message: Envelope, canonicalTopic: string, wire: Buffer | string, attachment: Buffer | undefined): void {
    const lowPriority = isLowPriority(message.topic);
    for (const peer of this.peers) {
      if (peer.subscriptions.matches(canonicalTopic)) this.deliver(peer, wire, attachment, lowPriority);
    }
  }

  private deliver(peer: Peer, wire: Buffer | string, attachment: Buffer | undefined, lowPriority: boolean): void {
    const buffered = peer.ws.bufferedAmount;
    switch (verdict(buffered, lowPriority, this.limits)) {
      case 'drop':
        this.stats.dropped++;
        return;
      case 'disconnect':
        return this.disconnectSlow(peer, buffered);
      case 'send':
        peer.ws.send(wire, { binary: false });
        if (attachment !== undefined) peer.ws.send(attachment, { binary: true });
        this.stats.messagesOut++;
    }
  }

  private disconnectSlow(peer: Peer, bufferedAmount: number): void {
    this.stats.disconnected++;
    this.remove(peer);
    this.log.warn(
      { peer: peer.displayName, id: peer.id, remote: peer.remote, bufferedAmount, hardLimitBytes: this.limits.hardLimitBytes },
      'slow peer disconnected: too much queued to it',
    );
    // terminate, not close: a close frame would queue behind the backlog the peer is not reading.
    peer.ws.terminate();
  }

  /** An invalid frame: counted, never forwarded, and the sender is told why on its own socket. */
  private refuse(peer: Peer, reason: string): void {
    this.stats.invalid++;
    this.log.debug({ peer: peer.displayName, id: peer.id, reason }, 'invalid frame dropped');
    if (peer.open) this.deliver(peer, encodeFrame(refusalLog(peer.displayName, reason)), undefined, false);
  }
}
