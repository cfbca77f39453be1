/**
 * Every claim the server holds, across repositories and branches (its AssetInfo), with a text filter and the machine
 * filter (by owner). "Force release" asks first, naming the owner, then calls the server's ReleaseClaim with that
 * owner and Force.
 */
import { useMemo, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { VirtualList } from '../../components/VirtualList.tsx';
import { attempt, offerProps, releaseClaim, useOffer, useServiceOffer } from '../../commands/index.ts';
import { NotOffered } from '../../components/NotOffered.tsx';
import { SERVER_NAME } from '../../lib/selectors.ts';
import { machineMatcher, machines, serverOf } from '../../lib/selectors.ts';
import { usePanel } from '../../store/panel.ts';
import { claimRows, type ClaimRow } from './model.ts';
import { useUi } from '../../store/ui.ts';
import { RepoName } from '../../components/RepoName.tsx';
import { timeTexts } from '../../lib/time.ts';
import { useNow } from '../../lib/useNow.ts';
import './claims.css';
import { uriPath } from '../../../../shared/assethub/uri.ts';

const ROW_HEIGHT = 44;


/** `FileSystem:/Content/Levels/Main.umap` → `Content/Levels/Main.umap`. */

const RELEASE = { ReleaseClaim: 'Force release' } as const;

export function ClaimsView() {
  const data = usePanel((s) => s.data);
  const serverOffer = useServiceOffer(SERVER_NAME);
  const releaseOffer = offerProps(useOffer(SERVER_NAME, 'ReleaseClaim'));
  const machineFilter = useUi((s) => s.machines);
  const now = useNow(10_000);
  const [text, setText] = useState('');
  const [confirm, setConfirm] = useState<ClaimRow | null>(null);
  const [releasing, setReleasing] = useState<ReadonlySet<string>>(new Set());

  const all = useMemo(() => claimRows(data), [data]);
  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const matchMachine = machineMatcher(machines(data), machineFilter);
    return all.filter((r) => matchMachine(r.owner) && (needle === '' || r.search.includes(needle)));
  }, [all, text, machineFilter, data]);

  if (!data) return <p className="muted">Waiting for the panel engine…</p>;
  const known = serverOf(data).AssetInfo !== undefined;

  const release = async (row: ClaimRow) => {
    setConfirm(null);
    setReleasing((s) => new Set(s).add(row.key));
    await attempt(releaseClaim({ Repository: row.repository, Branch: row.branch, URI: row.uri, Owner: row.owner, Force: true }), {
      failure: `Claim on ${uriPath(row.uri)} not released`,
      success: `Released ${row.owner}'s claim on ${uriPath(row.uri)}`,
    });
    setReleasing((s) => {
      const next = new Set(s);
      next.delete(row.key);
      return next;
    });
  };

  return (
    <div className="cl-view">
      <div className="cl-head">
        <h2 className="cl-title">Claims</h2>
        <span className="muted" data-testid="cl-count">
          {known ? (rows.length === all.length ? `${all.length} ${all.length === 1 ? 'claim' : 'claims'}` : `${rows.length} of ${all.length} claims`) : 'not read yet'}
        </span>
        <label className="cl-filter">
          <span className="muted">Filter</span>
          <input
            type="text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="URI, owner, repository or branch"
            aria-label="Filter claims"
            data-testid="cl-filter"
          />
        </label>
      </div>
      {machineFilter.length > 0 && <p className="muted">Showing claims owned by machines matching {machineFilter.join(', ')} (machine filter).</p>}
      <NotOffered service={SERVER_NAME} offer={serverOffer} actions={RELEASE} />
      <section className="card cl-card" aria-label="Claims">
        <div className="cl-row cl-header" aria-hidden="true">
          <span>Asset</span>
          <span>Owner</span>
          <span>Repository</span>
          <span>Branch</span>
          <span>Since</span>
          <span />
        </div>
        {!known ? (
          <p className="muted empty">The server's claims have not been read yet.</p>
        ) : (
          <VirtualList
            items={rows}
            rowHeight={ROW_HEIGHT}
            height={Math.min(640, rows.length * ROW_HEIGHT + 2)}
            label="Claims"
            testId="cl-list"
            empty={all.length === 0 ? 'Nobody holds a claim.' : 'No claim matches the filter.'}
            render={(row) => {
              const time = timeTexts(row.createdAt, now);
              const busy = releasing.has(row.key);
              return (
                <div className="cl-row" data-testid="cl-claim" data-owner={row.owner} data-uri={row.uri}>
                  <span className="cl-uri" title={row.uri}>{uriPath(row.uri)}</span>
                  <span className="cl-owner">{row.owner}</span>
                  <span className="cl-repo"><RepoName name={row.repository} /></span>
                  <span className="cl-branch">{row.branch}</span>
                  <span className="cl-since" title={row.createdAt}>
                    {time.relative} · <time dateTime={row.createdAt}>{time.absolute}</time>
                  </span>
                  <span className="cl-actions">
                    <button type="button" className="cl-release" disabled={busy || releaseOffer.disabled} title={releaseOffer.title} onClick={() => setConfirm(row)} aria-label={`Force release ${row.owner}'s claim on ${uriPath(row.uri)}`} data-testid="cl-release">
                      {busy ? 'Releasing…' : 'Force release'}
                    </button>
                  </span>
                </div>
              );
            }}
          />
        )}
      </section>
      {confirm && (
        <ConfirmDialog title={`Force release ${confirm.owner}'s claim`} confirmLabel="Force release" danger onCancel={() => setConfirm(null)} onConfirm={() => void release(confirm)}>
          <p data-testid="cl-confirm-text">
            Release the claim <strong className="cl-strong">{confirm.owner}</strong> holds on <code>{uriPath(confirm.uri)}</code> in {confirm.repository} ({confirm.branch})?{' '}
            {confirm.owner}'s work on it is not affected, but anyone can then change it.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
