import { useCallback, useRef, useState } from 'react';

/** An element's content width, kept current by a ResizeObserver; 0 until it is in the DOM. Use the ref on it. */
export function useWidth<E extends HTMLElement>(): [number, (element: E | null) => void] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((element: E | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!element) return;
    setWidth(element.clientWidth);
    observer.current = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.round(entry.contentRect.width));
    });
    observer.current.observe(element);
  }, []);
  return [width, ref];
}
