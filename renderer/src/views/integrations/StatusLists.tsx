/**
 * The Failed, Pending and Tracked lists of one integration, as tabs. Each list is read from the server
 * (QueryIntegrationAssets) a page at a time, can be narrowed with an RSQL filter, follows the live figures (see
 * usePages), and offers Re-sync of one asset, of the selected ones, and (Failed) of every failed asset after a
 * confirmation. The Tracked tab holds "Sync all assets…".
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { TIntegrationAsset, TIntegrationEntry, TIntegrationStatus } from '../../../../shared/assethub/integrations.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { RsqlFilterInput, filterProblem } from '../../components/RsqlFilterInput.tsx';
import { relativeTime } from '../../lib/format.ts';
import { AssetList } from './AssetList.tsx';
import { FILTER_EXAMPLES, STATUSES, assetName, plural, revisionProblem } from './model.ts';
import { attempt, resyncAssets } from '../../commands/index.ts';
import { usePages } from './usePages.ts';
import { failedIds, followText, useResyncFollow } from './useResyncFollow.ts';

const EMPTY_TEXT: Record<TIntegrationStatus, string> = {
  Failed: 'No failed assets: every delivery went through or is still being tried.',
  Pending: 'Nothing pending: every matching asset was delivered or has failed.',
  Tracked: 'No tracked assets yet: none was delivered with success.',
};

const TAB_HINT: Record<TIntegrationStatus, string> = {
  Failed: 'Assets whose delivery failed on every attempt of the retry policy. They stay here until they are re-synced or change again.',
  Pending: 'Changes queued for delivery, being delivered, or waiting for their next retry (also while deliveries are paused).',
  Tracked: 'Assets the receiver accepted, with the IntegrationState it returned for each.',
};

/** The live figures a list depends on: when they move, the list may be out of date. */
const signatureOf = (entry: TIntegrationEntry, status: TIntegrationStatus): string =>
  `${entry[status]}|${entry.Tracked}|${entry.Failed}|${entry.Pending}|${entry.LastDeliveryAt ?? ''}|${entry.LastError ?? ''}`;

export interface StatusListsProps {
  name: string;
  entry: TIntegrationEntry;
  tab: TIntegrationStatus;
  online: boolean;
  now: number;
  onTab(tab: TIntegrationStatus): void;
  onSyncAll(): void;
}

export function StatusLists({ name, entry, tab, online, now, onTab, onSyncAll }: StatusListsProps) {
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = STATUSES.indexOf(tab);
    const to = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? STATUSES.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    const next = STATUSES[(to + STATUSES.length) % STATUSES.length] as TIntegrationStatus;
    onTab(next);
    tabs.current[STATUSES.indexOf(next)]?.focus();
  };
  return (
    <section className="int-lists" aria-label={`Assets of ${name}`}>
      <div className="int-tabs-row">
        <div className="int-tabs" role="tablist" aria-label="Asset status" onKeyDown={onTabKey}>
          {STATUSES.map((s, i) => (
            <button
              key={s}
              ref={(el) => {
                tabs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`int-tab-${s}`}
              aria-selected={tab === s}
              aria-controls={`int-panel-${s}`}
              tabIndex={tab === s ? 0 : -1}
              className={`int-tab${tab === s ? ' int-tab-on' : ''}`}
              onClick={() => onTab(s)}
              data-testid={`int-tab-${s}`}
            >
              {s}
              <span className={`int-tab-count${s === 'Failed' && entry.Failed > 0 ? ' int-tab-count-bad' : ''}`} data-testid={`int-tab-count-${s}`}>{entry[s].toLocaleString('en-US')}</span>
            </button>
          ))}
        </div>
        <p className="muted int-tab-hint" id="int-tab-hint">{TAB_HINT[tab]}</p>
      </div>
      <div role="tabpanel" id={`int-panel-${tab}`} aria-labelledby={`int-tab-${tab}`} aria-describedby="int-tab-hint" className="int-panel">
        {/* Keyed: a new integration or tab starts with its own filter, selection and pages. */}
        <StatusList key={`${name}\n${tab}`} name={name} entry={entry} status={tab} online={online} now={now} onSyncAll={onSyncAll} />
      </div>
    </section>
  );
}

function StatusList({ name, entry, status, online, now, onSyncAll }: { name: string; entry: TIntegrationEntry; status: TIntegrationStatus; online: boolean; now: number; onSyncAll(): void }) {
  const [text, setText] = useState('');
  const [applied, setApplied] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [requested, setRequested] = useState<ReadonlySet<string>>(new Set());
  const [confirmAll, setConfirmAll] = useState(false);
  const [allRunning, setAllRunning] = useState(false);
  const busy = requested.size > 0 || allRunning;
  const pages = usePages(name, status, applied, signatureOf(entry, status), busy);
  const { state } = pages;
  const { follow, start: startFollow, dismiss: dismissFollow } = useResyncFollow(name, entry);

  // What is selected is what is in view: an asset that left this list (delivered, failed) is not acted on unseen.
  const ids = useMemo(() => new Set(state.items.map((i) => i.assetId)), [state.items]);
  useEffect(() => {
    setSelected((s) => {
      const kept = [...s].filter((id) => ids.has(id));
      return kept.length === s.size ? s : new Set(kept);
    });
  }, [ids]);

  const resync = async (assets: readonly TIntegrationAsset[]) => {
    const list = assets.map((a) => a.assetId);
    const label = assets.length === 1 ? assetName((assets[0] as TIntegrationAsset).uri) : plural(assets.length, 'asset');
    setRequested((r) => new Set([...r, ...list]));
    const outcome = await attempt(resyncAssets({ Integration: name, AssetIds: list }), {
      failure: `Re-sync of ${label} refused`,
      success: (result) => ({ title: `Re-sync of ${label} queued`, message: `${plural(result.Queued, 'asset')} queued for delivery to ${name}.` }),
    });
    if (outcome.ok) {
      startFollow(`Re-sync of ${label}`, list);
      setSelected((s) => new Set([...s].filter((id) => !list.includes(id))));
    }
    setRequested((r) => new Set([...r].filter((id) => !list.includes(id))));
    pages.reload();
  };

  const resyncEveryFailed = async () => {
    setConfirmAll(false);
    setAllRunning(true);
    // Which assets those are, to follow them until they settle (read first: once queued they are no longer Failed).
    const asked = failedIds(name).then(async (ids) => ({ ids, result: await resyncAssets({ Integration: name, AllFailed: true }) }));
    const outcome = await attempt(asked, {
      failure: `Re-sync of the failed assets of ${name} refused`,
      success: ({ result }) => ({ title: `Re-sync of every failed asset of ${name} queued`, message: `${plural(result.Queued, 'asset')} queued for delivery.` }),
    });
    if (outcome.ok) {
      startFollow(`Re-sync of every failed asset`, outcome.value.ids);
      setSelected(new Set());
    }
    setAllRunning(false);
    pages.reload();
  };

  const revisions = revisionProblem(text);
  const localProblem = filterProblem(text, 'assets') ?? (revisions ? { message: revisions } : null);
  const serverFilterError = revisions
    ? { message: revisions }
    : state.error?.code === 'INVALID_FILTER' && text.trim() === applied ? { message: state.error.message } : null;
  const apply = (value: string) => {
    if (filterProblem(value, 'assets') || revisionProblem(value)) return;
    if (value.trim() === applied) pages.reload();
    else setApplied(value.trim());
  };
  const chosen = state.items.filter((i) => selected.has(i.assetId));
  const refreshing = state.phase === 'loading' && state.items.length > 0;
  const canAct = online && !allRunning;

  return (
    <div className="int-status-list" data-testid={`int-panel-${status}`}>
      <div className="int-toolbar">
        <div className="int-filter">
          <RsqlFilterInput
            id={`int-list-filter-${status}`}
            label={`Filter the ${status.toLowerCase()} list (RSQL)`}
            value={text}
            onChange={setText}
            onApply={apply}
            target="assets"
            examples={FILTER_EXAMPLES}
            serverError={serverFilterError}
            placeholder="e.g. asset.type.name==texture (empty = all)"
          />
        </div>
        <div className="int-filter-buttons">
          <button type="button" onClick={() => apply(text)} disabled={localProblem !== null || (text.trim() === applied && state.phase === 'loading')} data-testid="int-filter-apply">Apply</button>
          {applied !== '' && (
            <button type="button" onClick={() => { setText(''); setApplied(''); }} data-testid="int-filter-clear">Clear</button>
          )}
        </div>
        <div className="int-actions">
          <button type="button" disabled={chosen.length === 0 || !canAct} onClick={() => void resync(chosen)} data-testid="int-resync-selected">
            Re-sync selected{chosen.length > 0 ? ` (${chosen.length})` : ''}
          </button>
          {status === 'Failed' && (
            <button type="button" className="ws-danger-outline" disabled={entry.Failed === 0 || !canAct} onClick={() => setConfirmAll(true)} data-testid="int-resync-all-failed">
              {allRunning ? 'Queuing…' : `Re-sync all failed (${entry.Failed.toLocaleString('en-US')})…`}
            </button>
          )}
          {status === 'Tracked' && (
            <button type="button" className="ws-danger-outline" disabled={!online || entry.Sync?.Running === true} onClick={onSyncAll} data-testid="int-sync-all" title={entry.Sync?.Running ? 'A Sync all is running' : undefined}>
              Sync all assets…
            </button>
          )}
        </div>
      </div>

      {follow && (
        <div
          className={`int-resync-result ${follow.phase === 'following' ? 'int-progress' : follow.again.size > 0 || follow.phase === 'failed' ? 'int-bad' : 'int-ok'}`}
          role="status"
          data-testid="int-resync-result"
          data-phase={follow.phase}
          data-tracked={follow.tracked}
          data-again={follow.again.size}
        >
          <span><strong>{follow.label}</strong>: {followText(follow)}</span>
          {follow.phase !== 'following' && <button type="button" className="int-small" onClick={dismissFollow} aria-label="Dismiss the re-sync result">Dismiss</button>}
        </div>
      )}
      <div className="int-list-status" data-testid="int-list-status">
        {(state.phase === 'ready' || refreshing) && state.items.length === 0 ? (
          <span className="muted">{state.readAt !== null ? `read ${relativeTime(state.readAt, now)}` : ''}{refreshing ? ' · reading again…' : ''}</span>
        ) : state.phase === 'ready' || refreshing ? (
          <span>
            {applied ? (
              <>
                Filter <code>{applied}</code>: {plural(state.items.length, 'asset')} loaded{state.nextCursor ? ', more on the server' : ''}
              </>
            ) : (
              <>
                {state.items.length.toLocaleString('en-US')} of {entry[status].toLocaleString('en-US')} {status.toLowerCase()} loaded
                {state.nextCursor ? ' · more below' : ''}
              </>
            )}
            {state.readAt !== null && <span className="muted"> · read {relativeTime(state.readAt, now)}</span>}
            {refreshing && <span className="muted int-pending"> · reading again…</span>}
            {selected.size > 0 && <span> · <strong className="int-strong">{selected.size}</strong> selected</span>}
          </span>
        ) : null}
        {pages.stale && (
          <span className="int-stale" role="status" data-testid="int-stale">
            The {status.toLowerCase()} figures changed since this list was read.{' '}
            <button type="button" className="int-small" onClick={pages.reload}>Read again</button>
          </span>
        )}
        {state.phase === 'ready' && (
          <button type="button" className="int-small int-refresh" onClick={pages.reload} aria-label={`Read the ${status.toLowerCase()} list again from the start`} data-testid="int-refresh">Refresh</button>
        )}
      </div>

      {state.phase === 'idle' || (state.phase === 'loading' && state.items.length === 0) ? (
        <p className="muted int-empty" data-testid="int-list-loading">Reading the {status.toLowerCase()} assets of {name}…</p>
      ) : state.phase === 'error' ? (
        <div className="int-error-box" role="alert" data-testid="int-list-error">
          <p>The {status.toLowerCase()} list could not be read: <code>{state.error?.code}</code> {state.error?.message}</p>
          <button type="button" onClick={pages.reload}>Try again</button>
        </div>
      ) : state.items.length === 0 ? (
        <p className="muted int-empty" data-testid="int-list-empty">{applied ? `No ${status.toLowerCase()} asset matches the filter.` : EMPTY_TEXT[status]}</p>
      ) : (
        <>
          <AssetList
            status={status}
            items={state.items}
            selected={selected}
            expanded={expanded}
            requested={requested}
            again={follow?.phase === 'settled' ? follow.again : undefined}
            now={now}
            paused={!entry.Enabled}
            maxHeight={460}
            canAct={canAct}
            onSelect={(id, on) => setSelected((s) => {
              const next = new Set(s);
              if (on) next.add(id);
              else next.delete(id);
              return next;
            })}
            onSelectAll={(on) => setSelected(on ? new Set(state.items.map((i) => i.assetId)) : new Set())}
            onExpand={(id) => setExpanded((s) => {
              const next = new Set(s);
              if (next.has(id)) next.delete(id);
              else next.add(id);
              return next;
            })}
            onResync={(asset) => void resync([asset])}
          />
          <div className="int-more">
            {state.nextCursor ? (
              <button type="button" onClick={pages.loadMore} disabled={state.loadingMore} data-testid="int-load-more">
                {state.loadingMore ? 'Loading more…' : `Load more (${state.items.length.toLocaleString('en-US')} shown)`}
              </button>
            ) : (
              <span className="muted" data-testid="int-all-loaded">All {plural(state.items.length, 'asset')} shown.</span>
            )}
            {state.moreError && (
              <span className="int-inline-error" role="alert" data-testid="int-more-error">
                More could not be read: <code>{state.moreError.code}</code> {state.moreError.message}{' '}
                {state.moreError.code === 'CURSOR_EXPIRED' && <button type="button" className="int-small" onClick={pages.reload}>Read again from the start</button>}
              </span>
            )}
          </div>
        </>
      )}

      {confirmAll && (
        <ConfirmDialog
          title={`Re-sync every failed asset of ${name}?`}
          confirmLabel={`Re-sync ${plural(entry.Failed, 'failed asset')}`}
          onCancel={() => setConfirmAll(false)}
          onConfirm={() => void resyncEveryFailed()}
        >
          <p>
            All <strong className="int-strong">{plural(entry.Failed, 'failed asset')}</strong> of {name} (not only the {plural(state.items.length, 'one')} loaded here
            {applied ? ' or matching the list filter' : ''}) are queued again and sent to <code className="int-break">{entry.EndpointUrl}</code> with a fresh set of attempts.
          </p>
          {!entry.Enabled && <p className="int-warn">Deliveries are paused: they are sent once the integration is enabled again.</p>}
        </ConfirmDialog>
      )}
    </div>
  );
}
