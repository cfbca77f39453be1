/**
 * What the panel shows while it is not on its hub, decided once for the shell: the banner's words, and whether the
 * views show the last known data (marked stale) or nothing — never "not discovered" cards or "no repositories" that
 * only mean the panel cannot see.
 */
import type { ConnectionStatus } from '../../../shared/panel/api.ts';
import { PROBLEM_WORDS } from '../../../shared/panel/connection-problem.ts';

export interface NotConnected {
  /** A problem (role=alert) or only a first connection under way (role=status). */
  problem: boolean;
  headline: string;
  advice: string | null;
  /** The hub peer's own reason, for whoever looks into it. */
  detail: string | null;
  /** When the data the views still show were last live; null: nothing is known from this hub, the views stay empty. */
  staleSince: number | null;
}

/** Null while connected, or when no hub is chosen yet (the hub offer speaks then). */
export function notConnected(connection: ConnectionStatus | undefined): NotConnected | null {
  if (!connection || connection.state === 'connected' || connection.hubUrl === '') return null;
  const staleSince = connection.lastConnected ?? null;
  const kind = connection.problem;
  if (!kind) {
    return { problem: false, headline: staleSince === null ? 'Connecting to the hub…' : 'Reconnecting to the hub…', advice: null, detail: null, staleSince };
  }
  const words = PROBLEM_WORDS[kind];
  const headline = staleSince === null ? `The panel cannot reach the hub: ${words.summary}` : `Lost the connection to the hub: ${words.summary}`;
  return { problem: true, headline, advice: words.advice, detail: connection.reason ?? null, staleSince };
}
