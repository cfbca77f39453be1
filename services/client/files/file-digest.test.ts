import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIGEST_THREAD_SOURCE, DigestThreads } from './digest-thread.ts';
import { FileDigest, type ChunkPlaces } from './file-digest.ts';
import { sha256 } from './testing/store-server.ts';

const SIZES = [300_000, 400_000, 300_000];
const data = randomBytes(SIZES.reduce((a, b) => a + b, 0));
const offsets = SIZES.map((_, i) => SIZES.slice(0, i).reduce((a, b) => a + b, 0));
const chunkAt = (i: number) => data.subarray(offsets[i], (offsets[i] as number) + (SIZES[i] as number));

let dir: string;
let handle: FileHandle;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assethub-digest-'));
  file = path.join(dir, 'partial');
  await writeFile(file, data);
  handle = await open(file, 'r');
});
afterEach(async () => {
  await handle.close();
  await rm(dir, { recursive: true, force: true });
});

/** The chunks of `data`, complete as the test says. */
function places(): ChunkPlaces & { done: Set<number> } {
  const done = new Set<number>();
  return {
    count: SIZES.length, done,
    place: (i) => (i < SIZES.length ? { offset: offsets[i] as number, size: SIZES[i] as number } : undefined),
    complete: (i) => done.has(i),
  };
}

/** A digest thread that runs `prefix` before the real program (its own 'message' listener runs first). */
function threads(prefix: string): { threads: DigestThreads; started: () => number } {
  let started = 0;
  const made = new DigestThreads(() => {
    started++;
    return new Worker(`${prefix}\n${DIGEST_THREAD_SOURCE}`, { eval: true });
  });
  return { threads: made, started: () => started };
}

/** Exits the thread when its `n`th request of kind `op` arrives, before the real program sees it. */
const dieOn = (op: string, n: number) =>
  `{ let seen = 0; require('node:worker_threads').parentPort.on('message', (m) => { if (m.op === ${JSON.stringify(op)} && ++seen === ${n}) process.exit(3); }); }`;

describe('FileDigest', () => {
  it('takes the chunks in file order on the digest thread, whatever order they complete in', async () => {
    const { threads: pool, started } = threads('');
    const digest = new FileDigest(handle, data.length, pool);
    const where = places();
    for (const i of [2, 0, 1]) {
      where.done.add(i);
      digest.advance(where);
    }
    expect(await digest.finish(where)).toBe(sha256(data));
    await digest.close();
    expect(started()).toBe(1);
    expect(pool.outstanding).toBe(0);
    await pool.close();
  });

  it('gives the right hash when its thread dies mid-file: the running hash is rebuilt here from the partial', async () => {
    // Chunk 0 goes in on the thread by check (a kept chunk), chunk 1 by feed; the thread dies on chunk 2's feed.
    const { threads: pool } = threads(dieOn('feed', 2));
    const digest = new FileDigest(handle, data.length, pool);
    expect(await digest.check(0, 0, SIZES[0] as number, sha256(chunkAt(0)))).toBe(true);
    const where = places();
    where.done.add(0);
    where.done.add(1);
    digest.advance(where);
    where.done.add(2);
    expect(await digest.finish(where)).toBe(sha256(data));
    await digest.close();
    await pool.close();
  });

  it('checks kept chunks and gives the right hash when its thread dies on a check', async () => {
    const { threads: pool } = threads(dieOn('check', 2));
    const digest = new FileDigest(handle, data.length, pool);
    expect(await digest.check(0, 0, SIZES[0] as number, sha256(chunkAt(0)))).toBe(true);
    expect(await digest.check(1, offsets[1] as number, SIZES[1] as number, sha256(Buffer.from('not it')))).toBe(false);
    expect(await digest.check(1, offsets[1] as number, SIZES[1] as number, sha256(chunkAt(1)))).toBe(true);
    const where = places();
    for (const i of [0, 1, 2]) where.done.add(i);
    expect(await digest.finish(where)).toBe(sha256(data));
    await digest.close();
    await pool.close();
  });

  it('hashes here when no thread can start', async () => {
    const pool = new DigestThreads(() => {
      throw new Error('no threads here');
    });
    const digest = new FileDigest(handle, data.length, pool);
    const where = places();
    for (const i of [1, 0, 2]) where.done.add(i);
    expect(await digest.finish(where)).toBe(sha256(data));
    await digest.close();
  });

  it('closes only once no read of the partial is out on the thread', async () => {
    // 300 ms asleep before each request: the partial would be read after a close that did not wait.
    const { threads: pool } = threads(`require('node:worker_threads').parentPort.on('message', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300));`);
    const digest = new FileDigest(handle, data.length, pool);
    const where = places();
    for (const i of [0, 1, 2]) where.done.add(i);
    digest.advance(where);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.outstanding).toBe(1);
    await digest.close();
    expect(pool.outstanding).toBe(0);
    await pool.close();
  });

  it('never keeps a process alive once its digests are answered', async () => {
    const script = path.join(dir, 'exits.mjs');
    const module = pathToFileURL(path.join(import.meta.dirname, 'file-digest.ts')).href;
    await writeFile(script, `import { open } from 'node:fs/promises';
import { FileDigest } from ${JSON.stringify(module)};
const handle = await open(${JSON.stringify(file)}, 'r');
const size = ${data.length};
const digest = new FileDigest(handle, size);
const places = { count: 1, place: (i) => (i === 0 ? { offset: 0, size } : undefined), complete: (i) => i === 0 };
console.log(await digest.finish(places));
await digest.close();
await handle.close();`);
    // A process that never ends is killed at 60 s: status null.
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(sha256(data));
  }, 90_000);
});
