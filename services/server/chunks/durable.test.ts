/**
 * Uploads leave their new directory entries to one batch (ChunkStore.durable), which a commit runs before it refers to
 * them: one fsync per chunk file, none per folder per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

const synced = vi.hoisted(() => [] as string[]);
vi.mock('../../lib/fsync.ts', () => ({ fsyncDirectory: async (dir: string) => void synced.push(dir) }));
const { ChunkStore } = await import('./store.ts');
const { checkChunks } = await import('../commit-checks.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'chunk-durable-'));
  synced.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** `count` chunks whose addresses fall in distinct shards. */
function chunksInDistinctShards(count: number): Array<{ hash: string; data: Buffer }> {
  const byShard = new Map<string, { hash: string; data: Buffer }>();
  while (byShard.size < count) {
    const data = randomBytes(64);
    const hash = createHash('sha256').update(data).digest('hex');
    byShard.set(hash.slice(0, 2), { hash, data });
  }
  return [...byShard.values()];
}

it('stores chunks without a folder fsync per upload, and a commit check makes each folder durable once', async () => {
  const store = await ChunkStore.open(path.join(dir, 'store'));
  const chunks = chunksInDistinctShards(5);
  for (const c of chunks) await store.write(c.hash, Readable.from([c.data]), { offset: 0, total: c.data.length });
  expect(synced).toEqual([]);

  const changes = chunks.map((c, i) => ({ Type: 'PutFile' as const, URI: `FileSystem:/f${i}`, Size: c.data.length, Hash: c.hash, Chunks: [c.hash] }));
  await checkChunks(store, changes);
  const shards = chunks.map((c) => path.join(store.dir, c.hash.slice(0, 2)));
  expect(synced.filter((d) => d !== store.dir).sort()).toEqual([...shards].sort());
  // New shards are named by the store's folder: it is made durable too, after them.
  expect(synced.at(-1)).toBe(store.dir);

  // Nothing new since: the next commit costs no fsync.
  synced.length = 0;
  await checkChunks(store, changes);
  expect(synced).toEqual([]);
});

it('keeps a folder whose fsync failed for the next batch', async () => {
  const store = await ChunkStore.open(path.join(dir, 'store'));
  const [c] = chunksInDistinctShards(1);
  if (!c) throw new Error('no chunk');
  await store.write(c.hash, Readable.from([c.data]), { offset: 0, total: c.data.length });
  const shard = path.join(store.dir, c.hash.slice(0, 2));
  const fsync = await import('../../lib/fsync.ts');
  const spy = vi.spyOn(fsync, 'fsyncDirectory').mockRejectedValueOnce(Object.assign(new Error('EIO'), { code: 'EIO' }));
  await expect(store.durable()).rejects.toThrow('EIO');
  spy.mockRestore();
  synced.length = 0;
  await store.durable();
  expect(synced).toContain(shard);
});
