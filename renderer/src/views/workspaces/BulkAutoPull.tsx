/**
 * AutoPull for one repository on every machine at once: a Set on every client with a workspace of it (whatever the
 * machine filter shows), then each machine's outcome.
 */
import { useMemo, useState } from 'react';
import { usePanel } from '../../store/panel.ts';
import { errorInfo } from '../../lib/useCommand.ts';
import { useToasts } from '../../store/toasts.ts';
import { workspaceRows } from './model.ts';

type Outcome = { machine: string; workspace: string; state: 'pending' | 'ok' | 'failed'; code?: string; message?: string };

const NO_FILTER: string[] = [];

export function BulkAutoPull() {
  const data = usePanel((s) => s.data);
  const invoke = usePanel((s) => s.invoke);
  const toast = useToasts((s) => s.push);
  const rows = useMemo(() => workspaceRows(data, NO_FILTER), [data]);
  const repositories = useMemo(() => [...new Set(rows.map((r) => r.repository).filter((r): r is string => r !== null))].sort(), [rows]);
  const [repo, setRepo] = useState('');
  const [value, setValue] = useState<'on' | 'off'>('on');
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const running = outcomes.some((o) => o.state === 'pending');
  const chosen = repositories.includes(repo) ? repo : '';
  const targets = rows.filter((r) => r.repository === chosen);

  const apply = async () => {
    const on = value === 'on';
    const list = targets.map((r) => ({ row: r, outcome: { machine: r.machine, workspace: r.displayPath, state: 'pending' as const } }));
    setOutcomes(list.map((l) => l.outcome));
    const results = await Promise.all(
      list.map(async ({ row }): Promise<Outcome> => {
        try {
          await invoke('set', { service: row.service, path: ['State', 'Workspaces', row.workspace, 'AutoPull'], value: on });
          return { machine: row.machine, workspace: row.displayPath, state: 'ok' };
        } catch (error) {
          const { code, message } = errorInfo(error);
          return { machine: row.machine, workspace: row.displayPath, state: 'failed', code, message };
        }
      }),
    );
    setOutcomes(results);
    const failed = results.filter((r) => r.state === 'failed');
    if (failed.length) {
      toast({ kind: 'error', title: `AutoPull ${value} failed on ${failed.map((f) => f.machine).join(', ')}`, code: failed[0]?.code, message: failed[0]?.message ?? '' });
    } else {
      toast({ kind: 'success', title: `AutoPull ${value} for ${chosen} on ${results.length} machine(s)`, message: '' });
    }
  };

  return (
    <section className="ws-bulk" aria-label="AutoPull on every machine" data-testid="ws-bulk">
      <label className="header-field">
        <span>AutoPull for</span>
        <select value={chosen} onChange={(e) => { setRepo(e.target.value); setOutcomes([]); }} data-testid="bulk-repo">
          <option value="">Choose a repository…</option>
          {repositories.map((r) => (
            <option key={r} value={r}>{r}</option>
          ))}
        </select>
      </label>
      <select value={value} onChange={(e) => setValue(e.target.value === 'off' ? 'off' : 'on')} aria-label="AutoPull value" data-testid="bulk-value">
        <option value="on">On</option>
        <option value="off">Off</option>
      </select>
      <button type="button" disabled={!chosen || running || targets.length === 0} onClick={() => void apply()} data-testid="bulk-apply">
        {chosen ? `Apply on ${targets.length} workspace(s)` : 'Apply on every machine'}
      </button>
      {outcomes.length > 0 && (
        <ul className="ws-bulk-result" aria-live="polite" data-testid="bulk-result">
          {outcomes.map((o) => (
            <li key={`${o.machine}|${o.workspace}`} className={`ws-bulk-${o.state}`}>
              <strong>{o.machine}</strong>{' '}
              {o.state === 'pending' ? 'pending…' : o.state === 'ok' ? 'done' : <>failed <code>{o.code}</code></>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
