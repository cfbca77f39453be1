/**
 * Pulling one file of a commit into the workspace: its chunks are streamed in order from the chunk store into
 * `.assethub/partial/<hash>`, the whole file is verified against its SHA-256, and only then renamed onto the target.
 * An interrupted download (crash, abort, dropped connection) keeps its partial and resumes from it on the next call;
 * the target is never touched before the verified rename, so it always holds either its old or its new content.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChunkHttpError, isChunkHash } from '../../lib/chunks/index.ts';
import { RANGE_MISMATCH, chunkSize, getChunk, type ChunkSource } from './chunk-source.ts';
import { IntegrityError } from './errors.ts';
import { serialized } from './lock.ts';
import { PRIVATE_DIR, workspacePartialDir } from './paths.ts';
import { checkFileTarget, placeFile } from './place.ts';
import { chunkListId, findResumePoint, readSidecar, writeSidecar } from './resume.ts';

export interface MaterializeOptions {
  root: string;
  uri: string;
  size: number;
  /** SHA-256 of the whole file (lowercase hex). */
  hash: string;
  /** The file's chunk addresses in order; empty for an empty file. */
  chunks: string[];
  storageUrl: string;
  token?: string;
  agent?: http.Agent;
  signal?: AbortSignal;
  /** Called with the number of bytes each time some arrive (bytes kept from an earlier attempt are not reported). */
  onBytes?(n: number): void;
  /** Further attempts, each resuming, after a dropped connection or a server error without progress; default 3. */
  retries?: number;
}

export interface MaterializeResult {
  /** The absolute path written. */
  path: string;
  /** Bytes of the file that were kept from an earlier, interrupted attempt. */
  resumedFrom: number;
  /** Bytes downloaded by this call. */
  downloaded: number;
}

/** Attempts that found the kept bytes unusable and started a chunk over; more than this means something is broken. */
const MAX_RESTARTS = 3;

const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

export async function materializeFile(options: MaterializeOptions): Promise<MaterializeResult> {
  const { root, uri, size, hash, chunks } = options;
  if (!isChunkHash(hash)) throw new TypeError(`not a SHA-256 (64 lowercase hex digits): ${JSON.stringify(hash).slice(0, 80)}`);
  for (const chunk of chunks) if (!isChunkHash(chunk)) throw new TypeError(`not a chunk address: ${JSON.stringify(chunk).slice(0, 80)}`);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`not a file size: ${size}`);
  // Before anything touches the disk or the network: an unsafe URI leaves no trace, not even a private folder.
  await checkFileTarget(root, uri);

  // The partial is named by content: two targets with the same content take turns (the second downloads again).
  const key = path.join(path.resolve(root), PRIVATE_DIR, 'partial', hash);
  return serialized(key, async () => {
    const partial = path.join(await workspacePartialDir(root), hash);
    const download = new Download(options, partial);
    await download.run();
    const placed = await placeFile(root, uri, partial);
    await rm(download.sidecar, { force: true });
    return { path: placed, resumedFrom: download.resumedFrom ?? 0, downloaded: download.downloaded };
  });
}

/** One file's download into its partial, across the attempts needed. */
class Download {
  readonly sidecar: string;
  resumedFrom: number | undefined;
  downloaded = 0;
  private readonly options: MaterializeOptions;
  private readonly partial: string;
  private readonly source: ChunkSource;
  private readonly list: string;
  private sizes: number[] = [];

  constructor(options: MaterializeOptions, partial: string) {
    this.options = options;
    this.partial = partial;
    this.sidecar = `${partial}.json`;
    this.source = { storageUrl: options.storageUrl, token: options.token, agent: options.agent, signal: options.signal };
    this.list = chunkListId(options.chunks);
  }

  /** Resolves once the partial holds the verified, fsynced file; deletes it and throws IntegrityError when it cannot. */
  async run(): Promise<void> {
    const { signal, retries = 3 } = this.options;
    this.sizes = await readSidecar(this.sidecar, this.list);
    let restarts = 0;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      const before = this.downloaded;
      try {
        if (await this.attempt()) return;
        if (++restarts > MAX_RESTARTS) throw new IntegrityError(`the kept bytes of ${this.options.uri} could not be resumed`);
        continue;
      } catch (error) {
        if (error instanceof IntegrityError) {
          await rm(this.partial, { force: true });
          await rm(this.sidecar, { force: true });
          throw error;
        }
        if (signal?.aborted || !retryable(error)) throw error;
        // The budget counts failures in a row: an attempt that made progress earns a fresh one.
        failures = this.downloaded > before ? 1 : failures + 1;
        if (failures > retries) throw error;
      }
      await sleep(Math.min(2000, 100 * 2 ** failures), undefined, { signal });
    }
  }

  /** False when the kept bytes of a chunk turned out unusable; the partial was cut back to that chunk's start. */
  private async attempt(): Promise<boolean> {
    const { chunks, size, hash, uri } = this.options;
    const known = this.sizes.length;
    const point = await findResumePoint(this.partial, chunks, this.sizes, (i) => chunkSize(this.source, chunks[i] as string));
    if (this.sizes.length > known) await this.saveSidecar();
    this.resumedFrom ??= point.offset + point.kept;

    const handle = await open(this.partial, 'a'); // appends: every byte goes after the verified prefix
    try {
      let offset = point.offset;
      for (let index = point.index; index < chunks.length; index++) {
        const address = chunks[index] as string;
        const kept = index === point.index ? point.kept : 0;
        const chunkHash = index === point.index ? point.chunkHash : createHash('sha256');
        const got = await getChunk(this.source, address, kept);
        if (got === RANGE_MISMATCH) {
          await handle.truncate(offset);
          return false;
        }
        if (offset + got.total > size) {
          got.body.destroy();
          throw new IntegrityError(`the chunks of ${uri} hold more than its ${size} bytes`);
        }
        let received = 0;
        for await (const piece of got.body as AsyncIterable<Buffer>) {
          await writeAll(handle, piece);
          chunkHash.update(piece);
          point.whole.update(piece);
          received += piece.length;
          this.downloaded += piece.length;
          this.options.onBytes?.(piece.length);
          this.options.signal?.throwIfAborted();
        }
        if (kept + received !== got.total) {
          throw Object.assign(new Error(`chunk ${address} ended after ${kept + received} of ${got.total} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        }
        if (chunkHash.digest('hex') !== address) {
          if (kept === 0) throw new IntegrityError(`the bytes served for chunk ${address} do not match its address`);
          await handle.truncate(offset); // the kept prefix was the culprit (e.g. lost in a crash): fetch it whole
          return false;
        }
        this.sizes[index] = got.total;
        await this.saveSidecar();
        offset += got.total;
      }
      if (offset !== size) throw new IntegrityError(`the chunks of ${uri} hold ${offset} bytes, not ${size}`);
      if (point.whole.digest('hex') !== hash) throw new IntegrityError(`the downloaded ${uri} does not match its SHA-256 ${hash}`);
      await handle.sync(); // durable before the rename publishes it
      return true;
    } finally {
      await handle.close();
    }
  }

  private saveSidecar(): Promise<void> {
    return writeSidecar(this.sidecar, { list: this.list, sizes: this.sizes });
  }
}

async function writeAll(handle: FileHandle, piece: Buffer): Promise<void> {
  for (let at = 0; at < piece.length; ) at += (await handle.write(piece, at, piece.length - at)).bytesWritten;
}

function retryable(error: unknown): boolean {
  if (error instanceof ChunkHttpError) return error.status === 409 || error.status >= 500;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
}
