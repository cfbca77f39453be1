/**
 * A virtualized list for long lists (changes, commits, claims, log, machines): only the visible rows are in the DOM, so
 * 100,000 rows scroll as smoothly as 10. Rows have a fixed height (`rowHeight`), or, with `measured`, each row is
 * measured once rendered (`rowHeight` is then the first guess): for cards and per-machine groups of varying height.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  /** Rows of different heights, measured in the DOM; rowHeight is the estimate before that. */
  measured?: boolean;
  /** Height of the scrolling area: px, or any CSS length. */
  height: number | string;
  label: string;
  render(item: T, index: number): ReactNode;
  /** A row's identity, so a row keeps its DOM (and its measured height) when the rows before it change. */
  itemKey?(item: T, index: number): string;
  empty?: ReactNode;
  testId?: string;
  className?: string;
  rowClassName?: string;
  overscan?: number;
}

export function VirtualList<T>({ items, rowHeight, measured = false, height, label, render, itemKey, empty, testId, className, rowClassName = 'vlist-row', overscan = 10 }: VirtualListProps<T>) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => parent.current,
    estimateSize: () => rowHeight,
    overscan,
    ...(itemKey ? { getItemKey: (i: number) => itemKey(items[i] as T, i) } : {}),
  });
  if (items.length === 0) return <div className="muted empty">{empty ?? 'Nothing to show.'}</div>;
  return (
    <div ref={parent} className={className ? `vlist ${className}` : 'vlist'} style={{ height }} role="list" aria-label={label} tabIndex={0} data-testid={testId} data-count={items.length}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            role="listitem"
            className={rowClassName}
            data-index={row.index}
            ref={measured ? virtualizer.measureElement : undefined}
            style={{ position: 'absolute', top: 0, left: 0, right: 0, height: measured ? undefined : rowHeight, transform: `translateY(${row.start}px)` }}
          >
            {render(items[row.index] as T, row.index)}
          </div>
        ))}
      </div>
    </div>
  );
}
