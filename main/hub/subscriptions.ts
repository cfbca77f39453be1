/** What the panel subscribes to on the hub; the hub peer sends it again on every (re)connect. */
import { BROADCAST, topicPrefix } from '../../shared/protocol/index.ts';

/**
 * - `Update`, `CallResult`, `Log` and `Self` addressed to the panel (Get replies, Call replies, Logs meant for it,
 *   Identify answers);
 * - `Update` and `Log` to `BROADCAST` (every state change, every service's log lines, Set refusals);
 * - every `Startup` (a service restarted: read it again);
 * - every `Identify` (the panel is a service too: it answers with its Self, so other panels and tools see it);
 * - every `Set` and `Reset`: the hub hands the panel's own back to it in routing order, which tells the panel from
 *   which point on a service's Update can be the answer (see confirm.ts); other panels' show in the message log.
 */
export function panelSubscriptions(panelName: string): string[] {
  return [
    topicPrefix('Update', { Target: panelName }),
    topicPrefix('CallResult', { Target: panelName }),
    topicPrefix('Log', { Target: panelName }),
    topicPrefix('Self', { Target: panelName }),
    topicPrefix('Update', { Target: BROADCAST }),
    topicPrefix('Log', { Target: BROADCAST }),
    topicPrefix('Startup'),
    topicPrefix('Identify'),
    topicPrefix('Set'),
    topicPrefix('Reset'),
  ];
}
