/**
 * Conflicts: every URI a client refused to overwrite because it changed both locally and remotely, with both sides;
 * the operator keeps one side (confirmed, saying what is lost) and sees the outcome.
 */
import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { TAssetChange } from '../../../../shared/assethub/states.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { clientEntries, clientOf, shortId } from '../../lib/selectors.ts';
import { attempt, resolveConflict } from '../../commands/index.ts';
import { usePanel } from '../../store/panel.ts';
import { useUi } from '../../store/ui.ts';
import type { PanelData } from '../../store/panel.ts';
import { own } from '../../../../shared/dict.ts';
import { workspaceIdentity, type WorkspaceIdentity } from '../../lib/workspace.ts';
import './conflicts.css';

interface ConflictWorkspace extends WorkspaceIdentity {
  uris: string[];
  local: Map<string, TAssetChange>;
  remote: Map<string, TAssetChange>;
}

function conflictWorkspaces(data: PanelData | null, machines: readonly string[]): ConflictWorkspace[] {
  const out: ConflictWorkspace[] = [];
  for (const entry of clientEntries(data, machines)) {
    const client = clientOf(data, entry.name);
    for (const [name, assets] of Object.entries(client.AssetInfo?.Workspaces ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      if (assets.ConflictURIs.length === 0) continue;
      const wanted = new Set(assets.ConflictURIs);
      // Only the conflicting URIs are indexed: LocalChanges may hold 100,000 entries.
      const pick = (changes: TAssetChange[]) => new Map(changes.filter((c) => wanted.has(c.URI)).map((c) => [c.URI, c]));
      const p = own(client.PersistentState?.Workspaces, name);
      out.push({
        ...workspaceIdentity(entry, name, p),
        uris: assets.ConflictURIs,
        local: pick(assets.LocalChanges),
        remote: pick(assets.RemoteChanges),
      });
    }
  }
  return out;
}

function describe(change: TAssetChange | undefined, side: 'local' | 'remote'): string {
  if (!change) return side === 'local' ? 'changed on this machine' : 'a different version is on the server';
  if (change.Type === 'Delete') return side === 'local' ? 'deleted here' : 'deleted on the server';
  const what = change.Type === 'PutDirectory' ? 'folder' : 'file';
  if (change.New) return side === 'local' ? `new ${what} here` : `new ${what} on the server`;
  return side === 'local' ? `${what} edited here` : `${what} changed on the server`;
}

type Pending = { ws: ConflictWorkspace; uri: string; keep: 'Local' | 'Remote' } | null;

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
                  return (
                    <tr key={uri} data-testid="cf-row" data-uri={uri}>
                      <td className="cf-uri"><code title={uri}>{uri}</code></td>
                      <td>
                        {ws.local.get(uri) && <span className="cf-side cf-local">{ws.local.get(uri)?.Type}</span>} <span className="muted">{describe(ws.local.get(uri), 'local')}</span>
                      </td>
                      <td>
                        {ws.remote.get(uri) && <span className="cf-side cf-remote">{ws.remote.get(uri)?.Type}</span>} <span className="muted">{describe(ws.remote.get(uri), 'remote')}</span>
                      </td>
                      <td>
                        {busy ? (
                          <span className="muted" role="status">Resolving…</span>
                        ) : (
                          <div className="cf-actions">
                            <button type="button" disabled={!ws.online} onClick={() => setConfirm({ ws, uri, keep: 'Local' })} aria-label={`Keep local ${uri} on ${ws.machine}`} data-testid="cf-keep-local">
                              Keep local
                            </button>
                            <button type="button" disabled={!ws.online} onClick={() => setConfirm({ ws, uri, keep: 'Remote' })} aria-label={`Take remote ${uri} on ${ws.machine}`} data-testid="cf-take-remote">
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
              The file on this machine stays as it is and becomes a local change to push. The server’s version ({describe(confirm.ws.remote.get(confirm.uri), 'remote')})
              is <strong>not applied here</strong>; pushing this change will replace it for everyone.
            </p>
          ) : (
            <p>
              The server’s version is written over the file on this machine. The local edit ({describe(confirm.ws.local.get(confirm.uri), 'local')}) is
              <strong> discarded</strong> and cannot be recovered.
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
