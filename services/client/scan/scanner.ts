/**
 * WorkspaceScanner: what is in a workspace folder right now, as asset URIs with sizes and SHA-256 hashes, cheap enough
 * to run after every burst of file-system events. Only files whose stat changed since the last scan are read (the
 * index in scan-index.ts), with bounded concurrency and a fixed buffer per reader (readers.ts).
 */
import path from 'node:path';
import type sqlite from 'node-sqlite3-wasm';
import { parentUri } from '../../../shared/assethub/uri.ts';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { isGone } from './fs-errors.ts';
import { hashFile } from './hash.ts';
import { IgnoredList } from './ignored-list.ts';
import { READ_BUFFER, readAll } from './readers.ts';
import { loadIgnoreRules, type IgnoreRules } from './rules.ts';
import { ScanIndex, statRow, unchanged, type IndexRow, type IndexUpdate } from './scan-index.ts';
import type { ScanEntry, ScanOptions, ScanResult } from './types.ts';
import { walk, type WalkedEntry } from './walk.ts';
import { watchWorkspace } from './watch.ts';

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
}

/**
 * A file whose mtime is this close to the moment it was hashed may be written again within the same timestamp tick
 * (coarse on FAT, SMB and some Windows paths) without its stat changing, so its hash is not trusted next time (as
 * git's "racily clean" entries). A clock skew with a network share of up to this much is covered too.
 */
export const RACY_NS = 2_000_000_000n;
const PROGRESS_EVERY_MS = 100;

interface Pending { uri: string; file: string }

export class WorkspaceScanner {
  readonly root: string;
  private readonly index: ScanIndex;
  private readonly log: Logger;
  private readonly hashConcurrency: number;
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
  }

  /** Scans the workspace. Throws only when the root cannot be read, or with the signal's reason on abort. */
  scan(options: ScanOptions = {}): Promise<ScanResult> {
    const run = this.queue.then(() => this.run(options));
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

  private async run({ onProgress, signal }: ScanOptions): Promise<ScanResult> {
    const started = performance.now();
    signal?.throwIfAborted();
    const rules = await loadIgnoreRules(this.root, this.log);
    this.rules = rules;
    const known = this.known ?? this.index.load();
    this.known = null;
    const entries = new Map<string, ScanEntry>();
    const ignored = new IgnoredList(this.log);
    const skipped: string[] = [];
    const upserts = new Map<string, IndexRow>();
    const small: Pending[] = [];
    const large: Pending[] = [];
    const stats = { files: 0, directories: 0, hashed: 0, bytesHashed: 0, ms: 0 };
    const progress = throttled(onProgress);
    let done = 0;

    const visit = (e: WalkedEntry): void => {
      if (e.kind === 'directory') {
        entries.set(e.uri, { kind: 'directory', size: 0, hash: null });
        stats.directories++;
        return;
      }
      const row = known.get(e.uri);
      if (row && unchanged(row, e.stat)) {
        entries.set(e.uri, { kind: 'file', size: row.size, hash: row.hash });
        stats.files++;
        progress(++done);
      } else {
        (e.stat.size > READ_BUFFER ? large : small).push({ uri: e.uri, file: e.file });
      }
    };

    const hashOne = async ({ uri, file }: Pending, buffer: Buffer): Promise<void> => {
      try {
        const result = await hashFile(file, buffer);
        if (result === null) {
          // No longer a regular file (replaced since the walk): the next scan sees what it became.
          skipped.push(uri);
          return;
        }
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        const racy = result.stat.mtimeNs > nowNs - RACY_NS || result.size !== Number(result.stat.size);
        upserts.set(uri, statRow(result.stat, racy ? null : result.hash));
        entries.set(uri, { kind: 'file', size: result.size, hash: result.hash });
        stats.files++;
        stats.hashed++;
        stats.bytesHashed += result.size;
      } catch (error) {
        if (!isGone(error)) {
          skipped.push(uri);
          this.log.debug({ err: error, file }, 'cannot read a file; skipped this scan');
        }
      } finally {
        progress(++done);
      }
    };

    try {
      await walk({ root: this.root, rules, ignored, skipped, log: this.log, signal }, visit);
      await readAll(large, small, this.hashConcurrency, hashOne, signal);
    } catch (error) {
      // Keep what was hashed, so an aborted first scan of a big workspace does not start from zero; delete nothing,
      // since the walk may not have reached everything.
      if (signal?.aborted) this.save(known, { upserts, deletes: [] });
      throw error;
    }

    this.save(known, { upserts, deletes: staleRows(known, entries, skipped) });
    stats.ms = performance.now() - started;
    onProgress?.(stats.files);
    this.log.debug({ root: this.root, ...stats, ignored: ignored.uris.length, skipped: skipped.length }, 'workspace scanned');
    return { entries, ignored: ignored.uris.sort(), skipped: skipped.sort(), stats };
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
