/** The delta between two snapshots: what was inserted, modified or removed. The brute-force reference. */

export type Operation = 'INSERT' | 'MODIFY' | 'REMOVE';

export interface DeltaEntry<T> { operation: Operation; item: T }

/**
 * Compares two snapshots by key; an item whose version differs is MODIFY. REMOVE entries carry the item as it was in
 * `from`. Output is ordered by key.
 */
export function diffSnapshots<T>(
  from: readonly T[],
  to: readonly T[],
  keyOf: (item: T) => string,
  versionOf: (item: T) => string,
): Array<DeltaEntry<T>> {
  const before = new Map(from.map((item) => [keyOf(item), item]));
  const after = new Map(to.map((item) => [keyOf(item), item]));
  const out: Array<DeltaEntry<T>> = [];
  for (const [key, item] of after) {
    const old = before.get(key);
    if (old === undefined) out.push({ operation: 'INSERT', item });
    else if (versionOf(old) !== versionOf(item)) out.push({ operation: 'MODIFY', item });
  }
  for (const [key, item] of before) if (!after.has(key)) out.push({ operation: 'REMOVE', item });
  return out.sort((a, b) => (keyOf(a.item) < keyOf(b.item) ? -1 : keyOf(a.item) > keyOf(b.item) ? 1 : 0));
}
