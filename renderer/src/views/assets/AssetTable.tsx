/**
 * The assets the server answered, as a virtualized table (only the visible rows are in the DOM): name and URI, kind,
 * size, the revision that last changed it, who changed it and when, tags; in a delta a first column says what
 * happened to it (Added / Modified / Removed, in words and with a sign, not by colour alone).
 *
 * Keyboard: Tab reaches the selected row's button (roving tabindex); ↑/↓, Home/End, PageUp/PageDown move the
 * selection. Reaching the end of the loaded rows asks for the next page.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { TAsset } from '../../../../shared/assethub/catalogue.ts';
import type { TCommit } from '../../../../shared/assethub/states.ts';
import { shortId } from '../../lib/selectors.ts';
import { timeTexts } from '../../lib/time.ts';
import { bytes, kindOf, OPERATION_LABEL } from './model.ts';

export const ROW_HEIGHT = 46;

const SIGN = { INSERT: '+', MODIFY: '~', REMOVE: '−' } as const;

export function OperationBadge({ operation }: { operation: TAsset['operation'] }) {
  if (!operation) return null;
  return (
    <span className={`as-op as-op-${operation}`} data-testid="as-op" data-operation={operation} title={`${operation}: ${OPERATION_LABEL[operation].toLowerCase()} in the compared range`}>
      <span aria-hidden="true" className="as-op-sign">{SIGN[operation]}</span>
      {OPERATION_LABEL[operation]}
    </span>
  );
}

export function KindBadge({ kind }: { kind: string }) {
  return <span className={`as-kind as-kind-${kind}`}>{kind}</span>;
}

export interface AssetTableProps {
  rows: readonly TAsset[];
  delta: boolean;
  selectedId: string | null;
  onSelect(asset: TAsset): void;
  commits: ReadonlyMap<string, TCommit>;
  now: number;
  /** Called when the last loaded row comes into view. */
  onEndReached(): void;
  label: string;
  busy: boolean;
}

export function AssetTable({ rows, delta, selectedId, onSelect, commits, now, onEndReached, label, busy }: AssetTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;
  const selectedIndex = selectedId === null ? -1 : rows.findIndex((r) => r.id === selectedId);
  const focusIndex = selectedIndex >= 0 ? selectedIndex : 0;

  const endReached = useRef(onEndReached);
  endReached.current = onEndReached;
  const userScrolled = useRef(false);
  useEffect(() => {
    // Only after the operator scrolled: a page that fits the view never loads the next by itself.
    if (userScrolled.current && rows.length > 0 && lastShown >= rows.length - 1) endReached.current();
  }, [lastShown, rows.length]);

  const moveTo = (index: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    const row = rows[i];
    if (!row) return;
    onSelect(row);
    virtualizer.scrollToIndex(i, { align: 'auto' });
    // Focus follows once the row is rendered.
    requestAnimationFrame(() => scroller.current?.querySelector<HTMLButtonElement>(`[data-index="${i}"] .as-name-btn`)?.focus());
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const keys: Record<string, number> = { ArrowDown: focusIndex + 1, ArrowUp: focusIndex - 1, Home: 0, End: rows.length - 1, PageDown: focusIndex + page, PageUp: focusIndex - page };
    const to = keys[e.key];
    if (to === undefined || !(e.target instanceof HTMLButtonElement)) return;
    e.preventDefault();
    moveTo(to);
  };

  const cols = delta ? 'as-cols as-cols-delta' : 'as-cols';
  return (
    <div className="as-table" role="table" aria-label={label} aria-rowcount={rows.length + 1} aria-busy={busy} data-testid="as-table" data-count={rows.length}>
      <div role="rowgroup" className="as-thead">
        <div role="row" aria-rowindex={1} className={`as-row as-headrow ${cols}`}>
          {delta && <span role="columnheader">Change</span>}
          <span role="columnheader">Name / URI</span>
          <span role="columnheader">Kind</span>
          <span role="columnheader" className="as-num">Size</span>
          <span role="columnheader">Revision</span>
          <span role="columnheader" title="Last modified by, and when">Modified</span>
          <span role="columnheader">Tags</span>
        </div>
      </div>
      <div
        ref={scroller}
        role="rowgroup"
        className="as-tbody"
        style={{ height: virtualizer.getTotalSize() + 1 }}
        onKeyDown={onKey}
        onScroll={() => {
          userScrolled.current = true;
        }}
        onWheel={() => {
          userScrolled.current = true;
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const a = rows[item.index] as TAsset;
            const selected = a.id === selectedId;
            const commit = commits.get(a.revisionId);
            const modified = timeTexts(a.lastModifiedBy.date, now);
            const kind = kindOf(a);
            return (
              <div
                key={a.id}
                role="row"
                aria-rowindex={item.index + 2}
                data-index={item.index}
                data-testid="as-row"
                data-asset={a.id}
                data-uri={a.uri}
                data-operation={a.operation ?? ''}
                className={`as-row ${cols}${selected ? ' as-row-selected' : ''}${a.operation === 'REMOVE' ? ' as-row-removed' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                onClick={(e) => {
                  if (!(e.target instanceof HTMLButtonElement)) onSelect(a);
                }}
              >
                {delta && (
                  <span role="cell">
                    <OperationBadge operation={a.operation} />
                  </span>
                )}
                <span role="cell" className="as-namecell">
                  <button
                    type="button"
                    className="as-name-btn"
                    tabIndex={item.index === focusIndex ? 0 : -1}
                    aria-pressed={selected}
                    onClick={() => onSelect(a)}
                    title={`Details of ${a.uri}`}
                    data-testid="as-row-name"
                  >
                    {a.name || a.uri}
                  </button>
                  <span className="as-uri" title={a.uri}>{a.uri}</span>
                </span>
                <span role="cell"><KindBadge kind={kind} /></span>
                <span role="cell" className="as-num" title={`${a.size.toLocaleString('en-US')} bytes`}>{kind === 'folder' ? '—' : bytes(a.size)}</span>
                <span role="cell">
                  <code className="as-rev" title={commit ? `${a.revisionId}: ${commit.Comment}` : a.revisionId}>{shortId(a.revisionId)}</code>
                </span>
                <span role="cell" className="as-modified" title={`${a.lastModifiedBy.userId} (${a.lastModifiedBy.serviceId}) · ${modified.absolute}`}>
                  <span className="as-who">{a.lastModifiedBy.userId}</span>
                  <span className="muted">{modified.relative}</span>
                </span>
                <span role="cell" className="as-tags" title={a.tags.length > 0 ? a.tags.join(', ') : undefined}>
                  {a.tags.slice(0, 3).map((t) => (
                    <span key={t} className="as-chip" data-testid="as-row-tag">{t}</span>
                  ))}
                  {a.tags.length > 3 && <span className="as-chip as-chip-more" title={a.tags.slice(3).join(', ')}>+{a.tags.length - 3}</span>}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
