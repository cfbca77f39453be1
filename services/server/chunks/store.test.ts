import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CHUNK_BYTES } from '../../lib/chunks/address.ts';
import { ChunkStore, ChunkStoreError, type ChunkStoreErrorCode } from './store.ts';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** A source that yields `data` in pieces of the given sizes (the last one takes the rest). */
function piecesOf(data: Buffer, sizes: number[] = []): Readable {
  const out: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= data.length) break;
    out.push(data.subarray(at, at + size));
    at += size;
  }
  if (at < data.length) out.push(data.subarray(at));
  return Readable.from(out, { objectMode: false });
}

/** A source that yields `data` and then fails, as a request does when its client goes away. */
function failingAfter(data: Buffer): Readable {
  return new Readable({
    read() {
      this.push(data);
      this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    },
  });
}

async function refusal(promise: Promise<unknown>): Promise<ChunkStoreError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ChunkStoreError);
  return error as ChunkStoreError;
}

async function expectCode(promise: Promise<unknown>, code: ChunkStoreErrorCode): Promise<ChunkStoreError> {
  const error = await refusal(promise);
  expect(error.code).toBe(code);
  return error;
}

let root: string;
let store: ChunkStore;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'assethub-store-'));
  store = await ChunkStore.open(path.join(root, 'store'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ChunkStore', () => {
  it('stores a chunk at <dir>/<first 2 hex>/<hash>, verified, with no partial left', async () => {
    const data = randomBytes(300_000);
    const hash = sha256(data);
    expect(await store.has(hash)).toBe(false);
    expect(await store.write(hash, piecesOf(data, [1, 65_536, 7]), { offset: 0, total: data.length })).toEqual({ status: 'stored', size: data.length });
    expect(store.path(hash)).toBe(path.join(root, 'store', hash.slice(0, 2), hash));
    expect((await readFile(store.path(hash))).equals(data)).toBe(true);
    expect([await store.has(hash), await store.size(hash), await store.partialSize(hash), await store.verify(hash)]).toEqual([true, data.length, 0, true]);
    expect(await readdir(path.join(root, 'store', 'partial'))).toEqual([]);
  });

  it('answers exists for a chunk it already has, without reading the source', async () => {
    const data = randomBytes(1000);
    const hash = sha256(data);
    await store.write(hash, piecesOf(data), { offset: 0, total: data.length });
    const source = piecesOf(data);
    expect(await store.write(hash, source, { offset: 0, total: data.length })).toEqual({ status: 'exists', size: data.length });
    expect(source.readableDidRead).toBe(false);
  });

  it('stores the empty chunk', async () => {
    const hash = sha256(Buffer.alloc(0));
    expect(await store.write(hash, Readable.from([]), { offset: 0, total: 0 })).toEqual({ status: 'stored', size: 0 });
    expect(await store.verify(hash)).toBe(true);
  });

  it('lists the missing addresses once each, in order', async () => {
    const a = randomBytes(10);
    const hashA = sha256(a);
    await store.write(hashA, piecesOf(a), { offset: 0, total: a.length });
    const [b, c] = [sha256(randomBytes(10)), sha256(randomBytes(10))];
    expect(await store.missing([b, hashA, c, b])).toEqual([b, c]);
    expect(await store.missing([])).toEqual([]);
  });

  it('rejects anything but 64 lowercase hex digits as an address, everywhere', async () => {
    const good = sha256(Buffer.from('x'));
    const bad = ['', good.toUpperCase(), good.slice(1), `${good}0`, '../../../etc/passwd', `../${good.slice(3)}`, `${good.slice(0, 62)}/.`, 'zz'.repeat(32)];
    for (const hash of bad) {
      expect(() => store.path(hash)).toThrow(TypeError);
      expect(() => store.partialPath(hash)).toThrow(TypeError);
      await expect(store.has(hash)).rejects.toThrow(TypeError);
      await expect(store.size(hash)).rejects.toThrow(TypeError);
      await expect(store.partialSize(hash)).rejects.toThrow(TypeError);
      await expect(store.verify(hash)).rejects.toThrow(TypeError);
      await expect(store.missing([good, hash])).rejects.toThrow(TypeError);
      await expect(store.write(hash, piecesOf(Buffer.from('x')), { offset: 0, total: 1 })).rejects.toThrow(TypeError);
    }
    expect(await readdir(root)).toEqual(['store']);
    expect(await readdir(path.join(root, 'store'))).toEqual(['partial']);
  });

  it('size rejects for a chunk that is not stored', async () => {
    await expect(store.size(sha256(Buffer.from('nope')))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('deletes the partial and stores nothing when the bytes do not hash to the address', async () => {
    const data = randomBytes(5000);
    const wrong = sha256(randomBytes(5000));
    await expectCode(store.write(wrong, piecesOf(data, [100]), { offset: 0, total: data.length }), 'HASH_MISMATCH');
    expect([await store.has(wrong), await store.partialSize(wrong)]).toEqual([false, 0]);
    expect(await readdir(path.join(root, 'store'))).toEqual(['partial']);
  });

  it('refuses more than MAX_CHUNK_BYTES, bad ranges and sources longer than announced', async () => {
    const hash = sha256(Buffer.from('a'));
    await expectCode(store.write(hash, piecesOf(Buffer.from('a')), { offset: 0, total: MAX_CHUNK_BYTES + 1 }), 'TOO_LARGE');
    await expectCode(store.write(hash, piecesOf(Buffer.from('a')), { offset: 2, total: 1 }), 'BAD_RANGE');
    await expectCode(store.write(hash, piecesOf(Buffer.from('a')), { offset: -1, total: 1 }), 'BAD_RANGE');
    await expectCode(store.write(hash, piecesOf(Buffer.from('a')), { offset: 0.5, total: 1 }), 'BAD_RANGE');
    await expectCode(store.write(hash, piecesOf(Buffer.from('aa')), { offset: 0, total: 1 }), 'TOO_LONG');
    expect(await store.has(hash)).toBe(false);
  });

  it('keeps what arrived when the source fails, and resumes from there to a verified chunk', async () => {
    const data = randomBytes(200_000);
    const hash = sha256(data);
    const result = await store.write(hash, failingAfter(data.subarray(0, 70_000)), { offset: 0, total: data.length });
    expect(result).toMatchObject({ status: 'interrupted', received: 70_000 });
    expect([await store.partialSize(hash), await store.has(hash)]).toEqual([70_000, false]);

    const refused = await expectCode(store.write(hash, piecesOf(data.subarray(60_000)), { offset: 60_000, total: data.length }), 'OFFSET_MISMATCH');
    expect(refused.partialSize).toBe(70_000);

    expect(await store.write(hash, piecesOf(data.subarray(70_000)), { offset: 70_000, total: data.length })).toEqual({ status: 'stored', size: data.length });
    expect(await store.verify(hash)).toBe(true);
    expect(await store.partialSize(hash)).toBe(0);
  });

  it('re-hashes the partial prefix from disk on resume rather than trusting it', async () => {
    const data = randomBytes(10_000);
    const hash = sha256(data);
    expect(await store.write(hash, piecesOf(data.subarray(0, 4000)), { offset: 0, total: data.length })).toEqual({ status: 'partial', received: 4000 });
    // Damage the partial (as a crash might): the completed upload must be refused, not installed.
    const damaged = Buffer.from(data.subarray(0, 4000));
    damaged[123] = (damaged[123] ?? 0) ^ 0xff;
    await writeFile(store.partialPath(hash), damaged);
    await expectCode(store.write(hash, piecesOf(data.subarray(4000)), { offset: 4000, total: data.length }), 'HASH_MISMATCH');
    expect([await store.has(hash), await store.partialSize(hash)]).toEqual([false, 0]);
  });

  it('installs a partial that already holds every byte (a crash before the rename) when asked to complete it', async () => {
    const data = randomBytes(3000);
    const hash = sha256(data);
    await writeFile(store.partialPath(hash), data);
    expect(await store.has(hash)).toBe(false);
    expect(await store.write(hash, Readable.from([]), { offset: data.length, total: data.length })).toEqual({ status: 'stored', size: data.length });
    expect(await store.verify(hash)).toBe(true);
  });

  it('starts over at offset 0 whatever the partial holds', async () => {
    const data = randomBytes(5000);
    const hash = sha256(data);
    await writeFile(store.partialPath(hash), randomBytes(4000));
    expect(await store.write(hash, piecesOf(data), { offset: 0, total: data.length })).toEqual({ status: 'stored', size: data.length });
    expect(await store.verify(hash)).toBe(true);
  });

  it('refuses a second writer of the same chunk while the first is in progress', async () => {
    const data = randomBytes(50_000);
    const hash = sha256(data);
    const slow = new PassThrough();
    const first = store.write(hash, slow, { offset: 0, total: data.length });
    slow.write(data.subarray(0, 1000));
    await expect.poll(() => store.partialSize(hash)).toBe(1000);
    const busy = await expectCode(store.write(hash, piecesOf(data), { offset: 0, total: data.length }), 'BUSY');
    expect(busy.partialSize).toBe(1000);
    slow.end(data.subarray(1000));
    await store.settled(hash);
    expect(await first).toEqual({ status: 'stored', size: data.length });
    expect(await store.write(hash, piecesOf(data), { offset: 0, total: data.length })).toMatchObject({ status: 'exists' });
  });

  it('finds a stored chunk whose bytes were damaged on disk', async () => {
    const data = randomBytes(1000);
    const hash = sha256(data);
    await store.write(hash, piecesOf(data), { offset: 0, total: data.length });
    await writeFile(store.path(hash), Buffer.concat([data.subarray(0, 999), Buffer.from([data[999]! ^ 1])]));
    expect(await store.verify(hash)).toBe(false);
    expect(await store.verify(sha256(Buffer.from('absent')))).toBe(false);
  });

  it('prunes abandoned partials but not recent ones or one being written', async () => {
    const [old, recent, active] = [randomBytes(100), randomBytes(100), randomBytes(100)];
    await writeFile(store.partialPath(sha256(old)), old.subarray(0, 50));
    await utimes(store.partialPath(sha256(old)), new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    await writeFile(store.partialPath(sha256(recent)), recent.subarray(0, 50));
    const slow = new PassThrough();
    const writing = store.write(sha256(active), slow, { offset: 0, total: active.length });
    slow.write(active.subarray(0, 10));
    await expect.poll(() => store.partialSize(sha256(active))).toBe(10);
    expect(await store.prunePartials(3_600_000, Date.now() + 3_000_000)).toBe(1);
    expect(await readdir(path.join(root, 'store', 'partial'))).toEqual(expect.arrayContaining([sha256(recent), sha256(active)]));
    expect(await store.prunePartials(60_000, Date.now() + 3_000_000)).toBe(1);
    slow.end(active.subarray(10));
    expect(await writing).toMatchObject({ status: 'stored' });
  });

  it('assembles any split of a chunk into resumed segments to the same verified chunk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 20_000 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 4096 }), { maxLength: 8 }),
        async (bytes, cuts, pieceSizes) => {
          const data = Buffer.from(bytes);
          const hash = sha256(data);
          const bounds = [...new Set(cuts.map((c) => c % data.length))].sort((x, y) => x - y).filter((c) => c > 0);
          let offset = 0;
          for (const end of [...bounds, data.length]) {
            const result = await store.write(hash, piecesOf(data.subarray(offset, end), pieceSizes), { offset, total: data.length });
            expect(result).toEqual(end < data.length ? { status: 'partial', received: end } : { status: 'stored', size: data.length });
            offset = end;
          }
          expect((await readFile(store.path(hash))).equals(data)).toBe(true);
          await rm(store.path(hash));
        },
      ),
      { numRuns: 40 },
    );
  });
});
