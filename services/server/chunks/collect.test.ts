// Collection of unreferenced chunks: what goes (old and unreferenced), what stays (referenced, recently uploaded or
// refreshed), and that a commit holding the store between checking its chunks and recording them is never undercut.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { collectChunks } from './collect.ts';
import { ChunkStore } from './store.ts';
import { waitFor } from './testing/chunk-server.ts';

const HOUR = 60 * 60 * 1000;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let root: string;
let store: ChunkStore;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'assethub-collect-'));
  store = await ChunkStore.open(path.join(root, 'store'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function stored(): Promise<{ hash: string; data: Buffer }> {
  const data = randomBytes(1000);
  const hash = sha256(data);
  expect((await store.write(hash, Readable.from([data]), { offset: 0, total: data.length })).status).toBe('stored');
  return { hash, data };
}

/** Last uploaded two hours ago: past the grace period. */
const age = (file: string) => utimes(file, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));

it('collects an old unreferenced chunk; keeps an old referenced one and a fresh unreferenced one', async () => {
  const [old, referenced, fresh] = [await stored(), await stored(), await stored()];
  await age(store.path(old.hash));
  await age(store.path(referenced.hash));
  const result = await collectChunks(store, { graceMs: HOUR, referenced: () => new Set([referenced.hash]) });
  expect(result).toEqual({ removed: [old.hash], bytes: 1000 });
  expect([await store.has(old.hash), await store.has(referenced.hash), await store.has(fresh.hash)]).toEqual([false, true, true]);
});

it('keeps an old chunk an upload has just asked for (HEAD) or uploaded again', async () => {
  const [asked, reuploaded] = [await stored(), await stored()];
  await age(store.path(asked.hash));
  await age(store.path(reuploaded.hash));
  expect(await store.refresh(asked.hash)).toBe(1000);
  expect((await store.write(reuploaded.hash, Readable.from([reuploaded.data]), { offset: 0, total: 1000 })).status).toBe('exists');
  expect((await collectChunks(store, { graceMs: HOUR, referenced: () => new Set() })).removed).toEqual([]);
});

it('keeps a chunk just completed from a partial uploaded long ago', async () => {
  const data = randomBytes(1000);
  const hash = sha256(data);
  await writeFile(store.partialPath(hash), data);
  await age(store.partialPath(hash));
  expect((await store.write(hash, Readable.from([]), { offset: 1000, total: 1000 })).status).toBe('stored');
  expect((await collectChunks(store, { graceMs: HOUR, referenced: () => new Set() })).removed).toEqual([]);
  expect(await store.has(hash)).toBe(true);
});

it('waits for a commit that found its chunks present, and then sees them referenced', async () => {
  const chunk = await stored();
  await age(store.path(chunk.hash));
  const references = new Set<string>();
  let collection: ReturnType<typeof collectChunks> | undefined;
  await store.keep(async () => {
    expect(await store.missing([chunk.hash])).toEqual([]);
    collection = collectChunks(store, { graceMs: HOUR, referenced: () => references });
    // Without the gate the collection would finish here instead, removing the chunk.
    await Promise.race([waitFor(() => store.collecting, 'the collection to wait for the store'), collection]);
    references.add(chunk.hash); // the commit records its chunks
  });
  expect((await collection)?.removed).toEqual([]);
  expect(await store.has(chunk.hash)).toBe(true);
});
