/**
 * AutoPull for one repository on every machine at once: a Set on every client with a workspace of it (whatever the
 * machine filter shows), each pending until its client confirms it like the workspace's own switch (a refusal is
 * toasted as that switch's would be), then each machine's outcome: confirmed, refused, or not answering.
 */
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { setWorkspaceAutoPull } from '../../commands/index.ts';
import { PendingSets, type PendingOptions } from '../../commands/pending.ts';
import { usePanel, type PanelData } from '../../store/panel.ts';
import { useToasts } from '../../store/toasts.ts';
import { autoPullFailed, workspaceLabel, workspaceRows, type WorkspaceRow } from './model.ts';
import { BULK_IN_FLIGHT, inPool, outcomeOf, tally, type BulkOutcome } from './bulk-model.ts';
import { BulkResult } from './BulkResult.tsx';

const NO_FILTER: string[] = [];
/** Outcomes arrive one per client: the list is redrawn at most this often, not 500 times. */
const FLUSH_MS = 50;

/** Every client's rows, once per version of the data however many selectors read them (each client's are cached). */
const allRowsCache = new WeakMap<PanelData, WorkspaceRow[]>();
function allRows(data: PanelData | null): WorkspaceRow[] {
  if (!data) return [];
  let rows = allRowsCache.get(data);
  if (!rows) allRowsCache.set(data, (rows = workspaceRows(data, NO_FILTER)));
  return rows;
}

/** The repositories that have a workspace on some client. */
const repositoriesOf = (data: PanelData | null): string[] => [...new Set(allRows(data).map((r) => r.repository).filter((r): r is string => r !== null))].sort();

export function BulkAutoPull() {
  const toast = useToasts((s) => s.push);
  const repositories = usePanel(useShallow((s) => repositoriesOf(s.data)));
  const [repo, setRepo] = useState('');
  const [value, setValue] = useState<'on' | 'off'>('on');
  const chosen = repositories.includes(repo) ? repo : '';
  const targetCount = usePanel((s) => (chosen ? allRows(s.data).filter((r) => r.repository === chosen).length : 0));
  const [outcomes, setOutcomes] = useState<readonly BulkOutcome[]>([]);
  const running = outcomes.some((o) => o.state === 'pending');

  // The rows the Sets were sent for, by key (the send and the failure's title read them).
  const sent = useRef(new Map<string, WorkspaceRow>());
  const options = useRef<PendingOptions<boolean>>({
    send: (key, want) => {
      const row = sent.current.get(key);
      return row ? setWorkspaceAutoPull(row.service, row.workspace, want) : Promise.reject(new Error('the workspace is no longer reported'));
    },
    failed: (key, want) => {
      const row = sent.current.get(key);
      return autoPullFailed(row ? workspaceLabel(row) : key, want);
    },
  });
  // Not subscribed: the outcomes below are what this shows, so each Set's progress need not redraw it.
  const [sets] = useState(() => new PendingSets<boolean>(() => options.current));
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const apply = async () => {
    const on = value === 'on';
    const targets = allRows(usePanel.getState().data).filter((r) => r.repository === chosen);
    sent.current = new Map(targets.map((r) => [r.key, r]));
    const current = new Map<string, BulkOutcome>(targets.map((r) => [r.key, { key: r.key, machine: r.machine, workspace: r.displayPath, state: 'pending' }]));
    const flush = () => {
      timer.current = null;
      setOutcomes([...current.values()]);
    };
    flush();
    await inPool(targets, BULK_IN_FLIGHT, async (row) => {
      const failure = await sets.request(row.key, on);
      current.set(row.key, outcomeOf({ key: row.key, machine: row.machine, workspace: row.displayPath }, failure));
      timer.current ??= setTimeout(flush, FLUSH_MS);
    });
    if (timer.current) clearTimeout(timer.current);
    flush();
    const t = tally(current.values());
    if (t.confirmed === t.total) toast({ kind: 'success', title: `AutoPull ${value} for ${chosen} on ${t.total} workspace(s)`, message: '' });
  };

  return (
    <section className="ws-bulk" aria-label="AutoPull on every machine" data-testid="ws-bulk">
      <div className="ws-bulk-controls">
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
        <button type="button" disabled={!chosen || running || targetCount === 0} onClick={() => void apply()} data-testid="bulk-apply">
          {chosen ? `Apply on ${targetCount} workspace(s)` : 'Apply on every machine'}
        </button>
      </div>
      {outcomes.length > 0 && <BulkResult outcomes={outcomes} />}
    </section>
  );
}
