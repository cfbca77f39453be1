/**
 * Asset counts from the server's CountAssets (docs/PROTOCOL-EXTENSIONS.md): per repository (its first branch at the
 * head), to open the view where the assets are and to show the counts in the repository picker; and for the table's
 * own query, to say "200 of 1,234". A server without CountAssets leaves them unknown ('failed'), never invented.
 */
import { useEffect, useRef, useState } from 'react';
import type { RepoCount } from './startPlace.ts';
import { countAssets } from '../../commands/index.ts';

/** At most this many CountAssets in flight at once: a hub with many repositories is counted a few at a time. */
const IN_FLIGHT = 4;

export interface CountedRepo { name: string; branch: string | null; head: string | null }

/** Counts per repository, each counted again when its first branch's head changes. */
export function useRepositoryCounts(repos: readonly CountedRepo[]): ReadonlyMap<string, RepoCount> {
  const [counts, setCounts] = useState<ReadonlyMap<string, RepoCount>>(new Map());
  const asked = useRef(new Map<string, string>());
  const key = repos.map((r) => `${r.name}\u0000${r.branch ?? ''}\u0000${r.head ?? ''}`).join('\u0001');
  useEffect(() => {
    let live = true;
    const todo = repos.filter((r) => r.branch !== null && asked.current.get(r.name) !== `${r.branch}\u0000${r.head ?? ''}`);
    for (const r of todo) asked.current.set(r.name, `${r.branch ?? ''}\u0000${r.head ?? ''}`);
    const next = async (): Promise<void> => {
      const r = todo.shift();
      if (!r || !live || r.branch === null) return;
      let n: RepoCount;
      try {
        n = (await countAssets({ Repository: r.name, Branch: r.branch })).Count;
      } catch {
        n = 'failed';
      }
      if (live) setCounts((m) => new Map(m).set(r.name, n));
      else asked.current.delete(r.name);
      await next();
    };
    void Promise.all(Array.from({ length: Math.min(IN_FLIGHT, todo.length) }, next));
    return () => {
      live = false;
      // What was not asked yet is asked again by the next run.
      for (const r of todo) asked.current.delete(r.name);
    };
    // `key` stands for `repos`: only a change of a repository, its first branch or that branch's head counts again.
  }, [key]);
  return counts;
}

/** The count of one query (null while unknown: being counted, or the server cannot count). */
export function useQueryCount(query: { repository: string; branch: string; filters: string } | null, generation: unknown): number | null {
  const [count, setCount] = useState<{ key: string; n: number | null } | null>(null);
  const key = query ? `${query.repository}\u0000${query.branch}\u0000${query.filters}` : '';
  useEffect(() => {
    if (!query) return;
    let live = true;
    countAssets({ Repository: query.repository, Branch: query.branch, Filters: query.filters }).then(
      (r) => live && setCount({ key, n: r.Count }),
      () => live && setCount({ key, n: null }),
    );
    return () => {
      live = false;
    };
  }, [key, generation]);
  return count?.key === key ? count.n : null;
}
