/**
 * Each client machine's one-word state (summary.ts) for filtering, counting and ordering hundreds of machines: read
 * once per version of the machine's states (the store replaces only the states object of the client that changed),
 * so an Update to one client costs one summary, and the order is by the state's rank, never by its percent, so rows
 * do not jump on every progress tick.
 */
import type { ServiceEntry } from '../../../shared/panel/api.ts';
import type { PanelData } from '../store/panel.ts';
import { own } from '../../../shared/dict.ts';
import { byName, type Client } from './selectors.ts';
import { UNKNOWN, machineSummary, type Summary } from './summary.ts';

/** The states a machine can be filtered by, in the order they need attention. */
export const STATE_WORDS = ['Offline', 'Conflicts', 'Syncing', 'Out of sync', 'Up to date', UNKNOWN] as const;
export type StateWord = (typeof STATE_WORDS)[number];

/** Offline and Conflicts first, then the busy ones alike (a machine moving between them keeps its place), … */
const RANK: Record<StateWord, number> = { Offline: 0, Conflicts: 1, Syncing: 2, 'Out of sync': 2, 'Up to date': 3, [UNKNOWN]: 4 };

/** `Syncing 42%` → `Syncing`. */
export const stateWord = (summary: Summary): StateWord => {
  const word = summary.text.startsWith('Syncing') ? 'Syncing' : summary.text;
  return (STATE_WORDS as readonly string[]).includes(word) ? (word as StateWord) : UNKNOWN;
};

export const isStateWord = (text: string): text is StateWord => (STATE_WORDS as readonly string[]).includes(text);

const NO_STATES: Record<string, unknown> = {};
const cache = new WeakMap<object, { online: boolean; summary: Summary }>();

/** A client's summary, computed once per (states object, online). */
export function clientSummary(online: boolean, states: Record<string, unknown> | undefined): Summary {
  const key = states ?? NO_STATES;
  const hit = cache.get(key);
  if (hit && hit.online === online) return hit.summary;
  const client = key as Client;
  const summary = machineSummary({ online, status: client.WorkspaceInfo?.Status, assets: client.AssetInfo?.Workspaces });
  cache.set(key, { online, summary });
  return summary;
}

export interface MachineRow { service: string; name: string; state: StateWord }

/** Attention first (by rank), then by name: stable while a machine stays within its rank. */
export function byAttention(a: MachineRow, b: MachineRow): number {
  return RANK[a.state] - RANK[b.state] || byName(a.name, b.name);
}

/** The last row made for each service, with what it was made from. */
const rows = new Map<string, { online: boolean; states: object | undefined; name: (service: string) => string; row: MachineRow }>();

/**
 * Each client entry with its state word: O(machines), run on every change of the store. A machine whose states and
 * online flag are the same objects as at the last call gives the same row, with nothing computed or allocated.
 */
export function machineRows(data: PanelData | null, entries: readonly ServiceEntry[], name: (service: string) => string): MachineRow[] {
  // Services forgotten leave their rows here: dropped all at once when they outnumber the ones shown.
  if (rows.size > 2 * entries.length + 1000) rows.clear();
  return entries.map((e) => {
    const states = own(data?.states, e.name);
    const hit = rows.get(e.name);
    if (hit && hit.states === states && hit.online === e.online && hit.name === name) return hit.row;
    const state = stateWord(clientSummary(e.online, states));
    const row = hit && hit.name === name && hit.row.state === state ? hit.row : { service: e.name, name: name(e.name), state };
    rows.set(e.name, { online: e.online, states, name, row });
    return row;
  });
}

export type StateCounts = Record<StateWord, number>;

export function countStates(rows: readonly MachineRow[]): StateCounts {
  const counts = Object.fromEntries(STATE_WORDS.map((w) => [w, 0])) as StateCounts;
  for (const r of rows) counts[r.state]++;
  return counts;
}

/** The machines to show, attention first, and the counts per state before the state filter. */
export function orderMachines(rows: readonly MachineRow[], state: StateWord | null): { services: string[]; counts: StateCounts } {
  const counts = countStates(rows);
  const shown = state ? rows.filter((r) => r.state === state) : [...rows];
  return { services: shown.sort(byAttention).map((r) => r.service), counts };
}
