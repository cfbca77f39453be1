/** Test helpers for the data plane (used by the *.test.ts of the folder above; not part of the public API). */
import { mkdtemp, rm } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../lib/log.ts';
import { createChunkHandler, type ChunkHandlerOptions } from '../http.ts';
import { ChunkStore } from '../store.ts';

export interface ChunkServer {
  /** The temp folder that holds the store (in `<root>/store`) and anything else a test writes. */
  root: string;
  store: ChunkStore;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A chunk store in a fresh temp folder, served on 127.0.0.1 on a free port. */
export async function startChunkServer(options: ChunkHandlerOptions = {}): Promise<ChunkServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'assethub-chunks-'));
  const store = await ChunkStore.open(path.join(root, 'store'));
  const server = http.createServer(createChunkHandler(store, { logger: silentLogger(), ...options }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    root, store, port, url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request with the path sent exactly as given (no URL normalisation, so `/chunks/../x` reaches the server as is),
 * on a fresh connection.
 */
export function rawRequest(
  port: number, method: string, requestPath: string, headers: Record<string, string | number> = {}, body?: Uint8Array,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: requestPath, headers, agent: false }, (res) => {
      const pieces: Buffer[] = [];
      res.on('data', (piece: Buffer) => pieces.push(piece));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(pieces) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls `condition` until it holds; fails after `limitMs` so a broken implementation fails instead of hanging. */
export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
