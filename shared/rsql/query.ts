/**
 * A whole query over a branch history, computed the plain way: resolve the revision range, take the snapshot (or the
 * delta of two snapshots) and keep what the filter matches. It is the reference the server's indexed queries are
 * tested against, and it serves small histories directly.
 */
import { ok, type Result } from '../result.ts';
import { diffSnapshots, type Operation } from './delta.ts';
import type { CompiledFilter, RsqlError } from './filter.ts';
import { resolveRange } from './revisions.ts';

export interface History<T> {
  /** Commit IDs, oldest first. */
  commits: readonly string[];
  /** Snapshot after the commit at `index`; -1 is the empty snapshot before the first commit. */
  snapshotAt(index: number): readonly T[];
}

export interface QueryRow<T> { item: T; operation?: Operation }

export function queryHistory<T>(
  filter: CompiledFilter,
  history: History<T>,
  keyOf: (item: T) => string,
  versionOf: (item: T) => string,
  matches: (item: T) => boolean,
): Result<Array<QueryRow<T>>, RsqlError> {
  const range = resolveRange(filter, history.commits);
  if (!range.ok) return range;
  const { from, to } = range.value;
  if (from === null) {
    const rows = history.snapshotAt(to).filter(matches).map((item) => ({ item }));
    return ok(rows.sort((a, b) => compare(keyOf(a.item), keyOf(b.item))));
  }
  const delta = diffSnapshots(history.snapshotAt(from), history.snapshotAt(to), keyOf, versionOf);
  return ok(delta.filter((d) => matches(d.item)));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
