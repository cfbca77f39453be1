/**
 * A virtualized list for long lists (changes, commits, claims, log): only the visible rows are in the DOM, so 100,000
 * rows scroll as smoothly as 10. Rows have a fixed height.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  /** Height of the scrolling area in px. */
  height: number;
  label: string;
  render(item: T, index: number): ReactNode;
  empty?: ReactNode;
  testId?: string;
}

export function VirtualList<T>({ items, rowHeight, height, label, render, empty, testId }: VirtualListProps<T>) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => parent.current, estimateSize: () => rowHeight, overscan: 10 });
  if (items.length === 0) return <div className="muted empty">{empty ?? 'Nothing to show.'}</div>;
  return (
    <div ref={parent} className="vlist" style={{ height }} role="list" aria-label={label} tabIndex={0} data-testid={testId} data-count={items.length}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div key={row.key} role="listitem" className="vlist-row" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: rowHeight, transform: `translateY(${row.start}px)` }}>
            {render(items[row.index] as T, row.index)}
          </div>
        ))}
      </div>
    </div>
  );
}
