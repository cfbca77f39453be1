/**
 * Revision selectors: a commit ID, `latest` or `latest-N` (docs/PROTOCOL.md §6 documents `latest` and `latest-1`),
 * resolved against a branch's commits from oldest to newest. Index -1 is the empty snapshot before the first commit, so
 * `fromRevision==latest-1` on a one-commit branch is a delta from nothing.
 */
import { err, ok, type Result } from '../result.ts';
import type { RsqlError } from './filter.ts';

export function resolveRevision(ref: string, commits: readonly string[]): Result<number, RsqlError> {
  const relative = /^latest(?:-(\d+))?$/.exec(ref);
  if (relative) {
    const index = commits.length - 1 - Number(relative[1] ?? 0);
    if (index < -1) {
      return err({ code: 'INVALID_FILTER', message: `revision "${ref}" is before the first of ${commits.length} commits`, part: ref });
    }
    return ok(index);
  }
  const index = commits.indexOf(ref);
  return index >= 0 ? ok(index) : err({ code: 'INVALID_FILTER', message: `revision "${ref}" is not a commit of this branch`, part: ref });
}

export interface RevisionRange {
  /** Exclusive lower bound, -1 for "from nothing"; null when no delta was asked for. */
  from: number | null;
  /** Inclusive upper bound. */
  to: number;
}

/** The range a filter asks for: a delta when fromRevision is given, otherwise the snapshot at toRevision (default latest). */
export function resolveRange(
  filter: { fromRevision: string | null; toRevision: string | null },
  commits: readonly string[],
): Result<RevisionRange, RsqlError> {
  const to = resolveRevision(filter.toRevision ?? 'latest', commits);
  if (!to.ok) return to;
  if (filter.fromRevision === null) return ok({ from: null, to: to.value });
  const from = resolveRevision(filter.fromRevision, commits);
  if (!from.ok) return from;
  if (from.value > to.value) {
    return err({ code: 'INVALID_FILTER', message: `fromRevision "${filter.fromRevision}" comes after toRevision "${filter.toRevision ?? 'latest'}"`, part: filter.fromRevision });
  }
  return ok({ from: from.value, to: to.value });
}
