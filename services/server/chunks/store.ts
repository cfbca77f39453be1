/**
 * The content-addressed chunk store on disk:
 *
 *   <dir>/<first 2 hex>/<hash>   complete chunks, only ever put there by an atomic rename after the hash was checked
 *   <dir>/partial/<hash>         uploads in progress; their size is the resume offset
 *
 * Crash safety comes from the order of the final steps: the partial is checked against its address, fsynced and renamed
 * into place. A crash anywhere leaves either no chunk or a complete verified one at the final path; a partial left
 * behind is resumable, and a damaged one is caught by the hash check when it completes.
 *
 * The rename is made durable in batches, not per upload: `durable()` fsyncs each folder that gained chunks since its
 * last call, once, and a commit calls it before it refers to them (commit-checks.ts). A power cut before that can lose a
 * stored chunk's name (its bytes were fsynced), which the commit then finds missing (MISSING_CHUNKS) and the client
 * offers again; a commit never refers to a chunk that is not durable. One fsync per chunk file, none per request.
 *
 * One process owns a store directory. Within it, one writer per address at a time: a second upload of the same chunk
 * is refused as BUSY rather than interleaved into the same partial file.
 *
 * A chunk file's mtime is when it was last uploaded or asked for by an upload (HEAD, or a PUT of a chunk already
 * there): the collection of unreferenced chunks (collect.ts) spares chunks used more recently than its grace period.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises';
import { fsyncDirectory } from '../../lib/fsync.ts';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { MAX_CHUNK_BYTES, assertChunkHash, isChunkHash } from '../../lib/chunks/address.ts';
import { hashFileInto, sha256File } from '../../lib/chunks/digest.ts';
import { Gate } from './gate.ts';
import { BatchWriter } from './writer.ts';

export type ChunkStoreErrorCode =
  | 'BAD_RANGE' // offset/total are not integers with 0 ≤ offset ≤ total
  | 'TOO_LARGE' // total > MAX_CHUNK_BYTES
  | 'BUSY' // another upload of the same chunk is in progress
  | 'OFFSET_MISMATCH' // a resumed upload does not start where the partial ends
  | 'TOO_LONG' // the source yielded more than total − offset bytes
  | 'HASH_MISMATCH'; // the completed bytes do not hash to the address; the partial was deleted

export class ChunkStoreError extends Error {
  readonly code: ChunkStoreErrorCode;
  /** Bytes in the partial when the write was refused (BUSY, OFFSET_MISMATCH): where the client should resume. */
  readonly partialSize: number | undefined;

  constructor(code: ChunkStoreErrorCode, message: string, partialSize?: number) {
    super(message);
    this.name = 'ChunkStoreError';
    this.code = code;
    this.partialSize = partialSize;
  }
}

export interface WriteOptions {
  /** Where `source` starts in the chunk. 0 starts over; any other value must equal the partial's current size. */
  offset: number;
  /** The chunk's full length. */
  total: number;
}

export type WriteResult =
  /** The chunk is complete, verified and in place. */
  | { status: 'stored'; size: number }
  /** The chunk was already there; `source` was not read. */
  | { status: 'exists'; size: number }
  /** `source` ended before the chunk was complete; the partial (fsynced) holds `received` bytes. */
  | { status: 'partial'; received: number }
  /** `source` failed (e.g. the client went away); what arrived is fsynced and the partial holds `received` bytes. */
  | { status: 'interrupted'; received: number; error: unknown };

export interface ReadableChunk {
  handle: FileHandle;
  size: number;
}

export class ChunkStore {
  readonly dir: string;
  private readonly partialDir: string;
  /** Writes in progress, by address; each promise settles when its writer is done. */
  private readonly writers = new Map<string, Promise<void>>();
  /** Between the users of chunks (shared) and the collection of unreferenced ones (exclusive). */
  private readonly gate = new Gate();

  private ready: Promise<void> | undefined;
  /** Folders (shards, and the store's own for new shards) with renames not yet made durable. */
  private unsynced = new Set<string>();

  /** A store over `dir`. Reads work at once; the directories are created by `init()` or, at the latest, the first write. */
  constructor(dir: string) {
    this.dir = path.resolve(dir);
    this.partialDir = path.join(this.dir, 'partial');
  }

  /** Creates the store's directories (idempotent). */
  init(): Promise<void> {
    this.ready ??= mkdir(this.partialDir, { recursive: true }).then(() => undefined);
    // A failed attempt (e.g. a permission problem fixed since) is retried by the next call.
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  /** Opens (creating if needed) a store in `dir`. */
  static async open(dir: string): Promise<ChunkStore> {
    const store = new ChunkStore(dir);
    await store.init();
    return store;
  }

  /** Where the complete chunk lives (whether or not it is there yet). */
  path(hash: string): string {
    assertChunkHash(hash);
    return this.inside(path.join(this.dir, hash.slice(0, 2), hash));
  }

  partialPath(hash: string): string {
    assertChunkHash(hash);
    return this.inside(path.join(this.partialDir, hash));
  }

  async has(hash: string): Promise<boolean> {
    return (await fileSize(this.path(hash))) !== undefined;
  }

  /** The complete chunk's size; rejects (code ENOENT) when it is not stored. */
  async size(hash: string): Promise<number> {
    const size = await fileSize(this.path(hash));
    if (size === undefined) throw Object.assign(new Error(`chunk ${hash} is not stored`), { code: 'ENOENT' });
    return size;
  }

  /**
   * Marks a stored chunk as just used by an upload (its mtime), so the collection spares it for another grace period;
   * answers its size, or undefined when it is not stored.
   */
  refresh(hash: string): Promise<number | undefined> {
    const file = this.path(hash);
    return this.gate.shared(async () => {
      const now = new Date();
      try {
        await utimes(file, now, now);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      return fileSize(file);
    });
  }

  /** Runs `fn` while no chunk can be collected: for checking that chunks exist and then referencing them. */
  keep<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.gate.shared(fn);
  }

  /** Runs `fn` while no `keep` or `refresh` runs: for the collector only (collect.ts). */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.gate.exclusive(fn);
  }

  /** Whether a collection waits for, or holds, the store (tests use it to wait for that state). */
  get collecting(): boolean {
    return this.gate.exclusiveWaiting;
  }

  /** Bytes already received for an upload in progress (0 when none). */
  async partialSize(hash: string): Promise<number> {
    return (await fileSize(this.partialPath(hash))) ?? 0;
  }

  /** Re-hashes the stored chunk by streaming it; false when it is missing or its bytes no longer match the address. */
  async verify(hash: string): Promise<boolean> {
    try {
      return (await sha256File(this.path(hash))) === hash;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** The addresses among `hashes` that are not stored, de-duplicated, in order of first appearance. */
  async missing(hashes: readonly string[]): Promise<string[]> {
    for (const hash of hashes) assertChunkHash(hash);
    const unique = [...new Set(hashes)];
    const present = new Array<boolean>(unique.length);
    // A few stats in flight at once: fast on big lists without opening thousands of handles together.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < unique.length) {
        const i = next++;
        present[i] = await this.has(unique[i] as string);
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, unique.length) }, worker));
    return unique.filter((_, i) => !present[i]);
  }

  /** Opens a complete chunk for reading; the caller closes the handle. Undefined when it is not stored. */
  async openRead(hash: string): Promise<ReadableChunk | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.path(hash), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const info = await handle.stat();
      return { handle, size: info.size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Deletes partials untouched for `maxAgeMs` (abandoned uploads) unless an upload of them is in progress; returns how
   * many went. Nothing prunes on its own: the server decides when (e.g. at start and daily).
   */
  async prunePartials(maxAgeMs: number, now = Date.now()): Promise<number> {
    let pruned = 0;
    for (const name of await readdir(this.partialDir).catch(() => [])) {
      if (!isChunkHash(name) || this.writers.has(name)) continue;
      const file = this.partialPath(name);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile() && now - info.mtimeMs > maxAgeMs) {
        await rm(file, { force: true });
        pruned++;
      }
    }
    return pruned;
  }

  /** Resolves once no write of `hash` is in progress (at once when there is none). */
  async settled(hash: string): Promise<void> {
    await this.writers.get(hash);
  }

  /**
   * Appends `source` to the chunk's partial file from `offset` and, once `total` bytes are there, verifies and installs
   * the chunk. Refusals thrown before any byte is read (BAD_RANGE, TOO_LARGE, BUSY, OFFSET_MISMATCH) leave `source`
   * untouched; so does the `exists` result. Memory stays bounded: pieces are hashed and written as they arrive.
   */
  async write(hash: string, source: Readable, { offset, total }: WriteOptions): Promise<WriteResult> {
    assertChunkHash(hash);
    if (!Number.isSafeInteger(total) || !Number.isSafeInteger(offset) || offset < 0 || offset > total) {
      throw new ChunkStoreError('BAD_RANGE', `bad range: offset ${offset}, total ${total}`);
    }
    if (total > MAX_CHUNK_BYTES) throw new ChunkStoreError('TOO_LARGE', `a chunk holds at most ${MAX_CHUNK_BYTES} bytes, not ${total}`);
    if (this.writers.has(hash)) {
      const size = await this.refresh(hash);
      if (size !== undefined) return { status: 'exists', size };
      throw new ChunkStoreError('BUSY', `chunk ${hash} is being uploaded`, await this.partialSize(hash));
    }
    // Taken synchronously after the check above, so two writes of one address can never both get past it.
    let release = (): void => {};
    this.writers.set(hash, new Promise<void>((resolve) => (release = resolve)));
    try {
      return await this.writeExclusive(hash, source, offset, total);
    } finally {
      this.writers.delete(hash);
      release();
    }
  }

  private async writeExclusive(hash: string, source: Readable, offset: number, total: number): Promise<WriteResult> {
    const size = await this.refresh(hash);
    if (size !== undefined) return { status: 'exists', size };
    await this.init();
    const partial = this.partialPath(hash);
    const current = await this.partialSize(hash);
    if (offset !== 0 && offset !== current) {
      throw new ChunkStoreError('OFFSET_MISMATCH', `the upload resumes at ${offset} but the partial holds ${current} bytes`, current);
    }
    // The running hash must cover the whole chunk, so a resumed upload first re-reads the prefix already on disk.
    const hasher = createHash('sha256');
    if (offset > 0) await hashFileInto(hasher, partial, offset);

    const handle = await open(partial, offset === 0 ? 'w' : 'r+');
    const writer = new BatchWriter(handle, offset);
    let position = offset; // bytes received so far (queued to the writer)
    let closed = false;
    const close = async (sync: boolean): Promise<void> => {
      if (closed) return;
      closed = true;
      try {
        if (sync) await handle.sync();
      } finally {
        await handle.close();
      }
    };
    try {
      const pieces = source[Symbol.asyncIterator]() as AsyncIterator<unknown>;
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await pieces.next();
        } catch (error) {
          // The source failed, not the disk: keep what arrived, durably, so the next upload can resume from it.
          await writer.flush();
          await close(true);
          return { status: 'interrupted', received: position, error };
        }
        if (next.done) break;
        const piece = toBytes(next.value);
        if (position + piece.length > total) {
          await pieces.return?.();
          throw new ChunkStoreError('TOO_LONG', `the upload sends more than the ${total} bytes it announced`);
        }
        hasher.update(piece);
        await writer.add(piece);
        position += piece.length;
      }
      await writer.flush();
      if (position < total) {
        await close(true);
        return { status: 'partial', received: position };
      }

      if (hasher.digest('hex') !== hash) {
        await close(false);
        await rm(partial, { force: true });
        throw new ChunkStoreError('HASH_MISMATCH', `the ${total} bytes received do not hash to ${hash}`);
      }
      await close(true);
      await this.install(partial, this.path(hash));
      return { status: 'stored', size: total };
    } finally {
      await close(false);
    }
  }

  /** Renames a verified, fsynced partial into place; `durable()` makes the new directory entries durable. */
  private async install(from: string, to: string): Promise<void> {
    const shard = path.dirname(to);
    // mkdir returns the first directory it created: the root then gained an entry that must be made durable too.
    if ((await mkdir(shard, { recursive: true })) !== undefined) this.unsynced.add(this.dir);
    // The partial's mtime is its last write, maybe long ago (completed with `bytes */total`): the chunk is new now.
    const now = new Date();
    await utimes(from, now, now);
    await rename(from, to);
    this.unsynced.add(shard);
  }

  /**
   * Makes every chunk stored so far durable under its name: one fsync per folder that gained chunks since the last call
   * (new shards before the store's folder that names them). A folder whose fsync fails stays to be done next time.
   */
  async durable(): Promise<void> {
    const folders = [...this.unsynced];
    this.unsynced = new Set();
    const shards = folders.filter((f) => f !== this.dir);
    const failures: Array<{ folder: string; error: unknown }> = [];
    const sync = async (folder: string): Promise<void> => {
      try {
        await fsyncDirectory(folder);
      } catch (error) {
        failures.push({ folder, error });
      }
    };
    // A few at once: a commit of thousands of chunks touches each of the 256 shards.
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(8, shards.length) }, async () => {
      while (next < shards.length) await sync(shards[next++] as string);
    }));
    if (shards.length < folders.length) await sync(this.dir);
    for (const { folder } of failures) this.unsynced.add(folder);
    if (failures[0]) throw failures[0].error;
  }

  /** Belt and braces behind the hash pattern: a path derived from an address must stay inside the store. */
  private inside(candidate: string): string {
    const resolved = path.resolve(candidate);
    if (!resolved.startsWith(this.dir + path.sep)) throw new Error(`path escapes the chunk store: ${resolved}`);
    return resolved;
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError('a chunk source must yield bytes (Buffer or Uint8Array), not strings or objects');
}


function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
