/**
 * Collection of chunks no commit refers to: uploads of pushes that never committed, or bytes put there by anyone
 * holding the token. A chunk goes only when it is unreferenced AND was last uploaded or refreshed (its mtime, see
 * ChunkStore.refresh) longer than the grace period ago, so a push still uploading keeps what it uploaded so far.
 *
 * The walk runs unlocked and only proposes candidates. Each batch of them is then deleted under the store's exclusive
 * gate with both conditions checked again and the references read afresh: a commit that found a chunk present inside
 * `ChunkStore.keep` has recorded it by then, and a HEAD that refreshed one has moved its mtime.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isChunkHash } from '../../lib/chunks/address.ts';
import type { ChunkStore } from './store.ts';

export interface CollectOptions {
  /** A chunk uploaded or refreshed less than this long ago is kept, referenced or not. */
  graceMs: number;
  /** Every chunk a commit of any branch refers to. */
  referenced: () => ReadonlySet<string> | Promise<ReadonlySet<string>>;
  /** Candidates deleted per hold of the exclusive gate (uploads and commits wait meanwhile). */
  batch?: number;
}

export interface CollectResult {
  removed: string[];
  bytes: number;
}

export async function collectChunks(store: ChunkStore, { graceMs, referenced, batch = 500 }: CollectOptions): Promise<CollectResult> {
  const result: CollectResult = { removed: [], bytes: 0 };
  const old = (mtimeMs: number): boolean => mtimeMs <= Date.now() - graceMs;
  let known = await referenced();
  let candidates: string[] = [];

  const removeCandidates = async (): Promise<void> => {
    const batchOf = candidates;
    candidates = [];
    await store.exclusive(async () => {
      known = await referenced();
      for (const hash of batchOf) {
        if (known.has(hash)) continue;
        const file = store.path(hash);
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile() || !old(info.mtimeMs)) continue;
        // A failure (e.g. Windows refusing to delete a file being read) leaves the chunk for the next collection.
        if (!(await rm(file).then(() => true, () => false))) continue;
        result.removed.push(hash);
        result.bytes += info.size;
      }
    });
  };

  for (const shard of (await readdir(store.dir).catch(() => [])).sort()) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const name of await readdir(path.join(store.dir, shard)).catch(() => [])) {
      if (!isChunkHash(name) || !name.startsWith(shard) || known.has(name)) continue;
      const info = await stat(path.join(store.dir, shard, name)).catch(() => undefined);
      if (info?.isFile() && old(info.mtimeMs)) candidates.push(name);
      if (candidates.length >= batch) await removeCandidates();
    }
  }
  if (candidates.length > 0) await removeCandidates();
  return result;
}
