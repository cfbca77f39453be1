/**
 * The client machines a view shows: within the machine filter, of the chosen state, attention first; with the counts
 * per state. A view re-renders only when that list or a count changes, not on every Update (each machine's own row
 * or card subscribes to its own states).
 */
import { useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { clientEntries, machineOf } from './selectors.ts';
import { usePanel } from '../store/panel.ts';
import { useUi } from '../store/ui.ts';
import { STATE_WORDS, isStateWord, machineRows, orderMachines, type MachineRow, type StateCounts, type StateWord } from './machine-state.ts';

export interface ShownMachines {
  /** Service names, in the order shown. */
  services: string[];
  /** Per state, within the machine filter (before the state filter). */
  counts: StateCounts;
  /** Whether the panel has its first snapshot. */
  loaded: boolean;
}

const same = (a: ShownMachines, b: ShownMachines): boolean =>
  a.loaded === b.loaded &&
  a.services.length === b.services.length &&
  a.services.every((s, i) => s === b.services[i]) &&
  STATE_WORDS.every((w) => a.counts[w] === b.counts[w]);

const sameRows = (a: readonly MachineRow[], b: readonly MachineRow[]): boolean =>
  a.length === b.length && a.every((r, i) => r.service === b[i]?.service && r.state === b[i]?.state);

export function useMachines(): ShownMachines {
  const { machines, machineState } = useUi(useShallow((s) => ({ machines: s.machines, machineState: s.machineState })));
  const state = isStateWord(machineState) ? machineState : null;
  const previous = useRef<{ rows: MachineRow[]; shown: ShownMachines; state: StateWord | null; machines: string[]; services?: object; states?: object } | null>(null);
  return usePanel((s) => {
    const before = previous.current;
    const services = s.data?.services;
    const states = s.data?.states;
    // The selector runs on every change of the store (and again as the view renders): the same services and states
    // maps (an operation's progress, the connection, a second call for one change) are the same machines, unread.
    if (before && before.services === services && before.states === states && before.state === state && before.machines === machines) return before.shown;
    const rows = machineRows(s.data, clientEntries(s.data, machines), machineOf);
    const loaded = s.data !== null;
    // Every machine in the same state as at the last Update (nearly every Update): the same order, no sort.
    if (before && before.state === state && before.shown.loaded === loaded && sameRows(before.rows, rows)) {
      previous.current = { ...before, rows, machines, services, states };
      return before.shown;
    }
    const next: ShownMachines = { ...orderMachines(rows, state), loaded };
    const shown = before && same(before.shown, next) ? before.shown : next;
    previous.current = { rows, shown, state, machines, services, states };
    return shown;
  });
}
