/**
 * The operations started through this panel's engine, newest first: what, where, by which panel, when, and how each
 * ended. The engine keeps them, so a reload or a second window shows the same list.
 */
import type { Operation } from '../../../../shared/panel/api.ts';
import { operationTitle, STATE_WORDS } from '../../lib/operations.ts';
import { machineOf } from '../../lib/selectors.ts';
import { useShallow } from 'zustand/react/shallow';
import { usePanel } from '../../store/panel.ts';
import { clockTime } from '../../lib/format.ts';

const SHOWN = 20;
const TONE: Record<Operation['state'], string> = { started: 'busy', running: 'busy', done: 'ok', failed: 'bad', unknown: 'bad' };

const NONE: Operation[] = [];

export function RecentOperations() {
  const operations = usePanel((s) => s.data?.operations ?? NONE);
  const newest = operations.slice(-SHOWN).reverse();
  // The titles name workspaces from the states: re-read per Update, but only twenty, and no re-render unless one moved.
  const titles = usePanel(useShallow((s) => (s.data?.operations ?? NONE).slice(-SHOWN).reverse().map((op) => operationTitle(op, s.data))));
  return (
    <section className="card ov-ops" aria-labelledby="ov-ops-title" data-testid="recent-operations">
      <div className="card-head">
        <h2 id="ov-ops-title">Recent operations</h2>
        <span className="muted">{operations.length > SHOWN ? `the newest ${SHOWN} of ${operations.length} kept by the panel engine` : 'kept by the panel engine'}</span>
      </div>
      {newest.length === 0 ? (
        <p className="muted">Nothing started from this panel yet: pulls, pushes, reverts, re-syncs and the like are listed here with their outcome.</p>
      ) : (
        <div className="table-scroll">
          <table className="table ov-ops-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Operation</th>
                <th scope="col">By</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {newest.map((op, i) => (
                <tr key={op.id} data-testid="op-row" data-state={op.state} data-method={op.method} data-service={op.service}>
                  <td className="ov-ops-time">{clockTime(op.startedAt)}</td>
                  <td>{titles[i] ?? operationTitle(op, null)}</td>
                  <td className="muted">{machineOf(op.by)}</td>
                  <td>
                    <span className={`ov-op-state ov-op-${TONE[op.state]}`} data-testid="op-state">{STATE_WORDS[op.state]}</span>
                    {op.outcome && <span className="ov-op-outcome" title={op.outcome}> · {op.outcome}</span>}
                    {op.endedAt !== null && <span className="muted"> · ended {clockTime(op.endedAt)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
