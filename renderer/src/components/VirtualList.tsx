/**
 * A virtualized list for long lists (changes, commits, claims, log, machines): only the visible rows are in the DOM, so
 * 100,000 rows scroll as smoothly as 10. Rows have a fixed height (`rowHeight`), or, with `measured`, each row is
 * measured once rendered (`rowHeight` is then the first guess): for cards and per-machine groups of varying height.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  /** Rows of different heights, measured in the DOM; rowHeight is the estimate before that. */
  measured?: boolean;
  /**
   * Height of the list's own scrolling area (px, or any CSS length); or `page`: no scrollbar of its own, the list
   * scrolls with the page around it (its nearest scrolling ancestor), so a long view has one scrollbar.
   */
  height: number | string | 'page';
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

/** The nearest ancestor that scrolls vertically. */
function scrollingAncestor(element: HTMLElement | null): HTMLElement | null {
  for (let e = element?.parentElement ?? null; e; e = e.parentElement) {
    if (/(auto|scroll)/.test(getComputedStyle(e).overflowY)) return e;
  }
  return document.scrollingElement instanceof HTMLElement ? document.scrollingElement : null;
}

/** Where the list starts within its scroller's content; kept current as what is above it changes height. */
function useOffsetIn(list: RefObject<HTMLElement | null>, scroller: () => HTMLElement | null, enabled: boolean): number {
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    if (!enabled) return;
    const measure = () => {
      const el = list.current;
      const sc = scroller();
      if (!el || !sc) return;
      setOffset(Math.round(el.getBoundingClientRect().top - sc.getBoundingClientRect().top + sc.scrollTop));
    };
    measure();
    const sc = scroller();
    const observer = new ResizeObserver(measure);
    if (sc) for (const child of Array.from(sc.children)) observer.observe(child);
    return () => observer.disconnect();
    // Once: the scroller's children resizing (what is above the list growing or shrinking) re-measures.
  }, [enabled]);
  return offset;
}

export function VirtualList<T>({ items, rowHeight, measured = false, height, label, render, itemKey, empty, testId, className, rowClassName = 'vlist-row', overscan = 10 }: VirtualListProps<T>) {
  const parent = useRef<HTMLDivElement>(null);
  const page = height === 'page';
  const scroller = useRef<HTMLElement | null>(null);
  const getScroller = () => (page ? (scroller.current ??= scrollingAncestor(parent.current)) : parent.current);
  const margin = useOffsetIn(parent, getScroller, page);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: getScroller,
    estimateSize: () => rowHeight,
    overscan,
    scrollMargin: page ? margin : 0,
    ...(itemKey ? { getItemKey: (i: number) => itemKey(items[i] as T, i) } : {}),
  });
  if (items.length === 0) return <div className="muted empty">{empty ?? 'Nothing to show.'}</div>;
  const start = page ? margin : 0;
  return (
    <div
      ref={parent}
      className={[page ? 'vlist-page' : 'vlist', className].filter(Boolean).join(' ')}
      style={page ? undefined : { height }}
      role="list"
      aria-label={label}
      tabIndex={page ? undefined : 0}
      data-testid={testId}
      data-count={items.length}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            role="listitem"
            className={rowClassName}
            data-index={row.index}
            ref={measured ? virtualizer.measureElement : undefined}
            style={{ position: 'absolute', top: 0, left: 0, right: 0, height: measured ? undefined : rowHeight, transform: `translateY(${row.start - start}px)` }}
          >
            {render(items[row.index] as T, row.index)}
          </div>
        ))}
      </div>
    </div>
  );
}
