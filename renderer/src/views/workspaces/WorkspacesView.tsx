/**
 * Workspaces of every client (or of the machines in the filter): where they are, what they hold, what is waiting in
 * each direction, what they are doing; AutoPull per workspace and for a repository on every machine; Pull, Push,
 * Rescan and Revert; the changes of the selected workspace in long lists.
 */
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { machineOf, shortId } from '../../lib/selectors.ts';
import { attempt, offerProps, pull, push, rescan, revert, setWorkspaceAutoPull, useOffer, usePendingSet, useServiceOffer } from '../../commands/index.ts';
import { NotOffered } from '../../components/NotOffered.tsx';
import { usePanel } from '../../store/panel.ts';
import { useUi } from '../../store/ui.ts';
import { BulkAutoPull } from './BulkAutoPull.tsx';
import { PullDialog, PushDialog } from './dialogs.tsx';
import { autoPullFailed, bytes, clientRows, commitsAhead, currentCommit, plural, workspaceLabel, type WorkspaceRow } from './model.ts';
import { VirtualList } from '../../components/VirtualList.tsx';
import { own } from '../../../../shared/dict.ts';
import { clientSummary } from '../../lib/machine-state.ts';
import { StateFilter } from '../../components/StateFilter.tsx';
import { useMachines } from '../../lib/useMachines.ts';
import { WorkspaceDetail } from './WorkspaceDetail.tsx';
import type { Operation } from '../../../../shared/panel/api.ts';
import { operationWords, STATE_WORDS } from '../../lib/operations.ts';
import { relativeTime } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import './workspaces.css';

/**
 * How the row's newest operation stands, or null when the workspace's own Status says something newer than it did
 * when the operation ended (an AutoPull since, a rescan that failed): then the row shows that instead.
 */
function operationLine(row: WorkspaceRow): Operation | null {
  const op = row.operation;
  if (!op) return null;
  if (op.endedAt === null) return op;
  return (row.status?.Message ?? null) === op.after ? op : null;
}

export function ProgressCell({ row }: { row: WorkspaceRow }) {
  // "3 min ago" of the last operation: the cell keeps its own clock, so the view does not re-render every row for it.
  const now = useNow(5000);
  const status = row.status;
  if (!status) return <span className="muted">—</span>;
  if (status.Activity === 'Idle') {
    const op = operationLine(row);
    if (!op) {
      return (
        <div className="ws-progress" data-testid="ws-idle">
          <span className="muted">Idle</span>
          {status.Message && <div className="ws-progress-msg muted" title={status.Message}>{status.Message}</div>}
        </div>
      );
    }
    const verdict = op.state === 'done' ? 'ws-op-done' : op.state === 'failed' || op.state === 'unknown' ? 'ws-op-bad' : 'ws-op-busy';
    return (
      <div className="ws-progress" data-testid="ws-op" data-state={op.state} data-method={op.method}>
        <div className="ws-progress-line">
          <strong className={verdict}>{operationWords(op.method)} {STATE_WORDS[op.state]}{op.endedAt === null ? '…' : ''}</strong>
          <span className="muted">{relativeTime(op.endedAt ?? op.startedAt, now)}</span>
        </div>
        <div className="ws-progress-msg" title={op.outcome ?? undefined} data-testid="ws-op-outcome">
          {op.outcome ?? 'Waiting for the client to report it working…'}
        </div>
      </div>
    );
  }
  const pct = Math.round(Math.min(1, Math.max(0, status.Progress)) * 100);
  const amount = status.Total > 0 ? `${bytes(status.Current)} of ${bytes(status.Total)}` : '';
  return (
    <div className="ws-progress" data-testid="ws-progress">
      <div className="ws-progress-line">
        <strong>{status.Activity}{status.Auto ? ' (auto)' : ''}</strong>
        <span className="muted">{status.Stage}</span>
        <span>{pct} %</span>
      </div>
      <div
        className="ws-bar"
        role="progressbar"
        aria-label={`${status.Activity} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${status.Stage}: ${pct} %${amount ? `, ${amount}` : ''}`}
      >
        <div className="ws-bar-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="ws-progress-msg muted" title={status.Message}>{status.Message}{amount ? ` · ${amount}` : ''}</div>
    </div>
  );
}

function AutoPullToggle({ row }: { row: WorkspaceRow }) {
  const where = workspaceLabel(row);
  const { shown: asked, busy, request } = usePendingSet(row.autoPull ?? undefined, {
    send: (want: boolean) => setWorkspaceAutoPull(row.service, row.workspace, want),
    failed: (want) => autoPullFailed(where, want),
  });
  const known = row.autoPull !== null;
  const shown = asked ?? false;
  return (
    <label className="ws-switch" title={row.ownAutoPull === null && known ? 'Follows the repository default' : undefined}>
      <input
        type="checkbox"
        role="switch"
        checked={shown}
        disabled={!known || busy || !row.online}
        aria-checked={shown}
        aria-label={`AutoPull for ${where}`}
        aria-busy={busy}
        onChange={(e) => void request(e.target.checked)}
        data-testid="autopull-toggle"
      />
      <span className="ws-switch-track" aria-hidden="true" />
      <span className="ws-switch-text">
        {busy ? 'pending…' : !known ? 'unknown' : shown ? 'On' : 'Off'}
        {!busy && known && row.ownAutoPull === null && <span className="muted ws-sub ws-block">repository default</span>}
      </span>
    </label>
  );
}

type Dialog = { kind: 'pull' | 'push' | 'revert'; row: WorkspaceRow } | null;

/** The workspace actions, by method, in the operator's words. */
const ACTIONS = { Pull: 'Pull', Push: 'Push', Scan: 'Rescan', RevertLocalChanges: 'Revert' } as const;

function RowActions({ row, onDialog }: { row: WorkspaceRow; onDialog(d: Dialog): void }) {
  const busy = row.status !== null && row.status.Activity !== 'Idle';
  const local = row.assets?.LocalChanges.length ?? 0;
  const off = !row.online;
  const label = workspaceLabel(row);
  const pullOffer = offerProps(useOffer(row.service, 'Pull'));
  const pushOffer = offerProps(useOffer(row.service, 'Push'));
  const scanOffer = offerProps(useOffer(row.service, 'Scan'));
  const revertOffer = offerProps(useOffer(row.service, 'RevertLocalChanges'));
  return (
    <div className="ws-actions">
      <button type="button" disabled={off || busy || pullOffer.disabled} title={pullOffer.title} onClick={() => onDialog({ kind: 'pull', row })} aria-label={`Pull ${label}`} data-testid="ws-pull">Pull…</button>
      <button type="button" disabled={off || busy || pushOffer.disabled} title={pushOffer.title} onClick={() => onDialog({ kind: 'push', row })} aria-label={`Push ${label}`} data-testid="ws-push">Push…</button>
      <button
        type="button"
        disabled={off || scanOffer.disabled}
        title={scanOffer.title}
        aria-label={`Rescan ${label}`}
        data-testid="ws-rescan"
        onClick={() => void attempt(rescan(row.service, { Workspace: row.workspace }), { failure: `Rescan of ${label} failed`, success: `Rescan of ${label} started` })}
      >
        Rescan
      </button>
      <button type="button" className="ws-danger-outline" disabled={off || busy || local === 0 || revertOffer.disabled} title={revertOffer.title} onClick={() => onDialog({ kind: 'revert', row })} aria-label={`Revert local changes of ${label}`} data-testid="ws-revert">
        Revert…
      </button>
    </div>
  );
}

/** A path that wraps after its separators rather than inside a name. */
function BreakablePath({ path }: { path: string }) {
  const parts = path.split(/(?<=[\\/])/);
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </span>
      ))}
    </>
  );
}

function Counts({ n, title }: { n: number | undefined; title: string }) {
  if (n === undefined) return <span className="muted">—</span>;
  return <span className={n > 0 ? 'ws-count ws-count-on' : 'ws-count'} title={title}>{n.toLocaleString('en-US')}</span>;
}

function WorkspaceTableRow({ row, selected, onSelect, onDialog }: { row: WorkspaceRow; selected: boolean; onSelect(): void; onDialog(d: Dialog): void }) {
  const commit = currentCommit(row);
  const conflicts = row.assets?.ConflictURIs.length ?? 0;
  return (
    <tr className={selected ? 'ws-row ws-row-selected' : 'ws-row'} data-testid="ws-row" data-machine={row.machine} data-workspace={row.workspace} data-local={row.assets?.LocalChanges.length ?? ''}>
      <td className="ws-path-cell">
        <button type="button" className="ws-link" onClick={onSelect} aria-expanded={selected} aria-label={`Details of ${row.machine} ${row.displayPath}`} title={row.workspace}>
          <BreakablePath path={row.displayPath} />
        </button>
        {conflicts > 0 && <span className="ws-badge ws-badge-bad">{plural(conflicts, 'conflict')}</span>}
        <div className="muted ws-sub" title="Repository · branch">
          {row.repository ? <BreakablePath path={row.repository} /> : '—'} · {row.branch ?? '—'}
        </div>
      </td>
      <td className="ws-commit-cell">
        {row.commit ? (
          <>
            <code title={row.commit}>{shortId(row.commit)}</code>
            <div className="muted ws-sub ws-ellipsis" title={commit?.Comment}>{commit ? commit.Comment || '(no comment)' : 'not in the branch history'}</div>
          </>
        ) : (
          <span className="muted">none yet</span>
        )}
      </td>
      <td>{row.status ? (row.status.Attached ? 'Yes' : <span className="ws-warn">No</span>) : <span className="muted">—</span>}</td>
      <td className="ws-num"><Counts n={row.assets?.RemoteChanges.length} title="Remote changes to pull" /></td>
      <td className="ws-num"><Counts n={row.assets?.LocalChanges.length} title="Local changes to push" /></td>
      <td className="ws-activity"><ProgressCell row={row} /></td>
      <td><AutoPullToggle row={row} /></td>
      <td><RowActions row={row} onDialog={onDialog} /></td>
    </tr>
  );
}

const NO_ROWS: WorkspaceRow[] = [];

/** One machine's rows: cached per version of its states (model.ts clientRows), so others' Updates leave it alone. */
const useClientRows = (service: string | null): WorkspaceRow[] =>
  usePanel((s) => {
    const entry = service === null ? undefined : own(s.data?.services, service);
    return entry ? clientRows(s.data, entry) : NO_ROWS;
  });

const serviceOfKey = (key: string | null): string | null => (key === null ? null : (key.split('\u0000')[0] ?? null));

function MachineTable({ service, selected, onSelect, onDialog }: { service: string; selected: string | null; onSelect(key: string | null): void; onDialog(d: Dialog): void }) {
  const offer = useServiceOffer(service);
  const online = usePanel((s) => own(s.data?.services, service)?.online ?? false);
  const rows = useClientRows(service);
  const machine = machineOf(service);
  return (
    <section className="card" aria-label={`Workspaces on ${machine}`} data-testid="ws-machine" data-machine={machine}>
      <div className="card-head">
        <h2>{machine}</h2>
        <MachineBadge service={service} />
        <span className={online ? 'muted' : 'ws-warn'}>{online ? plural(rows.length, 'workspace') : 'offline — showing its last known states'}</span>
      </div>
      <NotOffered service={service} offer={offer} actions={ACTIONS} />
      {rows.length === 0 ? (
        <p className="muted">No workspaces on this machine.</p>
      ) : (
        <div className="table-scroll">
          <table className="table ws-table">
            <thead>
              <tr>
                <th scope="col" title="Workspace, repository and branch">Workspace</th>
                <th scope="col">Commit</th>
                <th scope="col">Attached</th>
                <th scope="col" className="ws-num">To pull</th>
                <th scope="col" className="ws-num">To push</th>
                <th scope="col">Activity</th>
                <th scope="col">AutoPull</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <WorkspaceTableRow key={r.key} row={r} selected={selected === r.key} onSelect={() => onSelect(selected === r.key ? null : r.key)} onDialog={onDialog} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The machine's one-word state, as on its Overview card. */
function MachineBadge({ service }: { service: string }) {
  const summary = usePanel((s) => clientSummary(own(s.data?.services, service)?.online ?? false, own(s.data?.states, service)));
  return <span className={`ov-summary ov-summary-${summary.tone} ws-machine-state`} data-testid="ws-machine-state">{summary.text}</span>;
}

export function WorkspacesView() {
  const { services, counts, loaded } = useMachines();
  const machineState = useUi((s) => s.machineState);
  const setMachineState = useUi((s) => s.setMachineState);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const selectedRows = useClientRows(serviceOfKey(selected));
  const dialogRows = useClientRows(dialog ? dialog.row.service : null);
  const current = selectedRows.find((r) => r.key === selected) ?? null;
  // The row as it is now: files saved or claimed while a dialog is open show up in it.
  const dialogRow = dialog ? (dialogRows.find((r) => r.key === dialog.row.key) ?? dialog.row) : null;

  return (
    <div className="ws-view" data-testid="workspaces-view">
      <div className="ws-head">
        <h2 className="ws-title">Workspaces</h2>
        <BulkAutoPull />
      </div>
      <p className="muted ws-autopull-note" data-testid="ws-autopull-note">
        AutoPull: a workspace with a setting of its own (its switch below) keeps it; one without follows its repository’s
        default, set in Repositories and marked “repository default” here. “Apply” gives every workspace of one repository
        on every machine a setting of its own.
      </p>
      <StateFilter counts={counts} machineState={machineState} setMachineState={setMachineState} />
      {services.length === 0 ? (
        <p className="muted">{loaded ? 'No client has reported a workspace yet.' : 'Waiting for the panel’s first snapshot…'}</p>
      ) : (
        <VirtualList
          items={services}
          rowHeight={420}
          measured
          overscan={1}
          height="page"
          label="Workspaces by machine, attention first"
          testId="ws-list"
          className="ws-list"
          rowClassName="ws-group"
          itemKey={(service) => service}
          render={(service) => <MachineTable service={service} selected={selected} onSelect={setSelected} onDialog={setDialog} />}
        />
      )}
      {current && <WorkspaceDetail row={current} onClose={() => setSelected(null)} />}

      {dialog?.kind === 'pull' && (
        <PullDialog
          where={workspaceLabel(dialog.row)}
          ahead={commitsAhead(dialog.row)}
          onCancel={() => setDialog(null)}
          onPull={(upTo) => {
            const r = dialog.row;
            setDialog(null);
            void attempt(pull(r.service, { Workspace: r.workspace, UpTo: upTo }), {
              failure: `Pull of ${workspaceLabel(r)} refused`,
              success: `Pull of ${workspaceLabel(r)} started`,
            });
          }}
        />
      )}
      {dialog?.kind === 'push' && (
        <PushDialog
          where={workspaceLabel(dialog.row)}
          machine={dialog.row.machine}
          // The row as it is now: files saved or claimed while the dialog is open show up in it.
          changes={dialogRow?.assets?.LocalChanges ?? []}
          claims={dialogRow?.assets?.Claims ?? []}
          onCancel={() => setDialog(null)}
          onPush={(comment) => {
            const r = dialog.row;
            setDialog(null);
            void attempt(push(r.service, { Workspace: r.workspace, Comment: comment }), {
              failure: `Push of ${workspaceLabel(r)} refused`,
              success: `Push of ${workspaceLabel(r)} started`,
            });
          }}
        />
      )}
      {dialog?.kind === 'revert' && (
        <ConfirmDialog
          title={`Revert local changes of ${workspaceLabel(dialog.row)}?`}
          confirmLabel={`Revert ${plural(dialog.row.assets?.LocalChanges.length ?? 0, 'change')}`}
          danger
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            const r = dialog.row;
            setDialog(null);
            void attempt(revert(r.service, { Workspace: r.workspace }), {
              failure: `Revert of ${workspaceLabel(r)} refused`,
              success: `Revert of ${workspaceLabel(r)} started`,
            });
          }}
        >
          <p>
            {plural(dialog.row.assets?.LocalChanges.length ?? 0, 'local change')} on <strong>{dialog.row.machine}</strong> will be discarded: edited and
            deleted files go back to commit <code>{shortId(dialog.row.commit)}</code> and new files are deleted. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
