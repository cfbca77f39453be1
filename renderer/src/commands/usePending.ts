/**
 * The pending-until-confirmed switch (pending.ts) for React: `usePendingSets` for a component with many keys (the bulk
 * AutoPull), `usePendingSet` for one switch. The options may change with every render (they close over the row).
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Failure } from './failure.ts';
import { PendingSets, type PendingOptions, type PendingView } from './pending.ts';

export function usePendingSets<T>(options: PendingOptions<T>): PendingSets<T> {
  const latest = useRef(options);
  latest.current = options;
  const [sets] = useState(() => new PendingSets<T>(() => latest.current));
  useSyncExternalStore(sets.subscribe, sets.snapshot);
  return sets;
}

const ONE = '';

export function usePendingSet<T>(
  value: T | undefined,
  options: { send(want: T): Promise<void>; failed(want: T): string; timeoutMs?: number },
): PendingView<T> & { request(want: T): Promise<Failure | null> } {
  const sets = usePendingSets<T>({ send: (_key, want) => options.send(want), failed: (_key, want) => options.failed(want), timeoutMs: options.timeoutMs });
  const view = sets.view(ONE, value);
  useEffect(() => sets.see(ONE, value));
  return { ...view, request: (want: T) => sets.request(ONE, want) };
}
