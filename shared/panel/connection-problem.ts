/**
 * Why the panel is not on its hub, as a kind the renderer can word for the operator, derived in this one place from
 * the reason the hub peer gives (peer/ws-transport.ts, peer/zmq-transport.ts, peer/hub-peer.ts) — the reason text
 * stays the technical detail.
 */
import { z } from 'zod';

export const ConnectionProblemKind = z.enum(['refused', 'unknown-host', 'token', 'tls', 'timeout', 'no-heartbeat', 'lost', 'stopped', 'other']);
export type ConnectionProblemKind = z.infer<typeof ConnectionProblemKind>;

/** The operator's words for each kind: what happened, and what usually helps. */
export const PROBLEM_WORDS: Record<ConnectionProblemKind, { summary: string; advice: string }> = {
  refused: { summary: 'connection refused', advice: 'Nothing answers at that address: is the hub running, and are the host and port right?' },
  'unknown-host': { summary: 'unknown host', advice: 'The hub’s host name does not resolve: check its spelling, or use its IP address.' },
  token: { summary: 'the hub refused the token', advice: 'The token is wrong or missing: give the hub’s token in the hub form.' },
  tls: { summary: 'TLS problem', advice: 'The secure connection could not be set up: check the certificate (--hub-ca) or use ws:// on a trusted network.' },
  timeout: { summary: 'timed out', advice: 'The hub did not answer in time: is a Data Hub running at that address, and does the network let it through?' },
  'no-heartbeat': { summary: 'the hub stopped answering heartbeats', advice: 'The hub went silent: it may have stopped, or the network to it dropped.' },
  lost: { summary: 'connection lost', advice: 'The connection dropped: the hub may have stopped or restarted.' },
  stopped: { summary: 'disconnected by the panel', advice: 'Connect again, or choose another hub.' },
  other: { summary: 'connection failed', advice: 'See the detail below.' },
};

const RULES: readonly [RegExp, ConnectionProblemKind][] = [
  [/\b(HTTP 40[13]|wrong or missing token)\b/i, 'token'],
  [/\bECONNREFUSED\b/, 'refused'],
  [/\b(ENOTFOUND|EAI_AGAIN|EAI_NONAME|getaddrinfo)\b/, 'unknown-host'],
  [/\b(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL|ERR_TLS|EPROTO|certificate|TLS|SSL)/, 'tls'],
  [/no heartbeat/i, 'no-heartbeat'],
  [/\b(ETIMEDOUT|timed out|timeout|no answer from the hub)\b/i, 'timeout'],
  [/disconnected by the panel/, 'stopped'],
  [/\b(connection lost|ECONNRESET|EPIPE|dropped the connection|closed by the hub)\b/i, 'lost'],
];

/** The kind of a reason the hub peer gave; 'other' when no rule knows it. */
export function problemKind(reason: string): ConnectionProblemKind {
  return RULES.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}
