/**
 * The known value nearest to one a filter names, for CheckFilter's "did you mean": the Damerau–Levenshtein distance
 * (optimal string alignment: insert, delete, substitute, swap two neighbours) with case ignored, suggested only within
 * `maxDistance` of the value's length, and computed with that bound so a long list of long values stays cheap.
 */

/** Values longer than this get no suggestion (their distance to a thousand others is not worth computing). */
export const NEAREST_MAX_LENGTH = 500;

/** How many edits still make a suggestion: none for 1–2 characters (case only), then 1, 2, 3. */
export function maxDistance(length: number): number {
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  if (length <= 10) return 2;
  return 3;
}

const fold = (s: string): string[] => Array.from(s.toLowerCase());

/** The distance between a and b ignoring case, or `max + 1` when it is larger than `max`. */
export function editDistance(a: string, b: string, max: number): number {
  const x = fold(a);
  const y = fold(b);
  if (Math.abs(x.length - y.length) > max) return max + 1;
  // Three rows of the OSA table: two back (for a swap), the previous and the current one.
  let before = new Array<number>(y.length + 1).fill(0);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  let current = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  const d = previous[y.length] as number;
  return d > max ? max + 1 : d;
}

/**
 * The candidate nearest to `value` within maxDistance(value.length), or null. Of equally near ones the first in
 * `candidates` wins (callers list them in a meaningful order). A candidate equal to `value` is not a suggestion.
 */
export function nearestValue(value: string, candidates: Iterable<string>): string | null {
  if (value.length > NEAREST_MAX_LENGTH) return null;
  let best: { candidate: string; d: number } | null = null;
  let max = maxDistance(Array.from(value).length);
  for (const candidate of candidates) {
    if (candidate === value) continue;
    const d = editDistance(value, candidate, max);
    if (d > max) continue;
    if (!best || d < best.d) {
      best = { candidate, d };
      if (d === 0) break;
      max = d - 1; // only a nearer one can replace it
    }
  }
  return best?.candidate ?? null;
}

/** Up to `n` candidates that share the longest beginning with `value` (case ignored), in their given order otherwise. */
export function likeValues(value: string, candidates: readonly string[], n = 5): string[] {
  const v = fold(value);
  const shared = (c: string): number => {
    const f = fold(c);
    let k = 0;
    while (k < f.length && k < v.length && f[k] === v[k]) k++;
    return k;
  };
  return candidates
    .map((c, i) => ({ c, i, k: shared(c) }))
    .sort((a, b) => b.k - a.k || a.i - b.i)
    .slice(0, n)
    .map((e) => e.c);
}
