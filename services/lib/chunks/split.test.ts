import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPool, chunkHashPool } from './hash-pool.ts';
import { splitFile } from './split.ts';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const MiB = 1024 * 1024;

let dir: string;
let file: string;
let data: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'split-'));
  file = path.join(dir, 'data.bin');
  data = randomBytes(5 * MiB + 12_345);
  await writeFile(file, data);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('splitFile', () => {
  it('hashes chunks large enough for the threads there, and hands each over once with its bytes', async () => {
    const seen: Array<{ offset: number; hash: string }> = [];
    const split = await splitFile(file, {
      chunkSize: MiB,
      onChunk: async (c) => {
        expect(sha256(c.bytes)).toBe(c.hash);
        expect(c.bytes.equals(data.subarray(c.offset, c.offset + c.length))).toBe(true);
        seen.push({ offset: c.offset, hash: c.hash });
      },
    });
    expect(chunkHashPool().running).toBeGreaterThan(0);
    expect(split.hash).toBe(sha256(data));
    expect(split.size).toBe(data.length);
    expect(split.chunks.map((c) => c.hash)).toEqual(split.chunks.map((c) => sha256(data.subarray(c.offset, c.offset + c.length))));
    expect(seen.map((s) => s.offset).sort((x, y) => x - y)).toEqual(split.chunks.map((c) => c.offset));
  });

  it('never has more than `inFlight` chunks out, and stops at the first refusal with nothing left running', async () => {
    let out = 0;
    let most = 0;
    let handed = 0;
    // Each chunk is held until a second one is out beside it: the window is what lets that happen.
    let release: Array<() => void> = [];
    const error = await splitFile(file, {
      chunkSize: 256 * 1024,
      inFlight: 2,
      onChunk: async (c) => {
        handed++;
        most = Math.max(most, ++out);
        const held = new Promise<void>((resolve) => release.push(resolve));
        if (out === 2) {
          for (const r of release) r();
          release = [];
        }
        await held;
        out--;
        if (c.offset === 4 * 256 * 1024) throw new Error('refused');
      },
    }).then(() => null, (e: unknown) => e);
    expect((error as Error).message).toBe('refused');
    expect(most).toBe(2);
    expect(out).toBe(0);
    expect(handed).toBe(6); // the refused fifth chunk and the sixth, out beside it; none after
  });
});

describe('HashPool', () => {
  it('answers every hash out on a thread that dies, from the bytes the caller holds', async () => {
    // A thread that never answers and exits once asked: the pool must hash here instead of waiting for ever.
    const pool = new HashPool(1, () => new Worker('require("node:worker_threads").parentPort.once("message", () => process.exit(3));', { eval: true }));
    const bytes = Buffer.from(new SharedArrayBuffer(MiB));
    bytes.fill(7);
    expect(await pool.hash(bytes)).toBe(sha256(bytes));
    // Within the retry period no new thread is started: hashed here.
    expect(pool.running).toBe(0);
    expect(await pool.hash(bytes)).toBe(sha256(bytes));
    await pool.close();
  });

  it('never keeps a process alive once its hashes are answered', async () => {
    const script = path.join(dir, 'exits.mjs');
    const pool = pathToFileURL(path.join(import.meta.dirname, 'hash-pool.ts')).href;
    await writeFile(script, `import { chunkHashPool } from ${JSON.stringify(pool)};
const bytes = Buffer.from(new SharedArrayBuffer(1 << 20)).fill(3);
console.log(await chunkHashPool().hash(bytes), chunkHashPool().running);`);
    // A process that never ends is killed at 60 s: status null.
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`${sha256(Buffer.alloc(1 << 20, 3))} 1`);
  }, 90_000);

  it('hashes small chunks and bytes outside shared memory here', async () => {
    let started = 0;
    const pool = new HashPool(1, () => {
      started++;
      throw new Error('no threads here');
    });
    const small = Buffer.from(new SharedArrayBuffer(1024)).fill(1);
    const unshared = Buffer.alloc(MiB, 2);
    expect(await pool.hash(small)).toBe(sha256(small));
    expect(await pool.hash(unshared)).toBe(sha256(unshared));
    expect(started).toBe(0);
    await pool.close();
  });
});
