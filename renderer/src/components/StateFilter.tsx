/**
 * The filter by one-word state (Overview and Workspaces share it): a select, and the counts per state as buttons that
 * choose that state ("Conflicts 3 · Syncing 12 · Up to date 480"); counts are within the machine filter.
 */
import { STATE_WORDS, isStateWord, type StateCounts } from '../lib/machine-state.ts';

export function StateFilter({ counts, machineState, setMachineState }: { counts: StateCounts; machineState: string; setMachineState(state: string): void }) {
  const chosen = isStateWord(machineState) ? machineState : '';
  const total = STATE_WORDS.reduce((n, w) => n + counts[w], 0);
  const present = STATE_WORDS.filter((w) => counts[w] > 0);
  return (
    <div className="state-filter" role="group" aria-label="Machines by state">
      <label className="header-field">
        <span>State</span>
        <select value={chosen} onChange={(e) => setMachineState(e.target.value)} data-testid="state-filter">
          <option value="">All states ({total.toLocaleString('en-US')})</option>
          {STATE_WORDS.map((w) => (
            <option key={w} value={w}>{w} ({counts[w].toLocaleString('en-US')})</option>
          ))}
        </select>
      </label>
      <span className="state-counts">
        {present.map((w, i) => (
          <span key={w}>
            {i > 0 && <span className="muted" aria-hidden="true"> · </span>}
            <button
              type="button"
              className={`state-count state-${STATE_WORDS.indexOf(w)}`}
              aria-pressed={chosen === w}
              data-testid="state-count"
              data-state={w}
              data-count={counts[w]}
              onClick={() => setMachineState(chosen === w ? '' : w)}
            >
              {w} {counts[w].toLocaleString('en-US')}
            </button>
          </span>
        ))}
      </span>
    </div>
  );
}
