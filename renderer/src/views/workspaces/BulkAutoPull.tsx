/**
 * AutoPull for one repository on every machine at once: a Set on every client with a workspace of it (whatever the
 * machine filter shows), each pending until its client confirms it like the workspace's own switch (a refusal is
 * toasted as that switch's would be), then each machine's outcome.
 */
import { useMemo, useState } from 'react';
import { setWorkspaceAutoPull, usePendingSets } from '../../commands/index.ts';
import { usePanel } from '../../store/panel.ts';
import { useToasts } from '../../store/toasts.ts';
import { autoPullFailed, workspaceLabel, workspaceRows } from './model.ts';

type Outcome = { machine: string; workspace: string; state: 'pending' | 'ok' | 'failed'; code?: string; message?: string };

const NO_FILTER: string[] = [];

export function BulkAutoPull() {
  const data = usePanel((s) => s.data);
  const toast = useToasts((s) => s.push);
  const rows = useMemo(() => workspaceRows(data, NO_FILTER), [data]);
  const byKey = useMemo(() => new Map(rows.map((r) => [r.key, r])), [rows]);
  const sets = usePendingSets<boolean>({
    send: (key, want) => {
      const row = byKey.get(key);
      return row ? setWorkspaceAutoPull(row.service, row.workspace, want) : Promise.reject(new Error('the workspace is no longer reported'));
    },
    failed: (key, want) => {
      const row = byKey.get(key);
      return autoPullFailed(row ? workspaceLabel(row) : key, want);
    },
  });
  const repositories = useMemo(() => [...new Set(rows.map((r) => r.repository).filter((r): r is string => r !== null))].sort(), [rows]);
  const [repo, setRepo] = useState('');
  const [value, setValue] = useState<'on' | 'off'>('on');
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const running = outcomes.some((o) => o.state === 'pending');
  const chosen = repositories.includes(repo) ? repo : '';
  const targets = rows.filter((r) => r.repository === chosen);

  const apply = async () => {
    const on = value === 'on';
    setOutcomes(targets.map((r) => ({ machine: r.machine, workspace: r.displayPath, state: 'pending' as const })));
    const results = await Promise.all(
      targets.map(async (row): Promise<Outcome> => {
        const failure = await sets.request(row.key, on);
        return { machine: row.machine, workspace: row.displayPath, ...(failure ? { state: 'failed', ...failure } : { state: 'ok' }) };
      }),
    );
    setOutcomes(results);
    if (results.every((r) => r.state === 'ok')) toast({ kind: 'success', title: `AutoPull ${value} for ${chosen} on ${results.length} machine(s)`, message: '' });
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
