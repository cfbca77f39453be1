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
import { STATE_WORDS, isStateWord, machineRows, orderMachines, type StateCounts } from './machine-state.ts';

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

export function useMachines(): ShownMachines {
  const { machines, machineState } = useUi(useShallow((s) => ({ machines: s.machines, machineState: s.machineState })));
  const state = isStateWord(machineState) ? machineState : null;
  const previous = useRef<ShownMachines | null>(null);
  return usePanel((s) => {
    const rows = machineRows(s.data, clientEntries(s.data, machines), machineOf);
    const next: ShownMachines = { ...orderMachines(rows, state), loaded: s.data !== null };
    if (previous.current && same(previous.current, next)) return previous.current;
    previous.current = next;
    return next;
  });
}
