/** The selected workspace's changes: local, remote and ignored, each in a virtualized list (100,000 rows open at once). */
import { useEffect, useRef, type ReactNode } from 'react';
import type { TAssetChange } from '../../../../shared/assethub/states.ts';
import { VirtualList } from '../../components/VirtualList.tsx';
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
