/**
 * "Sync all assets" asks first: it re-sends every asset that matches the integration's filter to its endpoint. The
 * dialog counts those assets now, the way the server selects them (QueryAssets with the integration's Filter on every
 * branch of each followed repository), says how many that is and what the integration tracks today, and the operator
 * types the integration's name to start it. The server's own Total comes back when it starts.
 */
import { useEffect, useState } from 'react';
import type { TIntegrationEntry } from '../../../../shared/assethub/integrations.ts';
import { QUERY_LIMIT_MAX } from '../../../../shared/assethub/catalogue.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { plural, scopesOf } from './model.ts';
import { failureOf, queryAssets, type Failure } from '../../commands/index.ts';

export type Count =
  | { phase: 'counting'; so: number; scopes: number; done: number }
  | { phase: 'done'; total: number; scopes: number }
  | { phase: 'failed'; failure: Failure };

/** Counts the assets the integration's filter matches now, page by page; stops when the dialog closes. */
export function useMatchingCount(entry: TIntegrationEntry, branches: ReadonlyMap<string, readonly string[]>): Count {
  const [count, setCount] = useState<Count>({ phase: 'counting', so: 0, scopes: 0, done: 0 });
  const filter = entry.Filter;
  const scopesKey = JSON.stringify(scopesOf(entry, branches));
  /** Without the server's branches nothing can be counted (zero would be a guess). */
  const known = branches.size > 0;
  useEffect(() => {
    let live = true;
    const scopes = JSON.parse(scopesKey) as Array<{ repository: string; branch: string }>;
    if (!known) {
      setCount({ phase: 'failed', failure: { code: 'NOT_READ', message: 'the server’s repositories and branches have not been read yet' } });
      return;
    }
    setCount({ phase: 'counting', so: 0, scopes: scopes.length, done: 0 });
    void (async () => {
      let total = 0;
      try {
        for (const [i, scope] of scopes.entries()) {
          let cursor: string | undefined;
          do {
            const page = await queryAssets({ Repository: scope.repository, Branch: scope.branch, Filters: filter, Cursor: cursor, Limit: QUERY_LIMIT_MAX });
            if (!live) return;
            total += page.results.length;
            cursor = page.pagination.nextCursor ?? undefined;
            setCount({ phase: 'counting', so: total, scopes: scopes.length, done: i });
          } while (cursor);
        }
        if (live) setCount({ phase: 'done', total, scopes: scopes.length });
      } catch (error) {
        if (live) setCount({ phase: 'failed', failure: failureOf(error) });
      }
    })();
    return () => {
      live = false;
    };
  }, [filter, scopesKey, known]);
  return count;
}

function CountText({ count, entry }: { count: Count; entry: TIntegrationEntry }) {
  const known = entry.Tracked + entry.Failed + entry.Pending;
  const tracking = `It tracks ${plural(known, 'asset')} today (${entry.Tracked.toLocaleString('en-US')} tracked, ${entry.Failed.toLocaleString('en-US')} failed, ${entry.Pending.toLocaleString('en-US')} pending).`;
  switch (count.phase) {
    case 'counting':
      return (
        <p className="int-count" aria-live="polite" data-testid="int-syncall-count" data-phase="counting">
          Counting the assets that match… {count.so > 0 ? `${count.so.toLocaleString('en-US')} so far` : ''} {tracking}
        </p>
      );
    case 'done':
      return (
        <p className="int-count" aria-live="polite" data-testid="int-syncall-count" data-phase="done" data-total={count.total}>
          <strong className="int-strong">{plural(count.total, 'asset')}</strong> match the filter now, in {plural(count.scopes, 'repository branch', 'repository branches')} (counted with
          the catalogue's QueryAssets). {tracking}
        </p>
      );
    case 'failed':
      return (
        <p className="int-count" aria-live="polite" data-testid="int-syncall-count" data-phase="failed">
          The matching assets could not be counted (<code>{count.failure.code}</code> {count.failure.message}): the server counts them when it starts. {tracking}
        </p>
      );
  }
}

export function SyncAllDialog({ name, entry, branches, onConfirm, onCancel }: {
  name: string;
  entry: TIntegrationEntry;
  branches: ReadonlyMap<string, readonly string[]>;
  onConfirm(): void;
  onCancel(): void;
}) {
  const count = useMatchingCount(entry, branches);
  return (
    <ConfirmDialog title={`Sync all assets of ${name}?`} confirmLabel="Sync all assets" danger typeToConfirm={name} onConfirm={onConfirm} onCancel={onCancel}>
      <p>
        Every asset that matches the integration's filter {entry.Filter ? <code>{entry.Filter}</code> : '(none: every asset)'} in{' '}
        {entry.Repositories.length > 0 ? plural(entry.Repositories.length, 'followed repository', 'followed repositories') : 'every repository'} is sent again to{' '}
        <code className="int-break">{entry.EndpointUrl}</code>, in batches of {entry.BatchSize}, whatever its state.
      </p>
      <CountText count={count} entry={entry} />
      {!entry.Enabled && <p className="int-warn">Deliveries of this integration are paused: the assets are queued and sent once it is enabled again.</p>}
    </ConfirmDialog>
  );
}
