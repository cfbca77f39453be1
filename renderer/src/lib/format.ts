/** Words for the connection screen: statuses, relative times, short summaries of a service's states. */
import type { ConnectionStatus, ServiceEntry } from '../../../shared/panel/api.ts';
import { PROBLEM_WORDS } from '../../../shared/panel/connection-problem.ts';
import type { TransportState } from '../api/bridge.ts';

export type Tone = 'ok' | 'busy' | 'bad' | 'idle';

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * "Connected", "Reconnecting in 3 s (attempt 2)", "Failed: hub refused the token", "Connecting…", "Disconnected".
 * `withProblem` adds why a reconnecting panel is off its hub ("· connection refused"), for places that show no banner.
 */
export function connectionText(status: ConnectionStatus, now: number, withProblem = false): string {
  const text = connectionWords(status, now);
  return withProblem && status.state === 'reconnecting' && status.problem ? `${text} · ${PROBLEM_WORDS[status.problem].summary}` : text;
}

function connectionWords(status: ConnectionStatus, now: number): string {
  switch (status.state) {
    case 'connected':
      return 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting': {
      const attempt = status.attempt !== undefined ? ` (attempt ${status.attempt})` : '';
      if (status.retryAt === undefined) return `Reconnecting…${attempt}`;
      const left = seconds(status.retryAt - now);
      return left > 0 ? `Reconnecting in ${left} s${attempt}` : `Reconnecting now${attempt}`;
    }
    case 'failed':
      return `Failed: ${status.reason ?? 'unknown reason'}`;
    case 'disconnected':
      return status.reason ? `Disconnected: ${status.reason}` : 'Disconnected';
  }
}

export function connectionTone(status: ConnectionStatus): Tone {
  switch (status.state) {
    case 'connected':
      return 'ok';
    case 'connecting':
    case 'reconnecting':
      return 'busy';
    case 'failed':
      return 'bad';
    case 'disconnected':
      return 'idle';
  }
}

/** The browser bridge's state when it is not open, in words; null when it is open. */
export function transportText(transport: TransportState | null, now: number): string | null {
  if (!transport) return null;
  switch (transport.state) {
    case 'open':
      return null;
    case 'closed':
      return 'Panel host: not connected';
    case 'connecting':
      return transport.attempt > 1 ? `Connecting to the panel host… (attempt ${transport.attempt})` : 'Connecting to the panel host…';
    case 'waiting': {
      const left = seconds(transport.retryAt - now);
      return `Panel host unreachable: retrying ${left > 0 ? `in ${left} s` : 'now'} (attempt ${transport.attempt + 1})`;
    }
  }
}

/** "just now", "3 s ago", "5 min ago", "2 h ago", "4 d ago"; "never" for null. */
export function relativeTime(time: number | null, now: number): string {
  if (time === null) return 'never';
  const s = Math.floor((now - time) / 1000);
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "21:42:07": one form everywhere, 24 h, whatever the machine's locale would pick (12 h in some, 24 h in others). */
export function clockTime(time: number): string {
  const d = new Date(time);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "2026-12-06 21:42:07", local time, for tooltips and details. */
export function dateTime(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clockTime(time)}`;
}

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function mapSize(value: unknown, key: string): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const map = (value as Record<string, unknown>)[key];
  if (Array.isArray(map)) return map.length;
  return typeof map === 'object' && map !== null ? Object.keys(map).length : null;
}

/**
 * A few words from the service's states: the server's repositories, a client's workspaces (from PersistentState,
 * which lists every one; State as a fallback). Null for other kinds and before the states are read.
 */
export function serviceSummary(entry: ServiceEntry, states: Record<string, unknown> | undefined): string | null {
  const size = (key: string): number | null => mapSize(states?.['PersistentState'], key) ?? mapSize(states?.['State'], key);
  if (entry.kind === 'server') {
    const n = size('Repositories');
    return n === null ? null : count(n, 'repository', 'repositories');
  }
  if (entry.kind === 'client') {
    const n = size('Workspaces');
    return n === null ? null : count(n, 'workspace', 'workspaces');
  }
  return null;
}

/** What a service offers, in a few words, and in full for a tooltip (shared/panel/offer.ts has the verdicts). */
export function offerSummary(entry: ServiceEntry): { text: string; detail: string } | null {
  const offer = entry.offer;
  if (!offer) return null;
  if (offer.source === 'checking') return { text: 'asking…', detail: `asking ${entry.name} what it offers` };
  if (offer.source === 'documented') return { text: 'documented protocol only', detail: `Pixotope's documented protocol only: ${offer.reason ?? 'it did not say what it offers'}` };
  return { text: `${count(offer.methods.length, 'Call', 'Calls')}, ${count(offer.states.length, 'state', 'states')}`, detail: `Calls: ${offer.methods.join(', ') || 'none'}\nStates: ${offer.states.join(', ') || 'none'}` };
}

export const KIND_LABEL: Record<ServiceEntry['kind'], string> = {
  server: 'Server',
  client: 'Client',
  hub: 'Data Hub',
  panel: 'Panel',
  other: 'Other',
};

export const STATE_LABEL: Record<ConnectionStatus['state'], string> = {
  connected: 'Connected',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  failed: 'Failed',
  disconnected: 'Disconnected',
};

/** An ISO time as ms since epoch, or null when absent or unreadable. */
export function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : time;
}
