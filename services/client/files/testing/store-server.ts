/** Test helpers for the workspace file layer (used by the *.test.ts of the folder above; not part of the public API). */
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { silentLogger } from '../../../lib/log.ts';
import { ChunkStore, createChunkHandler, routeChunkRequest } from '../../../server/chunks/index.ts';

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export interface LoggedRequest {
  method: string;
  hash: string;
  range: string | undefined;
  status: number;
  /** Body bytes the server wrote (for GET). */
  served: number;
}

export interface StoredFile {
  size: number;
  hash: string;
  chunks: string[];
  data: Buffer;
}

export interface StoreServer {
  url: string;
  token: string;
  store: ChunkStore;
  requests: LoggedRequest[];
  /** The next GET of `hash` has its connection dropped once it served `bytes` body bytes. */
  dropAfter(hash: string, bytes: number): void;
  /** The next GET of `hash` stops sending once it served `bytes` body bytes, until `release` is called. */
  stallAfter(hash: string, bytes: number): { release(): void };
  /** Stores `data` cut into chunks of the given sizes (the last takes the rest). */
  putFile(data: Buffer, sizes: number[]): Promise<StoredFile>;
  close(): Promise<void>;
}

/** A real chunk store served over HTTP on 127.0.0.1, with every request logged. */
export async function startStoreServer(token = 'test-token'): Promise<StoreServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'assethub-files-store-'));
  const store = await ChunkStore.open(dir);
  const handler = createChunkHandler(store, { token, logger: silentLogger() });
  const requests: LoggedRequest[] = [];
  const drops = new Map<string, number>();
  const stalls = new Map<string, { bytes: number; released: Promise<void>; open: boolean }>();

  const server = http.createServer((req, res) => {
    const route = routeChunkRequest(req.url);
    const entry: LoggedRequest = { method: req.method ?? '', hash: route.kind === 'chunk' ? route.hash : '', range: req.headers.range, status: 0, served: 0 };
    requests.push(entry);
    const dropAt = req.method === 'GET' ? drops.get(entry.hash) : undefined;
    if (dropAt !== undefined) drops.delete(entry.hash);
    const stall = req.method === 'GET' ? stalls.get(entry.hash) : undefined;
    if (stall) stalls.delete(entry.hash);
    let dropped = false;
    const held = () => (stall && !stall.open ? { after: Math.max(0, stall.bytes - entry.served), released: stall.released } : undefined);
    countWrites(res, held, (n) => {
      if (dropped) return;
      entry.served += n;
      // end(), not destroy(): what was written still reaches the client, then the connection closes mid-body.
      if (dropAt !== undefined && entry.served >= dropAt) {
        dropped = true;
        res.socket?.end();
      }
    });
    res.on('close', () => (entry.status = res.statusCode));
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    store,
    requests,
    dropAfter: (hash, bytes) => drops.set(hash, bytes),
    stallAfter(hash, bytes) {
      let release = (): void => undefined;
      const stall = { bytes, released: new Promise<void>((resolve) => (release = resolve)), open: false };
      stalls.set(hash, stall);
      return {
        release: () => {
          stall.open = true;
          release();
        },
      };
    },
    async putFile(data, sizes) {
      const chunks: string[] = [];
      let at = 0;
      for (const [i, wanted] of sizes.entries()) {
        const piece = data.subarray(at, i === sizes.length - 1 ? data.length : at + wanted);
        const hash = sha256(piece);
        await store.write(hash, Readable.from([piece]), { offset: 0, total: piece.length });
        chunks.push(hash);
        at += piece.length;
      }
      return { size: data.length, hash: sha256(data), chunks, data };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Reports the length of every body piece the handler writes (the chunk handler pipes the chunk into `res.write`).
 * While `held()` answers, what a piece holds beyond its first `after` bytes waits for `released`: `write` answers
 * false, and 'drain' follows once the rest is sent.
 */
function countWrites(res: ServerResponse, held: () => { after: number; released: Promise<void> } | undefined, count: (n: number) => void): void {
  const write = res.write;
  const send = (args: unknown[]): boolean => {
    const piece = args[0];
    const result = Reflect.apply(write, res, args) as boolean;
    if (piece instanceof Uint8Array) count(piece.length);
    return result;
  };
  let pending: Promise<void> | undefined;
  res.write = ((...args: unknown[]) => {
    const hold = held();
    const piece = args[0];
    if (!hold || !(piece instanceof Uint8Array) || piece.length <= hold.after) return send(args);
    if (hold.after > 0) send([piece.subarray(0, hold.after)]);
    pending = hold.released.then(() => {
      if (res.destroyed) return;
      send([piece.subarray(hold.after)]);
      res.emit('drain');
    });
    return false;
  }) as typeof res.write;
  // The source may end while a piece is held (a chunk smaller than one read): the response ends after that piece.
  const end = res.end;
  res.end = ((...args: unknown[]) => {
    if (pending) void pending.then(() => Reflect.apply(end, res, args));
    else Reflect.apply(end, res, args);
    return res;
  }) as typeof res.end;
}

/** A temp folder `base` with a workspace `base/ws` and a folder outside it, `base/outside`. */
export async function makeSandbox(): Promise<{ base: string; ws: string; outside: string; cleanup(): Promise<void> }> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'assethub-files-'));
  const ws = path.join(base, 'ws');
  const outside = path.join(base, 'outside');
  await mkdir(ws);
  await mkdir(outside);
  await writeFile(path.join(outside, 'keep.txt'), 'outside data');
  return { base, ws, outside, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** Every entry under `dir` (not following symlinks) with its kind and content: to prove nothing changed anywhere. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  async function walk(current: string): Promise<void> {
    for (const name of (await readdir(current)).sort()) {
      const full = path.join(current, name);
      const key = path.relative(dir, full);
      const info = await lstat(full);
      if (info.isSymbolicLink()) entries[key] = `link -> ${await readlink(full)}`;
      else if (info.isDirectory()) {
        entries[key] = 'dir';
        await walk(full);
      } else entries[key] = `file ${sha256(await readFile(full))}`;
    }
  }
  await walk(dir);
  return entries;
}
