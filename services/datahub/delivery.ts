/** What to do with a message for a peer, given how much is already queued to it (docs/PROTOCOL.md §3.1 slow peers). */
import { BROADCAST } from '../../shared/protocol/names.ts';
import type { Topic } from '../../shared/protocol/topic.ts';

export type Verdict = 'send' | 'drop' | 'disconnect';

export interface Limits {
  softLimitBytes: number;
  hardLimitBytes: number;
}

/** The only messages the protocol allows to be lost under load: `LOWPRIO_` Updates to BROADCAST. */
export const isLowPriority = (topic: Topic): boolean =>
  topic.Type === 'Update' && topic.Target === BROADCAST && topic.Name.startsWith('LOWPRIO_');

/**
 * Past the hard limit the peer goes (it reconnects and re-reads state with Get), whatever the message: queuing more
 * would only grow the hub's memory. Past the soft limit only low-priority messages are dropped; everything else is
 * queued, since nothing else may be lost silently.
 */
export function verdict(bufferedBytes: number, lowPriority: boolean, limits: Limits): Verdict {
  if (bufferedBytes > limits.hardLimitBytes) return 'disconnect';
  if (lowPriority && bufferedBytes > limits.softLimitBytes) return 'drop';
  return 'send';
}
