import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { lstat, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChunkHttpError } from '../../lib/chunks/index.ts';
import { IntegrityError, PathConflictError, materializeFile, type MaterializeOptions } from './index.ts';
import { chunkListId } from './resume.ts';
import { until } from '../../testing/wait.ts';
import { makeSandbox, sha256, startStoreServer, type StoreServer, type StoredFile } from './testing/store-server.ts';

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
  await sandbox.cleanup();
});

const options = (uri: string, file: StoredFile, extra: Partial<MaterializeOptions> = {}): MaterializeOptions => ({
  root: sandbox.ws, uri, size: file.size, hash: file.hash, chunks: file.chunks, storageUrl: server.url, token: server.token, ...extra,
});
const partialDir = () => path.join(sandbox.ws, '.assethub', 'partial');
const partialOf = (file: StoredFile) => path.join(partialDir(), file.hash);
const gets = () => server.requests.filter((r) => r.method === 'GET');
const served = () => gets().reduce((sum, r) => sum + r.served, 0);

/** Three chunks of different sizes. */
async function threeChunkFile(): Promise<StoredFile> {
  return server.putFile(randomBytes(700_000), [200_000, 300_000, 200_000]);
}

/** Starts materializing and aborts once `after` bytes were written; resolves with the bytes the partial kept. */
async function interrupted(uri: string, file: StoredFile, after: number): Promise<number> {
  const controller = new AbortController();
  let seen = 0;
  const run = materializeFile(options(uri, file, {
    signal: controller.signal,
    onBytes: (n) => {
      seen += n;
      if (seen >= after) controller.abort();
    },
  }));
  await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  return (await stat(partialOf(file))).size;
}

describe('materializeFile', () => {
  it('assembles a multi-chunk file with identical bytes, creating its folders, and reports every byte', async () => {
    const file = await threeChunkFile();
    let reported = 0;
    const result = await materializeFile(options('FileSystem:/Textures/Sky/day.png', file, { onBytes: (n) => (reported += n) }));
    const target = path.join(sandbox.ws, 'Textures', 'Sky', 'day.png');
    expect(result).toEqual({ path: target, resumedFrom: 0, downloaded: file.size, stat: expect.objectContaining({ size: BigInt(file.size) }) });
    expect((await readFile(target)).equals(file.data)).toBe(true);
    expect(reported).toBe(file.size);
    // Every chunk once, whole; in whatever order the requests (all in flight at once) reached the store.
    expect(gets().map((r) => [r.hash, r.range]).sort()).toEqual(file.chunks.map((hash) => [hash, undefined]).sort());
    expect(await readdir(partialDir())).toEqual([]); // neither the partial nor its sidecar is left
  });

  it('dates the file from when its download began, so a write after the pull always changes its stat', async () => {
    const file = await threeChunkFile();
    let firstByteAt = 0;
    const result = await materializeFile(options('FileSystem:/late.bin', file, {
      onBytes: () => {
        if (firstByteAt !== 0) return;
        firstByteAt = Date.now();
        while (Date.now() < firstByteAt + 30); // the bytes keep arriving after this moment
      },
    }));
    const placed = await lstat(result.path, { bigint: true });
    expect(Number(placed.mtimeNs / 1_000_000n)).toBeLessThanOrEqual(firstByteAt);
    expect(result.stat).toMatchObject({ ino: placed.ino, size: placed.size, mtimeNs: placed.mtimeNs });
  });

  it('creates an empty file (no chunks) and replaces an existing file with it', async () => {
    const empty = await server.putFile(Buffer.alloc(0), []);
    await materializeFile(options('FileSystem:/empty.txt', empty));
    expect((await readFile(path.join(sandbox.ws, 'empty.txt'))).length).toBe(0);
    await writeFile(path.join(sandbox.ws, 'was-full.txt'), 'old');
    await materializeFile(options('FileSystem:/was-full.txt', empty));
    expect((await readFile(path.join(sandbox.ws, 'was-full.txt'))).length).toBe(0);
    expect(server.requests).toEqual([]);
  });

  it('replaces an existing file atomically: after an abort midway the old content is intact; the next call downloads only the chunks it lacks', async () => {
    const target = path.join(sandbox.ws, 'scene.bin');
    await writeFile(target, 'old content');
    const file = await threeChunkFile();

    await interrupted('FileSystem:/scene.bin', file, 250_000);
    expect(await readFile(target, 'utf8')).toBe('old content');

    server.requests.length = 0;
    const result = await materializeFile(options('FileSystem:/scene.bin', file));
    // What was kept is whole chunks; everything else is fetched once, and nothing kept is fetched again.
    expect(result.resumedFrom + result.downloaded).toBe(file.size);
    expect(served()).toBe(result.downloaded);
    expect(new Set(gets().map((r) => r.hash)).size).toBe(gets().length);
    for (const r of gets()) expect(r.range).toBeUndefined();
    expect(result.resumedFrom).toBe(file.chunks.filter((h) => !gets().some((r) => r.hash === h)).reduce((sum, h) => sum + sizeOf(file, h), 0));
    expect((await readFile(target)).equals(file.data)).toBe(true);
  });

  it('completes chunks out of order: later chunks are written while an earlier one is still arriving', async () => {
    const file = await threeChunkFile();
    const stall = server.stallAfter(file.chunks[0] as string, 50_000);
    const run = materializeFile(options('FileSystem:/a.bin', file));
    const complete = (i: number) => gets().some((r) => r.hash === file.chunks[i] && r.status === 200 && r.served === sizeOf(file, r.hash));
    await until('chunks 1 and 2 served while chunk 0 is held', () => complete(1) && complete(2));
    expect(complete(0)).toBe(false);
    stall.release();
    const result = await run;
    expect(result).toMatchObject({ resumedFrom: 0, downloaded: file.size });
    expect(gets().length).toBe(3);
    expect((await readFile(path.join(sandbox.ws, 'a.bin'))).equals(file.data)).toBe(true);
  });

  it('retries a chunk request that got no answer at all (a hung store), on a new connection', async () => {
    const file = await threeChunkFile();
    // In front of the store: the first connection is accepted and never answered; the others pass through.
    const held: net.Socket[] = [];
    const front = net.createServer((socket) => {
      if (held.length === 0) {
        held.push(socket);
        return;
      }
      const store = net.connect(Number(new URL(server.url).port), '127.0.0.1');
      socket.pipe(store).pipe(socket);
      socket.on('error', () => store.destroy());
      store.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const agent = new http.Agent({ keepAlive: true });
    try {
      const port = (front.address() as net.AddressInfo).port;
      const result = await materializeFile(options('FileSystem:/hung.bin', file, { storageUrl: `http://127.0.0.1:${port}`, agent, stallMs: 300 }));
      expect(result.downloaded).toBe(file.size);
      expect((await readFile(path.join(sandbox.ws, 'hung.bin'))).equals(file.data)).toBe(true);
      expect(held).toHaveLength(1);
    } finally {
      agent.destroy();
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
  });

  it('aborts while chunks are in flight: every request stops, the target is untouched and the partial kept', async () => {
    await writeFile(path.join(sandbox.ws, 'a.bin'), 'old content');
    const file = await threeChunkFile();
    const stall = server.stallAfter(file.chunks[0] as string, 50_000);
    const controller = new AbortController();
    const run = materializeFile(options('FileSystem:/a.bin', file, { signal: controller.signal }));
    await until('the other chunks served', () => gets().filter((r) => r.status === 200).length === 2);
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    stall.release();
    expect(await readFile(path.join(sandbox.ws, 'a.bin'), 'utf8')).toBe('old content');
    await until('every request ended', () => server.requests.every((r) => r.status !== 0));

    server.requests.length = 0;
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(result.resumedFrom + result.downloaded).toBe(file.size);
    expect(gets().map((r) => r.hash)).toContain(file.chunks[0]);
    expect((await readFile(path.join(sandbox.ws, 'a.bin'))).equals(file.data)).toBe(true);
  });

  it('keeps the complete chunks beyond a hole and fetches only the missing one', async () => {
    const file = await threeChunkFile();
    await partialWith(file, [0, 2]);
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(result).toMatchObject({ resumedFrom: 400_000, downloaded: 300_000 });
    expect(gets().map((r) => [r.hash, r.range])).toEqual([[file.chunks[1], undefined]]);
    expect((await readFile(path.join(sandbox.ws, 'a.bin'))).equals(file.data)).toBe(true);
  });

  it('resumes without the sidecar, finding chunk sizes with HEAD and checking every chunk the partial covers', async () => {
    const file = await threeChunkFile();
    await partialWith(file, [0, 2]);
    await writeFile(`${partialOf(file)}.json`, '{"torn'); // as after a crash mid-write
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(server.requests.filter((r) => r.method === 'HEAD').length).toBeGreaterThan(0);
    expect(result).toMatchObject({ resumedFrom: 400_000, downloaded: 300_000 });
    expect(gets().map((r) => r.hash)).toEqual([file.chunks[1]]);
    expect((await readFile(path.join(sandbox.ws, 'a.bin'))).equals(file.data)).toBe(true);
  });

  it('fetches again a chunk recorded complete whose bytes in the partial are damaged, and only that one', async () => {
    const file = await threeChunkFile();
    await partialWith(file, [0, 1, 2]);
    await damage(partialOf(file), 250_000); // inside chunk 1
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(result).toMatchObject({ resumedFrom: 400_000, downloaded: 300_000 });
    expect(gets().map((r) => [r.hash, r.range])).toEqual([[file.chunks[1], undefined]]);
    expect((await readFile(path.join(sandbox.ws, 'a.bin'))).equals(file.data)).toBe(true);
  });

  it('finishes from a complete partial without downloading (a crash before the rename), cutting off extra bytes', async () => {
    const file = await threeChunkFile();
    await mkdir(partialDir(), { recursive: true });
    await writeFile(partialOf(file), Buffer.concat([file.data, Buffer.from('trailing garbage')]));
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(result).toMatchObject({ resumedFrom: file.size, downloaded: 0 });
    expect(gets()).toEqual([]);
    expect((await readFile(path.join(sandbox.ws, 'a.bin'))).equals(file.data)).toBe(true);
  });

  it('starts over when the sidecar recorded a wrong chunk size: a fresh download, never a wrong file', async () => {
    const file = await threeChunkFile();
    await mkdir(partialDir(), { recursive: true });
    await writeFile(partialOf(file), file.data.subarray(0, 230_000));
    await writeFile(`${partialOf(file)}.json`, JSON.stringify({ list: chunkListId(file.chunks), sizes: [250_000], done: [] }));
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(result.downloaded).toBeGreaterThanOrEqual(file.size);
    expect((await readFile(path.join(sandbox.ws, 'a.bin'))).equals(file.data)).toBe(true);
  });

  it('gives up after the retries when the store cannot be reached, keeping the target', async () => {
    const file = await threeChunkFile();
    await writeFile(path.join(sandbox.ws, 'a.bin'), 'old content');
    const closed = await startStoreServer();
    await closed.close();
    const run = materializeFile(options('FileSystem:/a.bin', file, { storageUrl: closed.url, retries: 1 }));
    await expect(run).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await readFile(path.join(sandbox.ws, 'a.bin'), 'utf8')).toBe('old content');
  });

  it('resumes within the same call after a dropped connection', async () => {
    const file = await threeChunkFile();
    server.dropAfter(file.chunks[1] as string, 100_000);
    const result = await materializeFile(options('FileSystem:/a.bin', file));
    expect(result.resumedFrom).toBe(0);
    const chunk1 = gets().filter((r) => r.hash === file.chunks[1]);
    expect(chunk1.length).toBe(2);
    // It continues from what arrived before the drop (at most what the server wrote; it is not re-fetched).
    const from = Number(/^bytes=(\d+)-$/.exec(chunk1[1]?.range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(chunk1[0]?.served ?? 0);
    expect(chunk1[1]?.served).toBe(300_000 - from);
    expect((await readFile(path.join(sandbox.ws, 'a.bin'))).equals(file.data)).toBe(true);
  });

  it('throws IntegrityError on a whole-file hash mismatch, deletes the partial and leaves the old file intact', async () => {
    const target = path.join(sandbox.ws, 'a.bin');
    await writeFile(target, 'old content');
    const file = await threeChunkFile();
    const run = materializeFile(options('FileSystem:/a.bin', file, { hash: sha256(Buffer.from('something else')) }));
    await expect(run).rejects.toBeInstanceOf(IntegrityError);
    expect(await readFile(target, 'utf8')).toBe('old content');
    expect(await readdir(partialDir())).toEqual([]);
  });

  it('throws IntegrityError when the size does not add up, and when the store serves bytes that are not the chunk', async () => {
    const file = await threeChunkFile();
    await expect(materializeFile(options('FileSystem:/a.bin', file, { size: file.size - 1 }))).rejects.toBeInstanceOf(IntegrityError);
    await expect(materializeFile(options('FileSystem:/a.bin', file, { size: file.size + 1 }))).rejects.toBeInstanceOf(IntegrityError);

    const bad = randomBytes(1000);
    const address = sha256(Buffer.from('the real chunk'));
    await mkdir(path.dirname(server.store.path(address)), { recursive: true });
    await writeFile(server.store.path(address), bad); // a damaged store
    const run = materializeFile(options('FileSystem:/b.bin', { size: 1000, hash: sha256(bad), chunks: [address], data: bad }));
    await expect(run).rejects.toBeInstanceOf(IntegrityError);
    expect(await readdir(sandbox.ws)).toEqual(['.assethub']);
  });

  it('throws IntegrityError when one of several chunks in flight is served wrong, deleting the partial and its sidecar', async () => {
    await writeFile(path.join(sandbox.ws, 'a.bin'), 'old content');
    const file = await threeChunkFile();
    const damaged = await readFile(server.store.path(file.chunks[1] as string));
    damaged[10] = (damaged[10] ?? 0) ^ 0xff;
    await writeFile(server.store.path(file.chunks[1] as string), damaged);
    await expect(materializeFile(options('FileSystem:/a.bin', file))).rejects.toBeInstanceOf(IntegrityError);
    expect(await readFile(path.join(sandbox.ws, 'a.bin'), 'utf8')).toBe('old content');
    expect(await readdir(partialDir())).toEqual([]);
  });

  it('refuses to replace a folder, and a file standing where a parent folder should be', async () => {
    await mkdir(path.join(sandbox.ws, 'dir'));
    await writeFile(path.join(sandbox.ws, 'dir', 'inside.txt'), 'kept');
    await writeFile(path.join(sandbox.ws, 'file'), 'kept');
    const file = await threeChunkFile();
    await expect(materializeFile(options('FileSystem:/dir', file))).rejects.toBeInstanceOf(PathConflictError);
    expect(server.requests).toEqual([]); // refused before downloading
    await expect(materializeFile(options('FileSystem:/file/x.bin', file))).rejects.toBeInstanceOf(PathConflictError);
    expect(await readFile(path.join(sandbox.ws, 'dir', 'inside.txt'), 'utf8')).toBe('kept');
    expect(await readFile(path.join(sandbox.ws, 'file'), 'utf8')).toBe('kept');
  });

  it('fails on a chunk the store does not have, or without the token, and leaves the target alone', async () => {
    const target = path.join(sandbox.ws, 'a.bin');
    await writeFile(target, 'old content');
    const file = await threeChunkFile();
    const missing = { ...file, chunks: [...file.chunks.slice(0, 2), sha256(Buffer.from('absent'))] };
    await expect(materializeFile(options('FileSystem:/a.bin', missing))).rejects.toMatchObject({ name: 'ChunkHttpError', status: 404 });
    const unauthorized = materializeFile(options('FileSystem:/a.bin', file, { token: 'wrong' }));
    await expect(unauthorized).rejects.toBeInstanceOf(ChunkHttpError);
    await expect(unauthorized).rejects.toMatchObject({ status: 401 });
    expect(await readFile(target, 'utf8')).toBe('old content');
  });

  it('lets two targets with the same content take turns on the shared partial', async () => {
    const file = await threeChunkFile();
    await Promise.all([materializeFile(options('FileSystem:/one.bin', file)), materializeFile(options('FileSystem:/two/two.bin', file))]);
    expect((await readFile(path.join(sandbox.ws, 'one.bin'))).equals(file.data)).toBe(true);
    expect((await readFile(path.join(sandbox.ws, 'two', 'two.bin'))).equals(file.data)).toBe(true);
  });

  it('rejects malformed hashes before touching anything', async () => {
    const file = await threeChunkFile();
    await expect(materializeFile(options('FileSystem:/a.bin', file, { hash: '../../x' }))).rejects.toBeInstanceOf(TypeError);
    await expect(materializeFile(options('FileSystem:/a.bin', file, { chunks: ['../x'] }))).rejects.toBeInstanceOf(TypeError);
    expect(await readdir(sandbox.ws)).toEqual([]);
  });
});

const sizeOf = (file: StoredFile, hash: string): number => [200_000, 300_000, 200_000][file.chunks.indexOf(hash)] ?? -1;

/** A partial as an interrupted download leaves it: the chunks `present` at their offsets, zeros between, and the sidecar. */
async function partialWith(file: StoredFile, present: number[]): Promise<void> {
  const sizes = [200_000, 300_000, 200_000];
  const data = Buffer.alloc(file.size);
  let offset = 0;
  for (const [i, size] of sizes.entries()) {
    if (present.includes(i)) file.data.copy(data, offset, offset, offset + size);
    offset += size;
  }
  await mkdir(partialDir(), { recursive: true });
  await writeFile(partialOf(file), data.subarray(0, Math.max(...present.map((i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0)))));
  await writeFile(`${partialOf(file)}.json`, JSON.stringify({ list: chunkListId(file.chunks), sizes, done: present }));
}

async function damage(file: string, at: number): Promise<void> {
  const data = await readFile(file);
  data[at] = (data[at] ?? 0) ^ 0xff;
  await writeFile(file, data);
}
