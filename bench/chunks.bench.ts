/**
 * Data-plane throughput: a 256 MiB file of random bytes.
 * - Hashing: splitFile's chunk hashes and whole-file hash (what a push computes) next to Node's raw SHA-256 of the same
 *   file read the same way (sha256File), in alternating rounds, median kept. Target ≥ 80%.
 * - Upload: the push's path (each 8 MiB chunk read once, hashed, and uploaded with `uploadChunk` from that buffer)
 *   through the chunk HTTP handler over loopback (server and client in this process), 1 and 4 chunks in flight, then
 *   the commit's batch of folder fsyncs (ChunkStore.durable), next to `fs.copyFile` + fsync of the same file. Each is
 *   measured in 3 rounds into a fresh store, median kept. An upload does HEAD + PUT per chunk, hashes every byte twice
 *   on the client (chunk, whole file) and once on the server, and fsyncs every chunk file.
 * Also the process's peak RSS during the uploads (sampled every 50 ms): it must stay bounded by the chunks in flight,
 * not grow with the file.
 */
import { randomFillSync } from 'node:crypto';
import { copyFile, mkdtemp, open, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../services/lib/log.ts';
import { bytesBody, hashFileChunks, sha256File, splitFile, uploadChunk } from '../services/lib/chunks/index.ts';
import { chunkHashPool } from '../services/lib/chunks/hash-pool.ts';
import { ChunkStore, createChunkHandler } from '../services/server/chunks/index.ts';
import { median, printComparison } from './lib/measure.ts';

const MiB = 1024 * 1024;
const FILE_BYTES = 256 * MiB;
const ROUNDS = 3;
const TOKEN = 'bench-token';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mbPerSec = (bytes: number, ms: number): number => bytes / MiB / (ms / 1000);

async function writeRandomFile(file: string): Promise<void> {
  const piece = Buffer.allocUnsafe(8 * MiB);
  const handle = await open(file, 'w');
  try {
    for (let at = 0; at < FILE_BYTES; at += piece.length) await handle.write(randomFillSync(piece));
  } finally {
    await handle.close();
  }
}

/** A push's uploads of `file` with at most `concurrency` chunks in flight, into a fresh store; the elapsed milliseconds. */
async function upload(dir: string, file: string, concurrency: number): Promise<number> {
  const store = await ChunkStore.open(path.join(dir, 'store'));
  const server = http.createServer(createChunkHandler(store, { token: TOKEN, logger: silentLogger() }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const start = performance.now();
    const { chunks } = await splitFile(file, {
      inFlight: concurrency,
      onChunk: async (chunk) => {
        const result = await uploadChunk(url, TOKEN, chunk.hash, bytesBody(chunk.bytes), { agent });
        if (result.status !== 'stored') throw new Error(`chunk ${chunk.hash} was ${result.status}`);
      },
    });
    await store.durable();
    const elapsed = performance.now() - start;
    const missing = await store.missing(chunks.map((c) => c.hash));
    if (missing.length) throw new Error(`${missing.length} chunks missing after the upload`);
    return elapsed;
  } finally {
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(path.join(dir, 'store'), { recursive: true, force: true });
  }
}

async function copy(file: string, to: string, sync: boolean): Promise<number> {
  const start = performance.now();
  await copyFile(file, to);
  if (sync) {
    const handle = await open(to, 'r+');
    await handle.sync();
    await handle.close();
  }
  const elapsed = performance.now() - start;
  await rm(to);
  return elapsed;
}

/** Peak RSS while `work` runs, sampled every 50 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'assethub-chunks-bench-'));
try {
  const file = path.join(dir, 'source.bin');
  await writeRandomFile(file);

  const raws: number[] = [];
  const splits: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let start = performance.now();
    await sha256File(file);
    raws.push(performance.now() - start);
    start = performance.now();
    await hashFileChunks(file);
    splits.push(performance.now() - start);
  }
  printComparison(`Hashing ${FILE_BYTES / MiB} MiB read from the page cache, median of ${ROUNDS} rounds`, [
    { what: `chunk + whole-file SHA-256 (${chunkHashPool().running} hashing thread(s) beside this one)`, ours: mbPerSec(FILE_BYTES, median(splits)), baselineName: 'raw SHA-256', baseline: mbPerSec(FILE_BYTES, median(raws)), unit: 'MB/s' },
  ]);

  gc();
  const rssBefore = process.memoryUsage().rss;
  const sequential: number[] = [];
  const parallel: number[] = [];
  const copies: number[] = [];
  const syncedCopies: number[] = [];
  const { peak } = await withPeakRss(async () => {
    // Alternating rounds, so drift of the machine (page cache, other load) affects every variant alike.
    for (let round = 0; round < ROUNDS; round++) {
      sequential.push(await upload(dir, file, 1));
      parallel.push(await upload(dir, file, 4));
      copies.push(await copy(file, path.join(dir, 'copy.bin'), false));
      syncedCopies.push(await copy(file, path.join(dir, 'copy.bin'), true));
    }
  });

  const syncedRate = mbPerSec(FILE_BYTES, median(syncedCopies));
  printComparison(`Chunk upload over loopback (read once, hash, upload, fsync): ${FILE_BYTES / MiB} MiB in chunks of 8 MiB, median of ${ROUNDS} rounds`, [
    { what: 'upload, 1 chunk in flight', ours: mbPerSec(FILE_BYTES, median(sequential)), baselineName: 'copyFile+fsync', baseline: syncedRate, unit: 'MB/s' },
    { what: 'upload, 4 chunks in flight', ours: mbPerSec(FILE_BYTES, median(parallel)), baselineName: 'copyFile+fsync', baseline: syncedRate, unit: 'MB/s' },
    { what: 'fs.copyFile alone (no fsync)', ours: mbPerSec(FILE_BYTES, median(copies)), baselineName: 'copyFile+fsync', baseline: syncedRate, unit: 'MB/s' },
  ]);
  console.log(`  peak RSS during the uploads: ${(peak / MiB).toFixed(0)} MiB (${((peak - rssBefore) / MiB).toFixed(0)} MiB above the ${(rssBefore / MiB).toFixed(0)} MiB before; file ${FILE_BYTES / MiB} MiB)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
