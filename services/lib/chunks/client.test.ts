import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CHUNK_BYTES } from './address.ts';
import { ChunkHttpError, downloadChunk, uploadChunk } from './client.ts';
import { hashFileChunks } from './split.ts';
import { startChunkServer, waitFor, type ChunkServer } from '../../server/chunks/testing/chunk-server.ts';

const TOKEN = 'client-test-token';
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let server: ChunkServer;
let agent: http.Agent;
beforeAll(async () => {
  server = await startChunkServer({ token: TOKEN });
  agent = new http.Agent({ keepAlive: true });
});
afterAll(async () => {
  agent?.destroy();
  await server?.close();
});

const file = (name: string) => path.join(server.root, name);

/**
 * A TCP proxy in front of the server that cuts its first connection once `cutAfter` bytes went from the server to the
 * client: a download dropped mid-body.
 */
async function cuttingProxy(cutAfter: number): Promise<{ url: string; close: () => Promise<void> }> {
  let first = true;
  const proxy = net.createServer((client) => {
    const upstream = net.connect(server.port, '127.0.0.1');
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.pipe(upstream);
    if (!first) {
      upstream.pipe(client);
      return;
    }
    first = false;
    let sent = 0;
    upstream.on('data', (piece: Buffer) => {
      const room = cutAfter - sent;
      sent += piece.length;
      if (room > 0) client.write(piece.subarray(0, room));
      if (sent >= cutAfter) {
        client.end(() => client.destroy());
        upstream.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  };
}

describe('uploadChunk / downloadChunk', () => {
  it('uploads a file slice, then answers exists; downloads it back verified', async () => {
    const data = randomBytes(2_000_000);
    await writeFile(file('slice.bin'), data);
    const slice = { path: file('slice.bin'), offset: 500_000, length: 1_000_000 };
    const hash = sha256(data.subarray(500_000, 1_500_000));
    expect(await uploadChunk(server.url, TOKEN, hash, slice, { agent })).toEqual({ status: 'stored', resumedFrom: 0 });
    expect(await uploadChunk(server.url, TOKEN, hash, slice, { agent })).toEqual({ status: 'exists', resumedFrom: undefined });
    expect(await downloadChunk(server.url, TOKEN, hash, file('slice.out'), { agent })).toEqual({ size: 1_000_000, resumedFrom: 0 });
    expect((await readFile(file('slice.out'))).equals(data.subarray(500_000, 1_500_000))).toBe(true);
  });

  it('resumes an upload whose connection failed halfway, from the offset the server reports', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 777);
    const hash = sha256(data);
    const half = data.length >> 1;
    const opened: number[] = [];
    const open = (from: number): Readable => {
      opened.push(from);
      if (opened.length > 1) return Readable.from([data.subarray(from)]);
      // First attempt: half the bytes, then (once the server holds them) the link goes down.
      return Readable.from((async function* () {
        yield data.subarray(0, half);
        await waitFor(async () => (await server.store.partialSize(hash)) === half, 'the first half on the server');
        throw Object.assign(new Error('link down'), { code: 'ECONNRESET' });
      })());
    };
    const result = await uploadChunk(server.url, TOKEN, hash, { length: data.length, open }, { agent });
    expect(result).toEqual({ status: 'stored', resumedFrom: half });
    expect(opened[0]).toBe(0);
    expect(opened.slice(1).every((from) => from === half) && opened.length > 1).toBe(true);
    expect(sha256(await readFile(server.store.path(hash)))).toBe(hash);
  });

  it('resumes a download interrupted halfway with a Range request, and the result hashes right', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const hash = sha256(data);
    await uploadChunk(server.url, TOKEN, hash, { length: data.length, open: (from) => Readable.from([data.subarray(from)]) }, { agent });
    // A first download that stops halfway: the destination keeps the first half.
    const half = data.length >> 1;
    const dest = file('interrupted.bin');
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.port, path: `/chunks/${hash}`, headers: { Authorization: `Bearer ${TOKEN}` }, agent: false }, (res) => {
        const pieces: Buffer[] = [];
        let got = 0;
        res.on('data', (piece: Buffer) => {
          pieces.push(piece);
          got += piece.length;
          if (got >= half) {
            res.destroy();
            writeFile(dest, Buffer.concat(pieces).subarray(0, half)).then(resolve, reject);
          }
        });
      }).on('error', () => undefined);
    });
    expect(await downloadChunk(server.url, TOKEN, hash, dest, { agent })).toEqual({ size: data.length, resumedFrom: half });
    expect(sha256(await readFile(dest))).toBe(hash);
  });

  it('retries a download cut mid-body and continues from what it kept', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const hash = sha256(data);
    await uploadChunk(server.url, TOKEN, hash, { length: data.length, open: (from) => Readable.from([data.subarray(from)]) }, { agent });
    const proxy = await cuttingProxy(data.length >> 1);
    try {
      const result = await downloadChunk(proxy.url, TOKEN, hash, file('cut.bin'), { agent: new http.Agent({ keepAlive: false }) });
      expect(result.size).toBe(data.length);
      expect(result.resumedFrom).toBeGreaterThan(0);
      expect(sha256(await readFile(file('cut.bin')))).toBe(hash);
    } finally {
      await proxy.close();
    }
  });

  it('starts over when the kept prefix is not the chunk, and completes a destination that is already whole', async () => {
    const data = randomBytes(500_000);
    const hash = sha256(data);
    await uploadChunk(server.url, TOKEN, hash, { length: data.length, open: (from) => Readable.from([data.subarray(from)]) }, { agent });
    const dest = file('corrupt.bin');
    await writeFile(dest, randomBytes(100_000));
    expect(await downloadChunk(server.url, TOKEN, hash, dest, { agent })).toEqual({ size: data.length, resumedFrom: 0 });
    expect(sha256(await readFile(dest))).toBe(hash);
    expect(await downloadChunk(server.url, TOKEN, hash, dest, { agent })).toEqual({ size: data.length, resumedFrom: data.length });
    await writeFile(dest, Buffer.concat([data, Buffer.from('trailing')]));
    expect(await downloadChunk(server.url, TOKEN, hash, dest, { agent })).toEqual({ size: data.length, resumedFrom: 0 });
    expect(sha256(await readFile(dest))).toBe(hash);
  });

  it('fails with the HTTP status for a missing chunk, a wrong token and bytes that do not match', async () => {
    const data = randomBytes(1000);
    const hash = sha256(data);
    const body = { length: data.length, open: (from: number) => Readable.from([data.subarray(from)]) };
    await expect(downloadChunk(server.url, TOKEN, hash, file('missing.bin'), { agent })).rejects.toMatchObject({ name: 'ChunkHttpError', status: 404 });
    await expect(uploadChunk(server.url, 'wrong', hash, body, { agent })).rejects.toMatchObject({ name: 'ChunkHttpError', status: 401 });
    await expect(uploadChunk(server.url, undefined, hash, body, { agent })).rejects.toBeInstanceOf(ChunkHttpError);
    await expect(uploadChunk(server.url, TOKEN, sha256(Buffer.from('other')), body, { agent })).rejects.toMatchObject({ status: 422 });
    await expect(uploadChunk(server.url, TOKEN, hash, { length: MAX_CHUNK_BYTES + 1, open: body.open }, { agent })).rejects.toThrow(RangeError);
    expect(await server.store.has(hash)).toBe(false);
  });
});

describe('hashFileChunks', () => {
  it('splits a 20 MiB file into 8 + 8 + 4 MiB chunks whose hashes match an independent computation', async () => {
    const size = 20 * 1024 * 1024;
    const target = file('twenty.bin');
    const handle = await open(target, 'w');
    try {
      for (let at = 0; at < size; at += 1024 * 1024) await handle.write(randomBytes(1024 * 1024));
    } finally {
      await handle.close();
    }
    const data = await readFile(target);
    const split = await hashFileChunks(target);
    expect(split.size).toBe(size);
    expect(split.hash).toBe(sha256(data));
    const mib = 1024 * 1024;
    expect(split.chunks.map((c) => [c.offset, c.length])).toEqual([[0, 8 * mib], [8 * mib, 8 * mib], [16 * mib, 4 * mib]]);
    for (const chunk of split.chunks) expect(chunk.hash).toBe(sha256(data.subarray(chunk.offset, chunk.offset + chunk.length)));

    // And the chunks travel: upload each slice, then download each and put the file back together.
    for (const c of split.chunks) await uploadChunk(server.url, TOKEN, c.hash, { path: target, offset: c.offset, length: c.length }, { agent });
    expect(await server.store.missing(split.chunks.map((c) => c.hash))).toEqual([]);
    const parts: Buffer[] = [];
    for (const [i, c] of split.chunks.entries()) {
      await downloadChunk(server.url, TOKEN, c.hash, file(`part${i}`), { agent });
      parts.push(await readFile(file(`part${i}`)));
    }
    expect(sha256(Buffer.concat(parts))).toBe(split.hash);
  });

  it('gives no chunks for an empty file', async () => {
    await writeFile(file('empty.bin'), Buffer.alloc(0));
    expect(await hashFileChunks(file('empty.bin'))).toEqual({ size: 0, hash: sha256(Buffer.alloc(0)), chunks: [], stat: expect.objectContaining({ size: 0n }) });
  });

  it('matches a naive split for any size and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 2000 }), async (bytes, chunkSize) => {
        const data = Buffer.from(bytes);
        await writeFile(file('prop.bin'), data);
        const expected = [];
        for (let at = 0; at < data.length; at += chunkSize) {
          const piece = data.subarray(at, at + chunkSize);
          expected.push({ hash: sha256(piece), offset: at, length: piece.length });
        }
        expect(await hashFileChunks(file('prop.bin'), chunkSize)).toEqual({ size: data.length, hash: sha256(data), chunks: expected, stat: expect.objectContaining({ size: BigInt(data.length) }) });
      }),
      { numRuns: 50 },
    );
  });

  it('splits right where chunks straddle the 1 MiB reads', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(file('straddle.bin'), data);
    for (const chunkSize of [1_000_003, 777_777, 1024 * 1024 + 1]) {
      const split = await hashFileChunks(file('straddle.bin'), chunkSize);
      expect(split.chunks.length).toBe(Math.ceil(data.length / chunkSize));
      for (const [i, c] of split.chunks.entries()) {
        expect([c.offset, c.hash]).toEqual([i * chunkSize, sha256(data.subarray(i * chunkSize, (i + 1) * chunkSize))]);
      }
    }
  });

  it('refuses chunk sizes above MAX_CHUNK_BYTES', async () => {
    await expect(hashFileChunks(file('empty.bin'), MAX_CHUNK_BYTES + 1)).rejects.toThrow(RangeError);
  });
});
