/**
 * The selected asset: its fields, system attributes and metadata, tags, keywords; its relationships (the folder that
 * contains it and, for a folder, what it contains — QueryRelationships at the same revision, names resolved with
 * QueryAssets); and which integrations track it (QueryIntegrationAssets per integration of the server's
 * `Integrations` state).
 */
import { useEffect, useState } from 'react';
import type { TAsset, TRelationship } from '../../../../shared/assethub/catalogue.ts';
import type { TIntegrationAsset, TIntegrationStatus } from '../../../../shared/assethub/integrations.ts';
import type { TCommit } from '../../../../shared/assethub/states.ts';
import { SERVER_NAME, shortId } from '../../lib/selectors.ts';
import { usePanel } from '../../store/panel.ts';
import { timeTexts } from '../../lib/time.ts';
import { KindBadge, OperationBadge } from './AssetTable.tsx';
import { bytes, kindOf, PAGE_SIZE, plural, rsqlValue, splitAttributes, type CallFailure } from './model.ts';
import { failureOf, queryAssets, queryIntegrationAssets, queryRelationships } from '../../commands/index.ts';

type Load<T> = { phase: 'loading' } | { phase: 'ready'; value: T } | { phase: 'error'; error: CallFailure };

function Failure({ error, what }: { error: CallFailure; what: string }) {
  return (
    <p className="as-inline-error" role="alert">
      {what}: <code>{error.code}</code> {error.message}
    </p>
  );
}

function Chips({ items, empty, testId }: { items: readonly string[]; empty: string; testId: string }) {
  if (items.length === 0) return <span className="muted">{empty}</span>;
  return (
    <span className="as-chips">
      {items.map((t) => (
        <span key={t} className="as-chip" data-testid={testId}>{t}</span>
      ))}
    </span>
  );
}

// ---- relationships ----

interface Related { folder: TAsset | null; folderId: string | null; children: TAsset[] | null; childIds: number; moreChildren: boolean }

async function loadRelated(asset: TAsset, repository: string, branch: string, revision: string): Promise<Related> {
  const rev = `exchange.snapshot.toRevision==${rsqlValue(revision)}`;
  const base = { Repository: repository, Branch: branch, Limit: PAGE_SIZE };
  const isFolder = kindOf(asset) === 'folder';
  const [up, down] = await Promise.all([
    queryRelationships({ ...base, Limit: 1, Filters: `to.asset.id==${rsqlValue(asset.id)};${rev}` }),
    isFolder ? queryRelationships({ ...base, Filters: `from.asset.id==${rsqlValue(asset.id)};${rev}` }) : Promise.resolve(null),
  ]);
  const folderId = (up.results[0] as TRelationship | undefined)?.from.asset.id ?? null;
  const childIds = down?.results.map((r) => r.to.asset.id) ?? [];
  const ids = [...(folderId ? [folderId] : []), ...childIds];
  const assets = new Map<string, TAsset>();
  if (ids.length > 0) {
    const found = await queryAssets({ ...base, Limit: Math.min(500, ids.length), Filters: `assetId=in=(${ids.map(rsqlValue).join(',')});${rev}` });
    for (const a of found.results) assets.set(a.id, a);
  }
  return {
    folderId,
    folder: folderId ? assets.get(folderId) ?? null : null,
    children: down ? childIds.map((id) => assets.get(id)).filter((a): a is TAsset => a !== undefined).sort((a, b) => a.name.localeCompare(b.name)) : null,
    childIds: childIds.length,
    moreChildren: down?.pagination.nextCursor != null,
  };
}

function AssetLink({ asset, onOpen }: { asset: TAsset; onOpen(a: TAsset): void }) {
  return (
    <button type="button" className="as-link" onClick={() => onOpen(asset)} title={asset.uri} data-testid="as-related" data-asset={asset.id}>
      <KindBadge kind={kindOf(asset)} /> <span>{asset.name || asset.uri}</span>
    </button>
  );
}

function Relationships({ asset, repository, branch, revision, onOpen }: { asset: TAsset; repository: string; branch: string; revision: string; onOpen(a: TAsset): void }) {
  const [state, setState] = useState<Load<Related>>({ phase: 'loading' });
  useEffect(() => {
    let live = true;
    setState({ phase: 'loading' });
    loadRelated(asset, repository, branch, revision).then(
      (value) => live && setState({ phase: 'ready', value }),
      (error: unknown) => live && setState({ phase: 'error', error: failureOf(error) }),
    );
    return () => {
      live = false;
    };
    // The asset's id stands for it: a fresher copy of the same asset keeps the relationships read.
  }, [asset.id, repository, branch, revision]);

  if (state.phase === 'loading') return <p className="muted" aria-busy="true">Loading relationships…</p>;
  if (state.phase === 'error') return <Failure error={state.error} what="Relationships could not be read" />;
  const r = state.value;
  return (
    <div className="as-rel" data-testid="as-relationships">
      <div className="as-rel-line">
        <span className="as-rel-label">In folder</span>
        {r.folder ? <AssetLink asset={r.folder} onOpen={onOpen} /> : r.folderId ? <code title={r.folderId}>{shortId(r.folderId)}</code> : <span className="muted">the repository root</span>}
      </div>
      {r.children !== null && (
        <div className="as-rel-children">
          <span className="as-rel-label">
            Contains {plural(r.childIds, 'asset')}
            {r.moreChildren ? ' (first page; more exist)' : ''}
          </span>
          {r.children.length === 0 ? (
            <span className="muted">nothing</span>
          ) : (
            <ul className="as-rel-list">
              {r.children.map((c) => (
                <li key={c.id}>
                  <AssetLink asset={c} onOpen={onOpen} />
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

// ---- integrations ----

type Tracking = { name: string; status: TIntegrationStatus | null; entry: TIntegrationAsset | null; error: CallFailure | null };

const STATUSES: readonly TIntegrationStatus[] = ['Tracked', 'Failed', 'Pending'];

async function trackingOf(name: string, assetId: string): Promise<Tracking> {
  try {
    for (const status of STATUSES) {
      const r = await queryIntegrationAssets({ Integration: name, Status: status, Filter: `assetId==${rsqlValue(assetId)}`, Limit: 1 });
      const entry = r.results.find((x) => x.assetId === assetId) ?? r.results[0];
      if (entry) return { name, status, entry, error: null };
    }
    return { name, status: null, entry: null, error: null };
  } catch (error) {
    return { name, status: null, entry: null, error: failureOf(error) };
  }
}

function Integrations({ asset }: { asset: TAsset }) {
  const integrations = usePanel((s) => s.data?.states[SERVER_NAME]?.['Integrations']);
  const names = integrations && typeof integrations === 'object' ? Object.keys(integrations).sort((a, b) => a.localeCompare(b)) : null;
  const key = names?.join('\u0000') ?? '';
  const [state, setState] = useState<Load<Tracking[]>>({ phase: 'loading' });
  useEffect(() => {
    if (!names || names.length === 0) return;
    let live = true;
    setState({ phase: 'loading' });
    Promise.all(names.map((n) => trackingOf(n, asset.id))).then((value) => live && setState({ phase: 'ready', value }));
    return () => {
      live = false;
    };
    // `key` stands for the names.
  }, [asset.id, key]);

  if (names === null) return <p className="muted" data-testid="as-integrations">No integrations: the server reports no Integrations state.</p>;
  if (names.length === 0) return <p className="muted" data-testid="as-integrations">No integrations are configured on the server.</p>;
  if (state.phase !== 'ready') return <p className="muted" aria-busy="true" data-testid="as-integrations">Asking each integration…</p>;
  return (
    <ul className="as-int-list" data-testid="as-integrations">
      {state.value.map((t) => (
        <li key={t.name} className="as-int" data-testid="as-integration" data-integration={t.name} data-status={t.status ?? 'none'}>
          <span className="as-int-name">{t.name}</span>
          {t.error ? (
            <span className="as-inline-error"><code>{t.error.code}</code> {t.error.message}</span>
          ) : t.status ? (
            <span className={`as-int-status as-int-${t.status}`}>
              {t.status}
              {t.entry?.lastSyncedAt && <span className="muted"> · synced {t.entry.lastSyncedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</span>}
              {t.entry?.reason && <span className="as-int-reason"> · {t.entry.reason}</span>}
            </span>
          ) : (
            <span className="muted">not tracked</span>
          )}
        </li>
      ))}
    </ul>
  );
}

// ---- the pane ----

export interface AssetDetailProps {
  asset: TAsset;
  repository: string;
  branch: string;
  /** The revision the asset is shown at (relationships are read there). */
  revision: string;
  commits: ReadonlyMap<string, TCommit>;
  now: number;
  onOpen(asset: TAsset): void;
  onClose(): void;
  onExport(asset: TAsset): void;
}

export function AssetDetail({ asset, repository, branch, revision, commits, now, onOpen, onClose, onExport }: AssetDetailProps) {
  const { system, metadata } = splitAttributes(asset.attributes.data);
  const commit = commits.get(asset.revisionId);
  const created = timeTexts(asset.createdBy.date, now);
  const modified = timeTexts(asset.lastModifiedBy.date, now);
  const kind = kindOf(asset);
  return (
    <section className="card as-detail" aria-labelledby="as-detail-title" data-testid="as-detail" data-asset={asset.id}>
      <div className="as-detail-head">
        <div className="as-detail-title">
          <h3 id="as-detail-title" title={asset.uri}>{asset.name || asset.uri}</h3>
          <span className="as-detail-badges">
            <KindBadge kind={kind} />
            <OperationBadge operation={asset.operation} />
          </span>
        </div>
        <div className="as-detail-tools">
          <button type="button" onClick={() => onExport(asset)} data-testid="as-detail-export">Export…</button>
          <button type="button" onClick={onClose} aria-label="Close the asset details">Close</button>
        </div>
      </div>
      <dl className="facts as-facts">
        <dt>ID</dt>
        <dd><code data-testid="as-detail-id">{asset.id}</code></dd>
        <dt>URI</dt>
        <dd className="as-mono">{asset.uri}</dd>
        <dt>Type</dt>
        <dd className="as-mono">{asset.type}</dd>
        <dt>Size</dt>
        <dd>{kind === 'folder' ? '—' : `${bytes(asset.size)} (${asset.size.toLocaleString('en-US')} bytes)`}</dd>
        <dt>Content hash</dt>
        <dd>{asset.externalComponentHash ? <code title={asset.externalComponentHash}>{asset.externalComponentHash.slice(0, 16)}…</code> : <span className="muted">—</span>}</dd>
        <dt>Revision</dt>
        <dd>
          <code title={asset.revisionId}>{shortId(asset.revisionId)}</code> {commit ? <span className="muted">“{commit.Comment}”</span> : null}
        </dd>
        <dt>Created</dt>
        <dd title={created.absolute}>{asset.createdBy.userId} <span className="muted">· {asset.createdBy.serviceId} · {created.relative}</span></dd>
        <dt>Last modified</dt>
        <dd title={modified.absolute}>{asset.lastModifiedBy.userId} <span className="muted">· {asset.lastModifiedBy.serviceId} · {modified.relative}</span></dd>
        <dt>Tags</dt>
        <dd data-testid="as-detail-tags"><Chips items={asset.tags} empty="none" testId="as-detail-tag" /></dd>
        <dt>Keywords</dt>
        <dd data-testid="as-detail-keywords"><Chips items={asset.keywords} empty="none" testId="as-detail-keyword" /></dd>
      </dl>

      <h4 className="as-sub">Metadata <span className="muted">({metadata.length})</span></h4>
      {metadata.length === 0 ? (
        <p className="muted">No metadata: set it with Import.</p>
      ) : (
        <table className="table as-attr-table" data-testid="as-metadata">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Category</th></tr>
          </thead>
          <tbody>
            {metadata.map((a) => (
              <tr key={`${a.category}:${a.name}`} data-testid="as-metadata-row" data-name={a.name}>
                <td>{a.name}</td><td className="as-attr-value">{a.value}</td><td className="muted">{a.category}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h4 className="as-sub">System attributes <span className="muted">({system.length})</span></h4>
      {system.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="table as-attr-table" data-testid="as-system">
          <tbody>
            {system.map((a) => (
              <tr key={a.name}>
                <th scope="row">{a.name}</th><td className="as-attr-value">{a.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h4 className="as-sub">Relationships</h4>
      {asset.operation === 'REMOVE' && <p className="muted as-note">Removed in this range: shown as it was at <code>{revision.length > 20 ? shortId(revision) : revision}</code>.</p>}
      <Relationships asset={asset} repository={repository} branch={branch} revision={revision} onOpen={onOpen} />

      <h4 className="as-sub">Integrations</h4>
      <Integrations asset={asset} />
    </section>
  );
}
