/**
 * Conflicts: every URI a client refused to overwrite because it changed both locally and remotely, with both sides;
 * the operator keeps one side (confirmed, saying what is lost) and sees the outcome.
 */
import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { shortId } from '../../lib/selectors.ts';
import { attempt, offerProps, resolveConflict, verdictIn } from '../../commands/index.ts';
import { NotOffered } from '../../components/NotOffered.tsx';
import { usePanel } from '../../store/panel.ts';
import { useUi } from '../../store/ui.ts';
import { conflictWorkspaces, describeChange, type ConflictWorkspace } from './model.ts';
import './conflicts.css';

type Pending = { ws: ConflictWorkspace; uri: string; keep: 'Local' | 'Remote' } | null;

const RESOLVE = { ResolveConflict: 'Keep local / Take remote' } as const;

export function ConflictsView() {
  const data = usePanel((s) => s.data);
  const filter = useUi(useShallow((s) => s.machines));
  const list = useMemo(() => conflictWorkspaces(data, filter), [data, filter]);
  const [confirm, setConfirm] = useState<Pending>(null);
  const [resolving, setResolving] = useState<Set<string>>(() => new Set());

  const resolve = async ({ ws, uri, keep }: NonNullable<Pending>) => {
    const id = `${ws.key}\u0000${uri}`;
    setResolving((s) => new Set(s).add(id));
    const where = `${uri} on ${ws.machine}`;
    await attempt(resolveConflict(ws.service, { Workspace: ws.workspace, URI: uri, Keep: keep }), {
      failure: `Resolving ${where} failed`,
      success: keep === 'Local' ? `Kept the local version of ${where}` : `Took the remote version of ${where}`,
    });
    setResolving((s) => {
      const next = new Set(s);
      next.delete(id);
      return next;
    });
  };

  const total = list.reduce((n, w) => n + w.uris.length, 0);
  return (
    <div className="cf-view" data-testid="conflicts-view">
      <div className="cf-head">
        <h2 className="cf-title">Conflicts</h2>
        <span className="muted" data-testid="cf-total">
          {!data ? 'Waiting for the panel’s first snapshot…' : total === 0 ? 'No conflicts on any shown machine.' : `${total} conflicting URI(s) in ${list.length} workspace(s)`}
        </span>
      </div>
      {list.map((ws) => (
        <section key={ws.key} className="card" aria-label={`Conflicts in ${ws.machine} ${ws.displayPath}`} data-testid="cf-workspace" data-machine={ws.machine} data-workspace={ws.workspace}>
          <div className="card-head">
            <h2>
              {ws.machine} · {ws.displayPath}
            </h2>
            <span className="muted">
              {ws.repository ?? '—'} · {ws.branch ?? '—'} · at <code>{shortId(ws.commit)}</code>
            </span>
          </div>
          <NotOffered service={ws.service} offer={data?.services[ws.service]?.offer} actions={RESOLVE} />
          <div className="table-scroll">
            <table className="table cf-table">
              <thead>
                <tr>
                  <th scope="col">URI</th>
                  <th scope="col">Local change</th>
                  <th scope="col">Remote change</th>
                  <th scope="col">Resolve</th>
                </tr>
              </thead>
              <tbody>
                {ws.uris.map((uri) => {
                  const busy = resolving.has(`${ws.key}\u0000${uri}`);
                  const offer = offerProps(verdictIn(data, ws.service, 'ResolveConflict'));
                  return (
                    <tr key={uri} data-testid="cf-row" data-uri={uri}>
                      <td className="cf-uri"><code title={uri}>{uri}</code></td>
                      <td>
                        {ws.local.get(uri) && <span className="cf-side cf-local">{ws.local.get(uri)?.Type}</span>} <span className="muted">{describeChange(ws.local.get(uri), 'local')}</span>
                      </td>
                      <td>
                        {ws.remote.get(uri) && <span className="cf-side cf-remote">{ws.remote.get(uri)?.Type}</span>} <span className="muted">{describeChange(ws.remote.get(uri), 'remote')}</span>
                      </td>
                      <td>
                        {busy ? (
                          <span className="muted" role="status">Resolving…</span>
                        ) : (
                          <div className="cf-actions">
                            <button type="button" disabled={!ws.online || offer.disabled} title={offer.title} onClick={() => setConfirm({ ws, uri, keep: 'Local' })} aria-label={`Keep local ${uri} on ${ws.machine}`} data-testid="cf-keep-local">
                              Keep local
                            </button>
                            <button type="button" disabled={!ws.online || offer.disabled} title={offer.title} onClick={() => setConfirm({ ws, uri, keep: 'Remote' })} aria-label={`Take remote ${uri} on ${ws.machine}`} data-testid="cf-take-remote">
                              Take remote
                            </button>
                          </div>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      ))}
      {confirm && (
        <ConfirmDialog
          title={confirm.keep === 'Local' ? 'Keep the local version?' : 'Take the remote version?'}
          confirmLabel={confirm.keep === 'Local' ? 'Keep local' : 'Take remote'}
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const c = confirm;
            setConfirm(null);
            void resolve(c);
          }}
        >
          <p>
            <code>{confirm.uri}</code> on <strong>{confirm.ws.machine}</strong> ({confirm.ws.displayPath})
          </p>
          {confirm.keep === 'Local' ? (
            <p>
              The file on this machine stays as it is and becomes a local change to push. The server’s version ({describeChange(confirm.ws.remote.get(confirm.uri), 'remote')})
              is <strong>not applied here</strong>; pushing this change will replace it for everyone.
            </p>
          ) : (
            <p>
              The server’s version is written over the file on this machine. The local edit ({describeChange(confirm.ws.local.get(confirm.uri), 'local')}) is
              <strong> discarded</strong> and cannot be recovered.
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
