// A pull's hashing off the event loop: the whole-file digest on its thread (digest-thread.ts, replaced here by one the
// test controls) and chunks gathered in the process's shared chunk buffers, and what happens when either is unavailable.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { chunkBuffers } from '../../lib/chunks/chunk-buffers.ts';
import { until } from '../../testing/wait.ts';
import { DIGEST_THREAD_SOURCE, DigestThreads } from './digest-thread.ts';
import { materializeFile, type MaterializeOptions } from './index.ts';
import { makeSandbox, startStoreServer, type StoreServer, type StoredFile } from './testing/store-server.ts';

const current = vi.hoisted(() => ({ threads: undefined as DigestThreads | undefined }));
vi.mock('./digest-thread.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./digest-thread.ts')>();
  return { ...actual, digestThreads: () => current.threads ?? actual.digestThreads() };
});

/** The test's digest thread: `prefix` runs before the real program (its 'message' listener first). */
function useThreads(prefix = ''): { started: () => number } {
  let started = 0;
  current.threads = new DigestThreads(() => {
    started++;
    return new Worker(`${prefix}\n${DIGEST_THREAD_SOURCE}`, { eval: true });
  });
  return { started: () => started };
}

let server: StoreServer;
beforeAll(async () => {
  server = await startStoreServer();
});
afterAll(async () => {
  await server?.close();
});

let sandbox: Awaited<ReturnType<typeof makeSandbox>>;
beforeEach(async () => {
  sandbox = await makeSandbox();
  server.requests.length = 0;
});
afterEach(async () => {
  await current.threads?.close();
  current.threads = undefined;
  await sandbox.cleanup();
});

const options = (uri: string, file: StoredFile, extra: Partial<MaterializeOptions> = {}): MaterializeOptions => ({
  root: sandbox.ws, uri, size: file.size, hash: file.hash, chunks: file.chunks, storageUrl: server.url, token: server.token, ...extra,
});
const gets = () => server.requests.filter((r) => r.method === 'GET');
const SIZES = [300_000, 400_000, 300_000, 300_000];
const fourChunkFile = () => server.putFile(randomBytes(1_300_000), SIZES);
const contentOf = (uri: string) => readFile(path.join(sandbox.ws, uri));

describe('materializeFile off the event loop', () => {
  it('hashes the whole file on the digest thread and leaves nothing out on it', async () => {
    const { started } = useThreads();
    const file = await fourChunkFile();
    await materializeFile(options('FileSystem:/a.bin', file));
    expect((await contentOf('a.bin')).equals(file.data)).toBe(true);
    expect(started()).toBe(1);
    expect(current.threads?.outstanding).toBe(0);
  });

  it('yields the right file when the digest thread dies mid-pull: the hash goes on here, rebuilt from the partial', async () => {
    // Dies when asked for the third chunk, so the first two were taken in on the thread and are lost with it.
    useThreads(`{ let seen = 0; require('node:worker_threads').parentPort.on('message', (m) => { if (m.op === 'feed' && ++seen === 3) process.exit(3); }); }`);
    const file = await fourChunkFile();
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(result).toMatchObject({ resumedFrom: 0, downloaded: file.size });
    expect((await contentOf('a.bin')).equals(file.data)).toBe(true);
  });

  it('aborted while the digest thread reads the partial: the call returns only once the thread is done with it', async () => {
    // 300 ms asleep before each request; a call that closed the partial meanwhile would leave the read to a closed fd.
    useThreads(`require('node:worker_threads').parentPort.on('message', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300));`);
    const file = await fourChunkFile();
    const stall = server.stallAfter(file.chunks[3] as string, 50_000);
    const controller = new AbortController();
    const run = materializeFile(options('FileSystem:/a.bin', file, { signal: controller.signal }));
    const settled = run.then(() => undefined, () => undefined);
    await until('the digest thread is reading', () => (current.threads?.outstanding ?? 0) > 0);
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(current.threads?.outstanding).toBe(0);
    stall.release();
    await settled;
  });

  it('continues a dropped chunk with a Range when no chunk buffer is free: streamed, its kept prefix hashed from the partial', async () => {
    // A push and other pulls in this process may hold every buffer: a download does not wait for one.
    const buffers = chunkBuffers();
    const held: Buffer[] = [];
    for (let b = buffers.tryTake(); b; b = buffers.tryTake()) held.push(b);
    try {
      const file = await fourChunkFile();
      server.dropAfter(file.chunks[1] as string, 150_000);
      const result = await materializeFile(options('FileSystem:/a.bin', file));
      expect(result.downloaded).toBe(file.size);
      const chunk1 = gets().filter((r) => r.hash === file.chunks[1]);
      expect(chunk1.map((r) => r.range?.startsWith('bytes='))).toEqual([undefined, true]); // continued once, not started over
      expect((await contentOf('a.bin')).equals(file.data)).toBe(true);
    } finally {
      for (const b of held) buffers.give(b);
    }
  });

  it('continues a dropped chunk with a Range in a chunk buffer: its kept prefix read back, the whole chunk hashed once', async () => {
    const file = await fourChunkFile();
    server.dropAfter(file.chunks[2] as string, 100_000);
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(result.downloaded).toBe(file.size);
    const chunk2 = gets().filter((r) => r.hash === file.chunks[2]);
    expect(chunk2.map((r) => r.range?.startsWith('bytes='))).toEqual([undefined, true]);
    expect((await contentOf('a.bin')).equals(file.data)).toBe(true);
  });
});
