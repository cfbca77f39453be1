/**
 * A virtualized list of an integration's assets in one status: only the rows in view are in the DOM, and a row can
 * be expanded in place (its height is measured) to show the attempt history and, for tracked assets, the
 * integration's state. Rows have checkboxes for multi-select and a Re-sync button of their own.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { TIntegrationAsset, TIntegrationStatus } from '../../../../shared/assethub/integrations.ts';
import { shortId } from '../../lib/selectors.ts';
import { relativeTime } from '../../lib/format.ts';
import { timeTexts } from '../../lib/time.ts';
import { assetName, assetPath, attemptOutcome, attemptsInOrder, lastAttempt, plural, prettyJson, snippet, untilText } from './model.ts';
import { SYNCED_STORAGE } from '../../../../shared/assethub/paths.ts';

/**
 * The column counts the attempts the server logged for the asset (each delivery, retry, re-sync and Sync all; it keeps
 * the last 10), not those of the current work that the retry policy's MaxAttempts limits: the header says so.
 */
const ATTEMPTS_TITLE = 'Delivery attempts logged for this asset, across every delivery, retry, re-sync and Sync all (the server keeps the last 10). '
  + 'The retry policy’s “attempts in all” counts only the attempts of the current delivery, so this can be more.';

const ROW_HEIGHT = 58;

export interface AssetListProps {
  status: TIntegrationStatus;
  items: readonly TIntegrationAsset[];
  selected: ReadonlySet<string>;
  expanded: ReadonlySet<string>;
  /** Asset IDs whose re-sync was asked for and is on its way. */
  requested: ReadonlySet<string>;
  /** Assets the operator's last re-sync left Failed again, with the reason (useResyncFollow). */
  again?: ReadonlyMap<string, string>;
  now: number;
  /** Deliveries of the integration are paused: nothing pending is sent now. */
  paused: boolean;
  /** The list grows with its rows up to this height (px), then scrolls. */
  maxHeight: number;
  canAct: boolean;
  onSelect(assetId: string, on: boolean): void;
  onSelectAll(on: boolean): void;
  onExpand(assetId: string): void;
  onResync(asset: TIntegrationAsset): void;
}

function When({ iso, now, testId }: { iso: string | undefined | null; now: number; testId?: string }) {
  if (!iso) return <span className="muted">—</span>;
  const t = timeTexts(iso, now);
  return (
    <span className="int-when" data-testid={testId}>
      <span>{t.relative}</span>
      <time className="int-abs" dateTime={iso}>{t.absolute}</time>
    </span>
  );
}

function NextRetry({ asset, now, paused }: { asset: TIntegrationAsset; now: number; paused: boolean }) {
  if (asset.status === 'Pending' && paused) return <span className="int-warn" title="Deliveries of this integration are paused: it is sent once they are enabled again">paused</span>;
  if (asset.nextRetryAt) {
    const at = Date.parse(asset.nextRetryAt);
    const t = timeTexts(asset.nextRetryAt, now);
    return (
      <span className="int-when" data-testid="int-next-retry">
        <span>{Number.isNaN(at) ? asset.nextRetryAt : untilText(at, now)}</span>
        <time className="int-abs" dateTime={asset.nextRetryAt}>{t.absolute}</time>
      </span>
    );
  }
  if (asset.status === 'Failed') return <span className="muted" title="Every attempt of the retry policy was used: only a re-sync sends it again">no more retries</span>;
  if (asset.status === 'Pending') return <span className="muted">queued</span>;
  return <span className="muted">—</span>;
}

function Attempts({ asset, now }: { asset: TIntegrationAsset; now: number }) {
  const attempts = attemptsInOrder(asset);
  if (attempts.length === 0) return <p className="muted int-detail-empty">No delivery attempt recorded yet.</p>;
  return (
    <table className="int-attempts" data-testid="int-attempts">
      <caption className="int-detail-h">Attempt history, oldest first</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Time</th>
          <th scope="col">Delivery ID</th>
          <th scope="col">Result</th>
          <th scope="col">Response</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a, i) => {
          const outcome = attemptOutcome(a);
          const t = timeTexts(a.at, now);
          const body = snippet(a.response);
          return (
            <tr key={`${a.deliveryId}-${a.at}-${i}`} data-testid="int-attempt">
              <td className="int-num">{i + 1}</td>
              <td>
                <span className="int-when">
                  <span>{t.relative}</span>
                  <time className="int-abs" dateTime={a.at}>{t.absolute}</time>
                </span>
              </td>
              <td className="int-nowrap"><code className="int-mono" title={a.deliveryId}>{a.deliveryId}</code></td>
              <td className={outcome.ok ? 'int-ok' : 'int-bad'} data-testid="int-attempt-result">{outcome.text}</td>
              <td className="int-response">{body ? <code className="int-mono" title={a.response ?? undefined}>{body}</code> : <span className="muted">—</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Details({ asset, now }: { asset: TIntegrationAsset; now: number }) {
  const state = asset.integrationState !== undefined ? prettyJson(asset.integrationState) : null;
  return (
    <div className="int-detail" data-testid="int-asset-detail">
      <dl className="int-facts">
        <dt>Asset ID</dt>
        <dd><code className="int-mono">{asset.assetId}</code></dd>
        <dt>URI</dt>
        <dd><code className="int-mono">{asset.uri}</code></dd>
        <dt>Repository</dt>
        <dd>{asset.repository} · {asset.branch}</dd>
        <dt>Revision</dt>
        <dd><code className="int-mono">{asset.revisionId}</code> · action <code>{asset.action}</code></dd>
        {asset.lastSyncedAt && (
          <>
            <dt>Last synced</dt>
            <dd><When iso={asset.lastSyncedAt} now={now} /></dd>
          </>
        )}
        {asset.assetStateHash !== undefined && (
          <>
            <dt>State hash</dt>
            <dd><code className="int-mono" data-testid="int-state-hash">{asset.assetStateHash}</code></dd>
          </>
        )}
      </dl>
      {state && (
        <>
          <div className="int-detail-h">IntegrationState {state.json ? '(JSON)' : '(text, not JSON)'}</div>
          <pre className="int-json" data-testid="int-state" tabIndex={0} aria-label={`IntegrationState of ${assetName(asset.uri)}`}>{state.text}</pre>
        </>
      )}
      <Attempts asset={asset} now={now} />
    </div>
  );
}

export function AssetList(props: AssetListProps) {
  const { status, items, selected, expanded, requested, now, paused, maxHeight, canAct } = props;
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => parent.current,
    estimateSize: (i) => (expanded.has(items[i]?.assetId ?? '') ? 320 : ROW_HEIGHT),
    getItemKey: (i) => items[i]?.assetId ?? i,
    overscan: 8,
  });
  const allOn = items.length > 0 && items.every((i) => selected.has(i.assetId));
  const someOn = !allOn && items.some((i) => selected.has(i.assetId));
  const tracked = status === 'Tracked';

  return (
    <div className="int-list" data-testid="int-list" data-status={status} data-count={items.length}>
      <div className={`int-row int-list-head int-row-${status}`}>
        <span>
          <input
            type="checkbox"
            className="int-check"
            checked={allOn}
            ref={(el) => {
              if (el) el.indeterminate = someOn;
            }}
            onChange={(e) => props.onSelectAll(e.target.checked)}
            aria-label={`Select every loaded ${status.toLowerCase()} asset`}
            data-testid="int-select-all"
            disabled={items.length === 0}
          />
        </span>
        <span />
        <span>Asset</span>
        {tracked ? (
          <>
            <span>Revision</span>
            <span>Last synced</span>
            <span>State hash</span>
          </>
        ) : (
          <>
            <span>Reason</span>
            <span className="int-num" title={ATTEMPTS_TITLE} data-testid="int-attempts-header">Attempts (logged)</span>
            <span>Last try</span>
            <span>Next try</span>
          </>
        )}
        <span />
      </div>
      <div ref={parent} className="int-scroll" style={{ height: Math.min(maxHeight, Math.max(ROW_HEIGHT, virtualizer.getTotalSize()) + 2) }} role="list" aria-label={`${status} assets`} tabIndex={0} data-testid="int-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const asset = items[v.index] as TIntegrationAsset;
            const open = expanded.has(asset.assetId);
            const last = lastAttempt(asset);
            const name = assetName(asset.uri);
            const reason = asset.reason ?? (last ? attemptOutcome(last).text : null);
            const isRequested = requested.has(asset.assetId);
            return (
              <div
                key={v.key}
                data-index={v.index}
                ref={virtualizer.measureElement}
                role="listitem"
                className={`int-item${open ? ' int-item-open' : ''}${selected.has(asset.assetId) ? ' int-item-selected' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)` }}
                data-testid="int-asset"
                data-asset={asset.assetId}
                data-uri={asset.uri}
              >
                <div className={`int-row int-row-${status}`} style={{ minHeight: ROW_HEIGHT }}>
                  <span>
                    <input
                      type="checkbox"
                      className="int-check"
                      checked={selected.has(asset.assetId)}
                      onChange={(e) => props.onSelect(asset.assetId, e.target.checked)}
                      aria-label={`Select ${name}`}
                      data-testid="int-select"
                    />
                  </span>
                  <span>
                    <button
                      type="button"
                      className="int-expand"
                      aria-expanded={open}
                      aria-label={`${open ? 'Hide' : 'Show'} the details and attempts of ${name}`}
                      onClick={() => props.onExpand(asset.assetId)}
                      data-testid="int-expand"
                    >
                      <span aria-hidden="true">{open ? '▾' : '▸'}</span>
                    </button>
                  </span>
                  <span className="int-asset">
                    <span className="int-asset-name" title={asset.uri} data-testid="int-asset-name">{name}</span>
                    <span className="int-asset-path" title={`${asset.repository} · ${asset.branch}`}>
                      {assetPath(asset.uri)} <span className="int-repo">· {asset.repository.startsWith(`${SYNCED_STORAGE}\\`) ? asset.repository.slice(SYNCED_STORAGE.length + 1) : asset.repository} · {asset.branch}</span>
                    </span>
                  </span>
                  {tracked ? (
                    <>
                      <span><code className="int-mono" title={asset.revisionId}>{shortId(asset.revisionId)}</code></span>
                      <span><When iso={asset.lastSyncedAt} now={now} testId="int-last-synced" /></span>
                      <span>{asset.assetStateHash !== undefined ? <code className="int-mono" title={asset.assetStateHash}>{asset.assetStateHash.slice(0, 12)}</code> : <span className="muted">—</span>}</span>
                    </>
                  ) : (
                    <>
                      <span className="int-reason-wrap">
                        {props.again?.has(asset.assetId) && (
                          <span className="int-again" title={`The last re-sync failed again: ${props.again.get(asset.assetId) ?? ''}`} data-testid="int-failed-again">failed again</span>
                        )}
                        <span className="int-reason" title={reason ?? undefined} data-testid="int-reason">
                          {reason ?? <span className="muted">{asset.action === 'deleted' ? 'deletion waiting' : 'waiting for its first delivery'}</span>}
                        </span>
                      </span>
                      <span className="int-num" title={`${plural(asset.attempts.length, 'logged attempt')}${last ? `, the last ${relativeTime(Date.parse(last.at), now)}` : ''}`} data-testid="int-attempt-count">{asset.attempts.length}</span>
                      <span>{last ? <When iso={last.at} now={now} /> : <span className="muted">never</span>}</span>
                      <span><NextRetry asset={asset} now={now} paused={paused} /></span>
                    </>
                  )}
                  <span className="int-row-actions">
                    {isRequested ? (
                      <span className="int-pending" data-testid="int-requested">re-sync asked…</span>
                    ) : (
                      <button type="button" className="int-small" disabled={!canAct} onClick={() => props.onResync(asset)} aria-label={`Re-sync ${name}`} data-testid="int-resync-one">
                        Re-sync
                      </button>
                    )}
                  </span>
                </div>
                {open && <Details asset={asset} now={now} />}
              </div>
            );
          })}
        </div>
      </div>
      <p className="int-sr-only" aria-live="polite">{plural(items.length, `${status.toLowerCase()} asset`)} loaded</p>
    </div>
  );
}
