/** One connected peer: its socket, subscriptions, the name it goes by and a message waiting for its attachment. */
import type { WebSocket } from 'ws';
import type { Envelope } from '../../shared/protocol/message.ts';
import type { Topic } from '../../shared/protocol/topic.ts';
import { Subscriptions } from './subscriptions.ts';

/** The Target of hub Logs to a peer that has not yet sent a frame naming itself. */
export const UNKNOWN_PEER = 'UNKNOWN';

/** A message whose text frame announced an Attachment; it is routed only once the binary frame is there. */
export interface PendingMessage {
  envelope: Envelope;
  canonicalTopic: string;
  /** What receivers get as the text frame (the original bytes when already canonical). */
  wire: Buffer | string;
  attachmentLength: number;
}

/** The name a frame shows its sender goes by: Source, RespondTo or ExecutedOn. Set and Reset carry none. */
export function senderName(topic: Topic): string | undefined {
  switch (topic.Type) {
    case 'Get':
    case 'Call':
      return topic.RespondTo;
    case 'CallResult':
      return topic.ExecutedOn;
    case 'Update':
    case 'Identify':
    case 'Self':
    case 'Startup':
    case 'Log':
      return topic.Source;
    case 'Set':
    case 'Reset':
      return undefined;
  }
}

export class Peer {
  readonly subscriptions = new Subscriptions();
  /** Learned from the frames the peer sends (the last one wins); used to address hub Logs and in the hub's logs. */
  name: string | undefined;
  pending: PendingMessage | undefined;
  /** False from the moment the hub drops the peer, before the socket's close event arrives. */
  open = true;
  /** Frames waiting behind a large one being checked (router.ts); null when none is. */
  held: Array<{ data: Buffer; binary: boolean }> | null = null;
  heldBytes = 0;

  constructor(
    readonly ws: WebSocket,
    readonly id: number,
    readonly remote: string,
  ) {}

  learnName(topic: Topic): void {
    const name = senderName(topic);
    if (name !== undefined) this.name = name;
  }

  get displayName(): string {
    return this.name ?? UNKNOWN_PEER;
  }
}
