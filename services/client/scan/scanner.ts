/**
 * WorkspaceScanner: what is in a workspace folder right now, as asset URIs with sizes and SHA-256 hashes, cheap enough
 * to run after every burst of file-system events. The walk runs on a scan thread (threads.ts, walk.ts) and is
 * compared here with the stat index (scan-index.ts), kept in memory; only files whose stat changed are read: a few on
 * this thread with bounded concurrency (readers.ts), many (a first scan) on several scan threads at once.
 */
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type sqlite from 'node-sqlite3-wasm';
import { parentUri, uriPath } from '../../../shared/assethub/uri.ts';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { isGone } from './fs-errors.ts';
import { hashFile, isRacy, Read } from './hash.ts';
import { READ_BUFFER, readAll } from './readers.ts';
import { ignoreRules, readPxignore, type IgnoreRules } from './rules.ts';
import { packStat, rowOf, ScanIndex, STAT_WORDS, unchanged, type IndexRow, type IndexUpdate } from './scan-index.ts';
import { HASH_THREADS, hashOn, ScanThreadError, ScanThreads, walkOn, type HashJob } from './threads.ts';
import type { ReadFile, ScanEntry, ScanOptions, ScanResult } from './types.ts';
import { KIND_DIRECTORY } from './walk.ts';
import { watchWorkspace } from './watch.ts';

export { RACY_NS } from './hash.ts';

export interface WorkspaceScannerOptions {
  /** Absolute path of the workspace folder. */
  root: string;
  /** The client's database; the scanner owns table scan_index in it. */
  db: sqlite.Database;
  /** Key of the workspace in scan_index (the client uses the absolute path, as the documented states do). */
  workspaceKey: string;
  logger?: Logger;
  /**
   * Files larger than 256 KiB read at once (default 4): enough to overlap I/O, few enough not to thrash a spinning
   * disk. Smaller files, whose cost is round trips rather than bandwidth, are read up to 16 at once.
   */
  hashConcurrency?: number;
  /**
   * From this many files to read (default 256), they are read on scan threads rather than this one: starting threads
   * costs tens of milliseconds, a read here ~70 µs, there ~10 µs.
   */
  threadedReadsFrom?: number;
  /** Scan threads reading files at once (default HASH_THREADS: one per core beyond the first, at most four). */
  hashThreads?: number;
  /** Starts a scan thread (tests: a thread that fails). */
  startThread?: () => Worker;
}

const PROGRESS_EVERY_MS = 100;

export class WorkspaceScanner {
  readonly root: string;
  private readonly index: ScanIndex;
  private readonly log: Logger;
  private readonly hashConcurrency: number;
  private readonly threadedReadsFrom: number;
  private readonly hashThreads: number;
  private readonly threads: ScanThreads;
  /** The rules of the latest scan, so the watcher drops events a scan would ignore anyway. */
  private rules: IgnoreRules | null = null;
  /** Scans run one after the other: two at once would race on the index. */
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * The index rows, kept in memory between scans: reading 100,000 rows out of SQLite (WebAssembly) costs more than the
   * whole walk. Rows are only ever trusted when the stat still matches, so a stale row costs a re-hash, never a
   * wrong hash. Null until the first scan, and after a failed write.
   */
  private known: Map<string, IndexRow> | null = null;

  constructor(options: WorkspaceScannerOptions) {
    if (!path.isAbsolute(options.root)) throw new Error(`the workspace root must be an absolute path: "${options.root}"`);
    this.root = options.root;
    this.index = new ScanIndex(options.db, options.workspaceKey);
    this.log = options.logger ?? silentLogger();
    this.hashConcurrency = Math.max(1, options.hashConcurrency ?? 4);
    this.threadedReadsFrom = options.threadedReadsFrom ?? 256;
    this.hashThreads = Math.max(1, options.hashThreads ?? HASH_THREADS);
    this.threads = new ScanThreads(options.startThread);
  }

  /** Scans the workspace. Throws only when the root cannot be read, or with the signal's reason on abort. */
  scan(options: ScanOptions = {}): Promise<ScanResult> {
    const run = this.queue.then(() => this.run(options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Records files a caller read itself (a push, a pull), so the next scan need not read them again: each with its
   * hash, or as "read next time" when it is racy now (hash.ts), like a file the scan read.
   */
  remember(files: readonly ReadFile[]): Promise<void> {
    const run = this.queue.then(() => {
      const upserts = new Map<string, IndexRow>();
      const one = new Float64Array(STAT_WORDS);
      for (const { uri, stat, hash } of files) {
        packStat(one, 0, 0, stat);
        upserts.set(uri, rowOf(one, 0, isRacy(stat, Number(stat.size)) ? null : hash));
      }
      this.save(this.known ?? this.index.load(), { upserts, deletes: [] });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Calls `onChange` (debounced) when something a scan would see may have changed; returns the stop function. */
  watch(onChange: () => void, debounceMs = 300): () => void {
    return watchWorkspace(this.root, onChange, {
      debounceMs,
      logger: this.log,
      ignores: (relative) => this.rules?.ignores(relative, false) ?? false,
    });
  }

  private async run({ onProgress, signal, deferReads = false }: ScanOptions): Promise<ScanResult> {
    const started = performance.now();
    signal?.throwIfAborted();
    const pxignore = await readPxignore(this.root, this.log);
    const rules = ignoreRules(pxignore);
    this.rules = rules;
    const known = this.known ?? this.index.load();
    this.known = null;
    const entries = new Map<string, ScanEntry>();
    const skipped: string[] = [];
    const upserts = new Map<string, IndexRow>();
    const small: HashJob[] = [];
    const large: HashJob[] = [];
    const stats = { files: 0, directories: 0, hashed: 0, bytesHashed: 0, readThreads: 0, ms: 0 };
    const progress = throttled(onProgress);
    let done = 0;
    // Index rows whose file is still there: when all are, no row is stale (the usual case, and no second pass).
    let knownFiles = 0;

    const onChunk = (uris: string[], s: Float64Array): void => {
      for (let i = 0, at = 0; i < uris.length; i++, at += STAT_WORDS) {
        const uri = uris[i] as string;
        if (s[at] === KIND_DIRECTORY) {
          entries.set(uri, { kind: 'directory', size: 0, hash: null });
          stats.directories++;
          continue;
        }
        const row = known.get(uri);
        if (row && unchanged(row, s, at)) {
          entries.set(uri, { kind: 'file', size: row.size, hash: row.hash });
          stats.files++;
          knownFiles++;
          progress(++done);
        } else {
          const size = s[at + 1] as number;
          (size > READ_BUFFER ? large : small).push({ uri, file: path.join(this.root, uriPath(uri)), size });
        }
      }
    };

    /** Records one file read (`tag`: a Read), on either path. */
    const onRead = ({ uri, file }: HashJob, tag: number, hash: string, s: Float64Array, at: number, error: unknown): void => {
      if (tag === Read.NotDone) return;
      if (tag === Read.Hashed || tag === Read.Racy) {
        const size = s[at + 1] as number;
        upserts.set(uri, rowOf(s, at, tag === Read.Hashed ? hash : null));
        entries.set(uri, { kind: 'file', size, hash });
        if (known.has(uri)) knownFiles++;
        stats.files++;
        stats.hashed++;
        stats.bytesHashed += size;
      } else if (tag === Read.NotAFile) {
        // No longer a regular file (replaced since the walk): the next scan sees what it became.
        skipped.push(uri);
      } else if (tag === Read.Failed) {
        skipped.push(uri);
        this.log.debug({ err: error, file }, 'cannot read a file; skipped this scan');
      }
      progress(++done);
    };

    const one = new Float64Array(STAT_WORDS);
    const hashHere = async (job: HashJob, buffer: Buffer): Promise<void> => {
      try {
        const result = await hashFile(job.file, buffer);
        if (result === null) return onRead(job, Read.NotAFile, '', one, 0, null);
        packStat(one, 0, isRacy(result.stat, result.size) ? Read.Racy : Read.Hashed, result.stat, result.size);
        onRead(job, one[0] as number, result.hash, one, 0, null);
      } catch (error) {
        onRead(job, isGone(error) ? Read.Gone : Read.Failed, '', one, 0, error);
      }
    };

    try {
      const [walker] = this.threads.take(1);
      const end = await walkOn(walker as NonNullable<typeof walker>, { root: this.root, pxignore }, onChunk, signal);
      signal?.throwIfAborted();
      if (end.rootError) throw Object.assign(new Error(end.rootError.message), { code: end.rootError.code });
      for (const [uri, why] of end.skipped) {
        skipped.push(uri);
        this.log.debug({ uri, why }, 'cannot read an entry; skipped this scan');
      }
      const toRead = large.length + small.length;
      if (deferReads) {
        for (const { uri, size } of [...large, ...small]) {
          entries.set(uri, { kind: 'file', size, hash: null });
          if (known.has(uri)) knownFiles++;
          stats.files++;
        }
      } else if (toRead >= this.threadedReadsFrom && toRead > 0) {
        const readers = this.threads.take(Math.min(this.hashThreads, toRead));
        stats.readThreads = readers.length;
        await hashOn(readers, [...large, ...small], (job, r, i) => {
          const at = i * STAT_WORDS;
          onRead(job, r.stats[at] as number, r.hashes[i] ?? '', r.stats, at, r.errors[i]);
        }, signal);
      } else {
        await readAll(large, small, this.hashConcurrency, hashHere, signal);
      }
      this.save(known, { upserts, deletes: knownFiles === known.size ? [] : staleRows(known, entries, skipped) });
      stats.ms = performance.now() - started;
      onProgress?.(stats.files);
      this.log.debug({ root: this.root, ...stats, ignored: end.ignored.length, skipped: skipped.length }, 'workspace scanned');
      return { entries, ignored: end.ignored.sort(), skipped: skipped.sort(), stats };
    } catch (error) {
      // Keep what was hashed, so an aborted (or broken off) first scan of a big workspace does not start from zero;
      // delete nothing, since the walk may not have reached everything.
      if (signal?.aborted || error instanceof ScanThreadError) this.save(known, { upserts, deletes: [] });
      throw error;
    } finally {
      this.threads.release();
    }
  }

  /** Writes a scan's changes to the index, and to the copy in memory once they are safely in the database. */
  private save(known: Map<string, IndexRow>, update: IndexUpdate): void {
    this.index.apply(update);
    for (const [uri, row] of update.upserts) known.set(uri, row);
    for (const uri of update.deletes) known.delete(uri);
    this.known = known;
  }
}

/** Index rows of files no longer on disk; rows at or under a skipped URI stay, as the file may well still be there. */
function staleRows(known: Map<string, IndexRow>, entries: Map<string, ScanEntry>, skipped: string[]): string[] {
  const keep = new Set(skipped);
  const underSkipped = (uri: string): boolean => {
    for (let u: string | null = uri; u !== null; u = parentUri(u)) if (keep.has(u)) return true;
    return false;
  };
  const stale: string[] = [];
  for (const uri of known.keys()) {
    if (entries.get(uri)?.kind !== 'file' && (keep.size === 0 || !underSkipped(uri))) stale.push(uri);
  }
  return stale;
}

/**
 * Calls `report` at most every PROGRESS_EVERY_MS: progress goes out as protocol Updates, not once per file. The clock
 * is only read every 256 files, as this runs once per file.
 */
function throttled(report: ((files: number) => void) | undefined): (files: number) => void {
  if (!report) return () => undefined;
  let last = performance.now();
  return (files) => {
    if ((files & 255) !== 0) return;
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    report(files);
  };
}
