/**
 * The hub as a service on its own bus: it answers `Get` addressed to `DataHub` (its `Stats`) and `Identify` (with a
 * `Self`). Pure functions: the router delivers what they return.
 */
import { envelope, type Envelope, type SelfInfo } from '../../shared/protocol/message.ts';
import { HUB_NAME } from './config.ts';
import { statsValue, type HubStats } from './stats.ts';

/** The hub's replies to one message it has just routed; empty for messages not meant for it. */
export function answersTo(message: Envelope, stats: () => HubStats, self: SelfInfo): Envelope[] {
  const topic = message.topic;
  if (topic.Type === 'Get' && topic.Target === HUB_NAME) {
    return [
      envelope<'Update'>(
        { Type: 'Update', Target: topic.RespondTo, Source: HUB_NAME, Name: topic.Name },
        { Value: statsValue(topic.Name, stats()) },
      ),
    ];
  }
  if (topic.Type === 'Identify') {
    return [envelope<'Self'>({ Type: 'Self', Target: topic.Source, Source: HUB_NAME }, { Value: self })];
  }
  return [];
}

/** The Warning a peer gets, directly on its socket, for a frame the hub refused. */
export const refusalLog = (target: string, reason: string): Envelope<'Log'> =>
  envelope<'Log'>({ Type: 'Log', Target: target, Source: HUB_NAME }, { Level: 'Warning', Message: reason });
