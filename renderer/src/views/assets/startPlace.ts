/**
 * Where the Assets view opens: the repository and branch the operator last chose (kept in the page's localStorage, so
 * it survives a restart), while it still exists; else the repository whose first branch holds the most assets at its
 * head (CountAssets, ties by name); else, when the server cannot count (a server without this project's CountAssets),
 * the first repository by name.
 */
export interface Place { repository: string; branch: string }

/** Per repository: the count of its first branch's head, 'failed' when the server did not count it. */
export type RepoCount = number | 'failed';

export interface RepoBranches { name: string; branches: ReadonlyArray<{ name: string }> }

const KEY = 'assethub.assets.place';

/** The remembered place, if storage holds one (read as untrusted: two short strings). */
export function parsePlace(text: string | null): Place | null {
  try {
    const v: unknown = JSON.parse(text ?? 'null');
    if (typeof v !== 'object' || v === null) return null;
    const { repository, branch } = v as Record<string, unknown>;
    const fine = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && s.length <= 1024;
    return fine(repository) && fine(branch) ? { repository, branch } : null;
  } catch {
    return null;
  }
}

export function rememberedPlace(): Place | null {
  try {
    return parsePlace(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function rememberPlace(place: Place): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(place));
  } catch {
    // Storage may be unavailable: the view then opens where the most assets are.
  }
}

/**
 * The place to open, or null while the counts it needs are still coming. A remembered repository that still exists
 * wins (its branch if that exists too, else its first); otherwise the most assets, once every repository is counted.
 */
export function startPlace(repos: readonly RepoBranches[], remembered: Place | null, counts: ReadonlyMap<string, RepoCount>): Place | null {
  const firstBranch = (r: RepoBranches): string => r.branches[0]?.name ?? '';
  const known = remembered ? repos.find((r) => r.name === remembered.repository) : undefined;
  if (known && remembered) {
    return { repository: known.name, branch: known.branches.some((b) => b.name === remembered.branch) ? remembered.branch : firstBranch(known) };
  }
  const counted = repos.filter((r) => r.branches.length > 0);
  if (counted.some((r) => !counts.has(r.name))) return null;
  let best: RepoBranches | undefined;
  let most = -1;
  for (const r of counted) {
    const n = counts.get(r.name);
    if (typeof n === 'number' && n > most) {
      best = r;
      most = n;
    }
  }
  const chosen = best ?? repos[0];
  return chosen ? { repository: chosen.name, branch: firstBranch(chosen) } : null;
}
