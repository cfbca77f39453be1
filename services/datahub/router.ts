/**
 * Routing (docs/PROTOCOL.md §3.1): each valid message goes to every peer with a matching subscription prefix, once per
 * peer, the sender included (ZeroMQ semantics). Frames from one connection are handled in arrival order (a large one
 * is checked beside the hub's thread while the peer's next frames wait), which is what lets a peer confirm its
 * subscriptions with a round trip (see testing/test-peer.ts).
 */
import { encodeFrame } from '../../shared/protocol/frame.ts';
import type { Envelope, SelfInfo } from '../../shared/protocol/message.ts';
import { encodeTopic } from '../../shared/protocol/topic.ts';
import type { Logger } from '../lib/log.ts';
import { answersTo, refusalLog } from './answers.ts';
import { isLowPriority, verdict, type Limits } from './delivery.ts';
import type { Peer } from './peer.ts';
import type { StatsTracker } from './stats.ts';
import { checkHere, LARGE_FRAME_BYTES, type Checked, type FrameChecker } from './frame-check.ts';
import { PrefixIndex } from './prefix-index.ts';

export { hasCanonicalTopic } from './canonical.ts';

/** What one peer may have waiting behind a large frame being checked; past it the peer is cut like a slow one. */
export const MAX_HELD_BYTES = 64 * 1024 * 1024;

export class Router {
  readonly peers = new Set<Peer>();
  /** Every peer's prefixes: a message's subscribers are found by walking its topic once, not by asking every peer. */
  private readonly subscribers = new PrefixIndex<Peer>();

  constructor(
    private readonly limits: Limits,
    private readonly stats: StatsTracker,
    private readonly log: Logger,
    private readonly self: SelfInfo,
    private readonly checker: FrameChecker | null = null,
  ) {}

  add(peer: Peer): void {
    this.peers.add(peer);
    peer.subscriptions.mirrorTo({ add: (p) => this.subscribers.add(p, peer), remove: (p) => this.subscribers.remove(p, peer) });
  }

  remove(peer: Peer): void {
    peer.open = false;
    peer.held = null;
    this.peers.delete(peer);
    peer.subscriptions.unmirror();
    if (peer.pending !== undefined) {
      // The sender left between a message and its attachment: the message is incomplete and never forwarded.
      peer.pending = undefined;
      this.stats.invalid++;
    }
  }

  /** A text frame: a message, or a Subscribe/Unsubscribe control frame. */
  onText(peer: Peer, data: Buffer): void {
    this.receive(peer, data, false);
  }

  /** A binary frame: the attachment of the message just before it, or an error. */
  onBinary(peer: Peer, data: Buffer): void {
    this.receive(peer, data, true);
  }

  /**
   * Frames from one connection are handled in arrival order. A large text frame is checked on the frame checker's
   * thread (frame-check.ts): until its answer is back, what the peer sends next waits behind it.
   */
  private receive(peer: Peer, data: Buffer, binary: boolean): void {
    if (peer.held !== null) {
      peer.held.push({ data, binary });
      peer.heldBytes += data.length;
      if (peer.heldBytes > MAX_HELD_BYTES) this.disconnectSlow(peer, peer.heldBytes);
      return;
    }
    if (binary) return this.binary(peer, data);
    if (this.checker === null || data.length <= LARGE_FRAME_BYTES) return this.text(peer, data, checkHere(data));
    peer.held = [];
    void this.checker.text(data).then(({ checked, bytes }) => {
      if (!peer.open) return;
      this.text(peer, bytes, checked);
      const held = peer.held ?? [];
      peer.held = null;
      peer.heldBytes = 0;
      // What waited goes on in order; a large frame among it holds the rest again.
      for (let i = 0; i < held.length; i++) {
        const next = held[i] as { data: Buffer; binary: boolean };
        this.receive(peer, next.data, next.binary);
        const again = peer.held as Peer['held'];
        if (again !== null) {
          again.push(...held.slice(i + 1));
          peer.heldBytes = again.reduce((n, h) => n + h.data.length, 0);
          return;
        }
      }
    }, (error: unknown) => this.log.error({ peer: peer.displayName, err: error }, 'frame check failed'));
  }

  private text(peer: Peer, data: Buffer, checked: Checked): void {
    if (peer.pending !== undefined) {
      peer.pending = undefined;
      this.refuse(peer, 'the binary Attachment announced by the previous message did not follow it; that message was dropped');
    }
    if (checked.kind === 'invalid') return this.refuse(peer, checked.message);
    if (checked.kind !== 'message') {
      if (checked.kind === 'unsubscribe') return peer.subscriptions.remove(checked.prefixes);
      const refused = peer.subscriptions.add(checked.prefixes);
      if (refused !== null) this.refuse(peer, refused);
      return;
    }

    const { topic, canonicalTopic, attachment } = checked;
    // Routing and the hub's own answers read the topic only: the Message travels as the bytes that carry it.
    const envelope = { topic, message: {} } as Envelope;
    peer.learnName(topic);
    const wire = checked.wire ?? data;
    if (attachment !== undefined) {
      // Held until the binary frame arrives, so each receiver gets text and attachment back to back with nothing from
      // another sender in between.
      peer.pending = { envelope, canonicalTopic, wire, attachmentLength: attachment };
      return;
    }
    this.accept(envelope, canonicalTopic, wire, undefined);
  }

  private binary(peer: Peer, data: Buffer): void {
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
    for (const peer of this.subscribers.match(canonicalTopic)) this.deliver(peer, wire, attachment, lowPriority);
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
