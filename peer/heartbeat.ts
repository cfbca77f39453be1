/**
 * The peer's own round trip through the hub: an Update addressed to itself (`Target` = `Source` = its name, Name
 * `PeerHeartbeat`), which only it subscribes to. Its return proves that the hub routes this peer's messages and that
 * the peer's subscriptions are in force (on ZeroMQ nothing else can tell: a connect succeeds with no hub there, and a
 * PUB socket drops what no subscription asked for). Numbered, so a missing one shows that messages were lost.
 */
import { envelope, topicPrefix, type Envelope, type Topic } from '../shared/protocol/index.ts';

export const HEARTBEAT_NAME = 'PeerHeartbeat';

export interface HeartbeatValue {
  Seq: number;
  SentAt: number;
  /** Random per peer: a round trip that does not carry it was not this peer's (any peer can write any topic). */
  Nonce: string;
}

export const heartbeat = (name: string, value: HeartbeatValue): Envelope<'Update'> =>
  envelope<'Update'>({ Type: 'Update', Target: name, Source: name, Name: HEARTBEAT_NAME }, { Value: value });

export const heartbeatPrefix = (name: string): string => topicPrefix('Update', { Target: name, Source: name, Name: HEARTBEAT_NAME });

export const isHeartbeat = (topic: Topic): boolean =>
  topic.Type === 'Update' && topic.Name === HEARTBEAT_NAME && topic.Target === topic.Source;

export function heartbeatValue(value: unknown): HeartbeatValue | null {
  if (typeof value !== 'object' || value === null) return null;
  const { Seq, SentAt, Nonce } = value as Record<string, unknown>;
  return Number.isSafeInteger(Seq) && typeof SentAt === 'number' && typeof Nonce === 'string' ? { Seq: Seq as number, SentAt, Nonce } : null;
}
