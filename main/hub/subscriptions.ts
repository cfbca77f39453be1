/** What the panel subscribes to on the hub; the hub peer sends it again on every (re)connect. */
import { BROADCAST, FOREIGN_ORDER_PREFIXES, topicPrefix } from '../../shared/protocol/index.ts';

/**
 * - `Update`, `CallResult`, `Log` and `Self` addressed to the panel (Get replies, Call replies, Logs meant for it,
 *   Identify answers);
 * - `Update` and `Log` to `BROADCAST` (every state change, every service's log lines, Set refusals);
 * - every `Startup` (a service restarted: read it again);
 * - every `Identify` (the panel is a service too: it answers with its Self, so other panels and tools see it);
 * - every `Set` and `Reset`: the hub hands the panel's own back to it in routing order, which tells the panel from
 *   which point on a service's Update can be the answer (see confirm.ts); other panels' show in the message log;
 * - `Update`, `Log` and `Self` whose Source comes second (FOREIGN_ORDER_PREFIXES, shared/protocol/topic.ts): real Pixotope peers on the ZeroMQ
 *   fabric, whose bytes the hub matches as they were sent. An Update in the other documented key order (Type, Source,
 *   Target, Name) and an Update, Log or Self without Target (read as BROADCAST, docs/PROTOCOL-EXTENSIONS.md
 *   "Messages") match none of the canonical prefixes above. The WebSocket hub matches the canonical re-encoding,
 *   where Target always comes second: there these never match anything.
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
    ...FOREIGN_ORDER_PREFIXES,
  ];
}
