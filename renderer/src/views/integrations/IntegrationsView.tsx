/**
 * Managed integrations (docs/PROTOCOL.md §5): every webhook integration of the server with its Enabled switch,
 * endpoint, live counts (links into the lists), last delivery and last error, and a running Sync all's progress with
 * Cancel. The selected integration shows its configuration and its Failed / Pending / Tracked assets (StatusLists).
 * New, Edit (ConfigEditor), Delete (typed name) and Sync all (typed name, with the count it will send).
 * What is shown comes from the server's `Integrations` state and its answers; nothing is assumed.
 */
import { useMemo, useState } from 'react';
import type { TIntegrationEntry, TIntegrationStatus } from '../../../../shared/assethub/integrations.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { SERVER_NAME } from '../../lib/selectors.ts';
import { usePanel } from '../../store/panel.ts';
import { useToasts } from '../../store/toasts.ts';
import { RepoName } from '../../components/RepoName.tsx';
import { timeTexts } from '../../lib/time.ts';
import { useNow } from '../../lib/useNow.ts';
import { ConfigEditor } from './ConfigEditor.tsx';
import { DemoReceiverNote } from './DemoReceiverNote.tsx';
import { EnabledToggle } from './EnabledToggle.tsx';
import { integrationRows, plural, retrySummary, serverBranches, serverRepositories, type IntegrationRow } from './model.ts';
import { attempt, deleteIntegration, syncAll as startSyncAll, useFeature } from '../../commands/index.ts';
import { FeatureGate } from '../../components/FeatureGate.tsx';
import { StatusLists } from './StatusLists.tsx';
import { SyncAllDialog } from './SyncAllDialog.tsx';
import { SyncStatus } from './SyncStatus.tsx';
import './integrations.css';

type Dialog = { kind: 'new' } | { kind: 'edit'; name: string } | { kind: 'delete'; name: string } | { kind: 'syncAll'; name: string } | null;

function When({ iso, now, never = 'never' }: { iso: string | null; now: number; never?: string }) {
  if (!iso) return <span className="muted">{never}</span>;
  const t = timeTexts(iso, now);
  return (
    <span className="int-when">
      <span>{t.relative}</span>
      <time className="int-abs" dateTime={iso}>{t.absolute}</time>
    </span>
  );
}

function CountLink({ row, status, onOpen }: { row: IntegrationRow; status: TIntegrationStatus; onOpen(status: TIntegrationStatus): void }) {
  const n = row.entry[status];
  const tone = status === 'Failed' && n > 0 ? ' int-count-bad' : status === 'Pending' && n > 0 ? ' int-count-busy' : n > 0 ? ' int-count-on' : '';
  return (
    <button
      type="button"
      className={`int-count-link${tone}`}
      onClick={() => onOpen(status)}
      aria-label={`${plural(n, `${status.toLowerCase()} asset`)} of ${row.name}: show the list`}
      data-testid={`int-count-${status}`}
      data-count={n}
    >
      {n.toLocaleString('en-US')}
    </button>
  );
}

function IntegrationTable({ rows, selected, online, now, deleting, onSelect, onOpen, onEdit }: {
  rows: IntegrationRow[];
  selected: string | null;
  online: boolean;
  now: number;
  deleting: ReadonlySet<string>;
  onSelect(name: string): void;
  onOpen(name: string, status: TIntegrationStatus): void;
  onEdit(name: string): void;
}) {
  return (
    <div className="table-scroll">
      <table className="table int-table" data-testid="int-table">
        <thead>
          <tr>
            <th scope="col">Integration</th>
            <th scope="col">Deliveries</th>
            <th scope="col" className="int-num">Tracked</th>
            <th scope="col" className="int-num">Failed</th>
            <th scope="col" className="int-num">Pending</th>
            <th scope="col">Last delivery</th>
            <th scope="col">Last error</th>
            <th scope="col">Sync all</th>
            <th scope="col"><span className="int-sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const on = row.name === selected;
            return (
              <tr key={row.name} className={on ? 'int-tr int-tr-on' : 'int-tr'} data-testid="int-row" data-name={row.name} aria-current={on ? 'true' : undefined}>
                <td className="int-name-cell">
                  <button type="button" className="ws-link int-name" onClick={() => onSelect(row.name)} aria-pressed={on} data-testid="int-select-row">{row.name}</button>
                  {deleting.has(row.name) && <span className="int-pending"> deleting…</span>}
                  <div className="int-endpoint" title={row.entry.EndpointUrl}>{row.entry.EndpointUrl}</div>
                </td>
                <td><EnabledToggle name={row.name} value={row.entry.Enabled} online={online} /></td>
                <td className="int-num"><CountLink row={row} status="Tracked" onOpen={(s) => onOpen(row.name, s)} /></td>
                <td className="int-num"><CountLink row={row} status="Failed" onOpen={(s) => onOpen(row.name, s)} /></td>
                <td className="int-num"><CountLink row={row} status="Pending" onOpen={(s) => onOpen(row.name, s)} /></td>
                <td data-testid="int-last-delivery"><When iso={row.entry.LastDeliveryAt} now={now} /></td>
                <td className="int-error-cell" data-testid="int-last-error">
                  {row.entry.LastError ? <span className="int-bad int-clamp" title={row.entry.LastError}>{row.entry.LastError}</span> : <span className="muted">none</span>}
                </td>
                <td className="int-sync-cell"><SyncStatus name={row.name} sync={row.entry.Sync} live={row.entry} now={now} online={online} paused={!row.entry.Enabled} compact /></td>
                <td>
                  <button type="button" className="int-small" onClick={() => onEdit(row.name)} aria-label={`Edit ${row.name}`} data-testid="int-edit">Edit…</button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Detail({ name, entry, online, now, tab, onTab, onEdit, onDelete, onSyncAll, starting }: {
  name: string;
  entry: TIntegrationEntry;
  online: boolean;
  now: number;
  tab: TIntegrationStatus;
  onTab(tab: TIntegrationStatus): void;
  onEdit(): void;
  onDelete(): void;
  onSyncAll(): void;
  starting: boolean;
}) {
  return (
    <section className="card int-detail-card" aria-label={`Integration ${name}`} data-testid="int-detail" data-name={name}>
      <div className="int-detail-head">
        <div className="int-detail-title">
          <h3 className="int-h">{name}</h3>
          <span className={`int-chip ${entry.Enabled ? 'int-chip-ok' : 'int-chip-paused'}`} data-testid="int-detail-enabled">{entry.Enabled ? 'Enabled' : 'Paused'}</span>
          <code className="int-break int-endpoint-full">{entry.EndpointUrl}</code>
        </div>
        <div className="int-detail-actions">
          <button type="button" onClick={onEdit} data-testid="int-detail-edit">Edit…</button>
          <button type="button" className="ws-danger-outline" onClick={onDelete} disabled={!online} data-testid="int-delete">Delete…</button>
        </div>
      </div>
      <DemoReceiverNote endpoint={entry.EndpointUrl} failed={entry.Failed} />
      <dl className="int-config">
        <div><dt>Filter</dt><dd>{entry.Filter ? <code className="int-break">{entry.Filter}</code> : <span className="muted">none (every asset)</span>}</dd></div>
        <div>
          <dt>Repositories</dt>
          <dd>
            {entry.Repositories.length === 0 ? <span className="muted">all</span> : entry.Repositories.map((r, i) => (
              <span key={r}>{i > 0 ? ', ' : ''}<RepoName name={r} /></span>
            ))}
          </dd>
        </div>
        <div><dt>Tenant</dt><dd>{entry.TenantId ? <code>{entry.TenantId}</code> : <span className="muted">none</span>}</dd></div>
        <div><dt>Secret</dt><dd>{entry.SecretSet ? 'set (write-only)' : <span className="int-warn">not set</span>}</dd></div>
        <div><dt>Batches</dt><dd>{entry.BatchSize} per request · timeout {entry.TimeoutMs.toLocaleString('en-US')} ms</dd></div>
        <div><dt>Retries</dt><dd>{retrySummary(entry.Retry)}</dd></div>
        {entry.LastError && (
          <div className="int-config-wide"><dt>Last error</dt><dd><span className="int-bad" data-testid="int-detail-error">{entry.LastError}</span></dd></div>
        )}
        {(entry.Sync || starting) && (
          <div className="int-config-wide">
            <dt>Sync all</dt>
            <dd>{starting ? <span className="int-pending">starting…</span> : <SyncStatus name={name} sync={entry.Sync} live={entry} now={now} online={online} paused={!entry.Enabled} />}</dd>
          </div>
        )}
      </dl>
      <StatusLists name={name} entry={entry} tab={tab} online={online} now={now} onTab={onTab} onSyncAll={onSyncAll} />
    </section>
  );
}

/** The view, once the server offers integrations (FeatureGate says why not otherwise). */
export function IntegrationsView() {
  return (
    <FeatureGate feature="integrations" title="Integrations" verdict={useFeature('integrations')}>
      <IntegrationsViewOffered />
    </FeatureGate>
  );
}

function IntegrationsViewOffered() {
  const data = usePanel((s) => s.data);
  const push = useToasts((s) => s.push);
  const now = useNow(5000);
  const rows = useMemo(() => integrationRows(data), [data]);
  const repositories = useMemo(() => serverRepositories(data), [data]);
  const branches = useMemo(() => serverBranches(data), [data]);
  const server = data?.services[SERVER_NAME];
  const online = server?.online === true && data?.connection.state === 'connected';
  const stateProblem = server?.error && /(^|\| )Integrations:/.test(server.error) ? server.error : null;

  const [chosen, setChosen] = useState<string | null>(null);
  const [tab, setTab] = useState<TIntegrationStatus>('Failed');
  const [dialog, setDialog] = useState<Dialog>(null);
  const [deleting, setDeleting] = useState<ReadonlySet<string>>(new Set());
  const [starting, setStarting] = useState<string | null>(null);

  const selected = rows?.find((r) => r.name === chosen) ?? rows?.[0] ?? null;
  const entryOf = (name: string) => rows?.find((r) => r.name === name)?.entry;

  const remove = async (name: string) => {
    setDialog(null);
    setDeleting((d) => new Set([...d, name]));
    await attempt(deleteIntegration(name), { failure: `${name} was not deleted`, success: `Deleted ${name}` });
    setDeleting((d) => new Set([...d].filter((n) => n !== name)));
  };

  const syncAll = async (name: string) => {
    setDialog(null);
    setStarting(name);
    setTab('Tracked');
    await attempt(startSyncAll({ Integration: name }), {
      failure: `Sync all of ${name} refused`,
      success: (result) => ({ title: `Sync all of ${name} started`, message: `${plural(result.Total, 'asset')} to send.` }),
    });
    setStarting(null);
  };

  if (!data) return <p className="muted">Waiting for the panel engine…</p>;

  return (
    <div className="int-view" data-testid="integrations-view">
      <div className="int-head">
        <div>
          <h2 className="int-title">Integrations</h2>
          <p className="muted int-subtitle">Webhooks the server keeps in step with the asset catalogue: every change is POSTed to the endpoint, retried, and tracked per asset.</p>
        </div>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'new' })} disabled={!online || rows === null} data-testid="int-new">New integration…</button>
      </div>

      {!online && (
        <p className="int-banner int-banner-warn" role="status" data-testid="int-offline">
          {rows === null ? 'AssetHubServer is offline: its integrations cannot be read until it is back.' : 'AssetHubServer is offline: showing the integrations it last reported. Nothing can be changed until it is back.'}
        </p>
      )}
      {stateProblem && (
        <p className="int-banner int-banner-bad" role="alert" data-testid="int-state-problem">
          The server sent an Integrations state this panel cannot read; the last valid one is shown. {stateProblem}
        </p>
      )}

      <section className="card int-card" aria-label="Integrations of the server">
        {rows === null ? (
          <p className="muted" data-testid="int-reading">{online ? 'Reading the server’s integrations…' : 'The server’s integrations have not been read.'}</p>
        ) : rows.length === 0 ? (
          <div className="int-empty-state" data-testid="int-none">
            <p>The server has no integrations.</p>
            <p className="muted">An integration sends every change of the assets that match its filter to a webhook endpoint, and tracks each asset as Tracked, Pending or Failed.</p>
          </div>
        ) : (
          <IntegrationTable
            rows={rows}
            selected={selected?.name ?? null}
            online={online}
            now={now}
            deleting={deleting}
            onSelect={(name) => setChosen(name)}
            onOpen={(name, status) => {
              setChosen(name);
              setTab(status);
            }}
            onEdit={(name) => setDialog({ kind: 'edit', name })}
          />
        )}
      </section>

      {selected && (
        <Detail
          name={selected.name}
          entry={selected.entry}
          online={online}
          now={now}
          tab={tab}
          onTab={setTab}
          onEdit={() => setDialog({ kind: 'edit', name: selected.name })}
          onDelete={() => setDialog({ kind: 'delete', name: selected.name })}
          onSyncAll={() => setDialog({ kind: 'syncAll', name: selected.name })}
          starting={starting === selected.name}
        />
      )}

      {(dialog?.kind === 'new' || dialog?.kind === 'edit') && (
        <ConfigEditor
          name={dialog.kind === 'edit' ? dialog.name : null}
          entry={dialog.kind === 'edit' ? (entryOf(dialog.name) ?? null) : null}
          live={dialog.kind === 'edit' ? entryOf(dialog.name) : undefined}
          taken={(rows ?? []).map((r) => r.name)}
          repositories={repositories}
          online={online}
          onCancel={() => setDialog(null)}
          onSaved={(name, filterNote) => {
            const done = dialog.kind === 'new' ? `Created ${name}` : `Saved ${name}`;
            push(filterNote ? { kind: 'warning', title: `${done}; ${filterNote.title}`, message: filterNote.message } : { kind: 'success', title: done, message: '' });
            setDialog(null);
            setChosen(name);
          }}
        />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete the integration ${dialog.name}?`}
          confirmLabel="Delete integration"
          danger
          typeToConfirm={dialog.name}
          onCancel={() => setDialog(null)}
          onConfirm={() => void remove(dialog.name)}
        >
          {(() => {
            const e = entryOf(dialog.name);
            return (
              <p>
                The server stops sending changes to <code className="int-break">{e?.EndpointUrl ?? '—'}</code> and forgets what it tracked for{' '}
                {e ? plural(e.Tracked + e.Failed + e.Pending, 'asset') : 'its assets'}
                {e ? ` (${e.Tracked.toLocaleString('en-US')} tracked, ${e.Failed.toLocaleString('en-US')} failed, ${e.Pending.toLocaleString('en-US')} pending)` : ''}. The receiver is not told. This cannot be undone.
              </p>
            );
          })()}
        </ConfirmDialog>
      )}
      {dialog?.kind === 'syncAll' && entryOf(dialog.name) && (
        <SyncAllDialog
          name={dialog.name}
          entry={entryOf(dialog.name) as TIntegrationEntry}
          branches={branches}
          onCancel={() => setDialog(null)}
          onConfirm={() => void syncAll(dialog.name)}
        />
      )}
    </div>
  );
}
