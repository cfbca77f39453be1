/** The selected workspace's changes: local, remote and ignored, each in a virtualized list (100,000 rows open at once). */
import { useEffect, useRef, type ReactNode } from 'react';
import type { TAssetChange } from '../../../../shared/assethub/states.ts';
import { VirtualList } from '../../components/VirtualList.tsx';
import { FolderPath } from '../../components/FolderPath.tsx';
import { openWorkspaceFolder } from '../../commands/index.ts';
import { usePanel } from '../../store/panel.ts';
import { changeLabel, plural, type WorkspaceRow } from './model.ts';

const ROW = 28;
const HEIGHT = 320;

function ChangeRow({ change }: { change: TAssetChange }) {
  return (
    <>
      <span className={`ws-type ws-type-${change.Type}`}>{changeLabel(change)}</span>
      <span className="ws-uri" title={change.URI}>{change.URI}</span>
    </>
  );
}

function Column({ title, count, children }: { title: string; count: number | null; children: ReactNode }) {
  return (
    <section className="ws-detail-col" aria-label={title}>
      <h3>
        {title} <span className="muted">{count === null ? '—' : count.toLocaleString('en-US')}</span>
      </h3>
      {children}
    </section>
  );
}

/** The workspace's folder on its machine's disk; "Open folder" only where the host's desktop has that disk. */
function WorkspaceFolder({ row }: { row: WorkspaceRow }) {
  const folders = usePanel((s) => s.data?.host.folders ?? null);
  const here = folders !== null && folders.machines.some((m) => m.toLowerCase() === row.machine.toLowerCase());
  const how = here
    ? `Opens in ${folders.opensWith}.`
    : folders === null
      ? 'This panel host cannot open folders on your desktop: copy the path instead.'
      : `The folder is on ${row.machine}'s disk, not this machine's: copy the path to open it there.`;
  return (
    <FolderPath
      path={row.workspace}
      label={`Folder of ${row.machine} ${row.displayPath}`}
      testId="ws-folder"
      open={here ? () => openWorkspaceFolder(row.service, row.workspace) : null}
      openLabel="Open folder"
      opened={`Opened in ${folders?.opensWith ?? 'the file manager'}.`}
      how={how}
    />
  );
}

export function WorkspaceDetail({ row, onClose }: { row: WorkspaceRow; onClose(): void }) {
  const head = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    head.current?.scrollIntoView({ block: 'nearest' });
  }, [row.key]);
  const a = row.assets;
  return (
    <section className="card ws-detail" aria-labelledby="ws-detail-title" data-testid="ws-detail">
      <div className="card-head">
        <h2 id="ws-detail-title" ref={head} tabIndex={-1}>
          {row.machine} · {row.displayPath}
        </h2>
        <div className="ws-detail-meta">
          {a?.Scan && <span className="ws-badge">scanning…</span>}
          <button type="button" onClick={onClose} aria-label="Close the details">Close</button>
        </div>
      </div>
      <WorkspaceFolder row={row} />
      {!a ? (
        <p className="muted">The client has not reported this workspace’s assets yet.</p>
      ) : (
        <div className="ws-detail-cols">
          <Column title="Local changes" count={a.LocalChanges.length}>
            <VirtualList items={a.LocalChanges} rowHeight={ROW} height={HEIGHT} label="Local changes" testId="ws-local-list" empty="No local changes." render={(c) => <ChangeRow change={c} />} />
          </Column>
          <Column title="Remote changes" count={a.RemoteChanges.length}>
            <VirtualList items={a.RemoteChanges} rowHeight={ROW} height={HEIGHT} label="Remote changes" testId="ws-remote-list" empty="Nothing to pull." render={(c) => <ChangeRow change={c} />} />
          </Column>
          <Column title="Ignored" count={a.IgnoredURIs.length}>
            <VirtualList items={a.IgnoredURIs} rowHeight={ROW} height={HEIGHT} label="Ignored URIs" testId="ws-ignored-list" empty="Nothing ignored." render={(u) => <span className="ws-uri" title={u}>{u}</span>} />
          </Column>
        </div>
      )}
      {a && a.ConflictURIs.length > 0 && (
        <p className="ws-warn ws-detail-note">{plural(a.ConflictURIs.length, 'URI')} in conflict: resolve them in the Conflicts view.</p>
      )}
    </section>
  );
}
