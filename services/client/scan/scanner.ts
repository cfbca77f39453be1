/**
 * WorkspaceScanner: what is in a workspace folder right now, as asset URIs with sizes and SHA-256 hashes, cheap enough
 * to run after every burst of file-system events. Only files whose stat changed since the last scan are read (the
 * index in scan-index.ts), a few at a time, each through a fixed buffer.
 */
import path from 'node:path';
import type sqlite from 'node-sqlite3-wasm';
import { parentUri } from '../../../shared/assethub/uri.ts';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { isGone } from './fs-errors.ts';
import { hashFile } from './hash.ts';
import { IgnoredList } from './ignored-list.ts';
import { loadIgnoreRules, type IgnoreRules } from './rules.ts';
import { ScanIndex, statRow, unchanged, type IndexRow } from './scan-index.ts';
import type { ScanEntry, ScanOptions, ScanResult } from './types.ts';
import { walk, type WalkedEntry } from './walk.ts';
import { watchWorkspace } from './watch.ts';

export interface WorkspaceScannerOptions {
  /** Absolute path of the workspace folder. */
  root: string;
  /** The client's database; the scanner owns table scan_index in it. */
  db: sqlite.Database;
  /** Key of the workspace in scan_index (the client uses the absolute path, as in seed 002). */
  workspaceKey: string;
  logger?: Logger;
  /** Files hashed at once (default 4): enough to overlap I/O, few enough not to thrash a spinning disk. */
  hashConcurrency?: number;
}

/**
 * A file whose mtime is this close to the moment it was hashed may be written again within the same timestamp tick
 * (coarse on FAT, SMB and some Windows paths) without its stat changing, so its hash is not trusted next time (as
 * git's "racily clean" entries). A clock skew with a network share of up to this much is covered too.
 */
export const RACY_NS = 2_000_000_000n;
const HASH_BUFFER = 256 * 1024;
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
    const known = this.index.load();
    const entries = new Map<string, ScanEntry>();
    const ignored = new IgnoredList(this.log);
    const skipped: string[] = [];
    const upserts = new Map<string, IndexRow>();
    const pending: Pending[] = [];
    const stats = { files: 0, directories: 0, hashed: 0, bytesHashed: 0, ms: 0 };
    const progress = throttled(onProgress);
    let done = 0;

    const visit = (e: WalkedEntry): void => {
      if (e.kind === 'directory') {
        entries.set(e.uri, { kind: 'directory', size: 0, hash: null });
        return;
      }
      const row = known.get(e.uri);
      if (row && unchanged(row, e.stat)) {
        entries.set(e.uri, { kind: 'file', size: row.size, hash: row.hash });
        progress(++done);
      } else {
        pending.push({ uri: e.uri, file: e.file });
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
      let next = 0;
      const worker = async (): Promise<void> => {
        const buffer = Buffer.allocUnsafe(HASH_BUFFER);
        for (let job = pending[next++]; job !== undefined; job = pending[next++]) {
          signal?.throwIfAborted();
          await hashOne(job, buffer);
        }
      };
      const workers = await Promise.allSettled(Array.from({ length: this.hashConcurrency }, worker));
      for (const w of workers) if (w.status === 'rejected') throw w.reason;
    } catch (error) {
      // Keep what was hashed, so an aborted first scan of a big workspace does not start from zero; delete nothing,
      // since the walk may not have reached everything.
      if (signal?.aborted) this.index.apply({ upserts, deletes: [] });
      throw error;
    }

    const deletes = staleRows(known, entries, skipped);
    this.index.apply({ upserts, deletes });
    for (const entry of entries.values()) {
      if (entry.kind === 'file') stats.files++;
      else stats.directories++;
    }
    stats.ms = performance.now() - started;
    onProgress?.(stats.files);
    this.log.debug({ root: this.root, ...stats, ignored: ignored.uris.length, skipped: skipped.length }, 'workspace scanned');
    return { entries, ignored: ignored.uris.sort(), skipped: skipped.sort(), stats };
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

/** Calls `report` at most every PROGRESS_EVERY_MS: progress goes out as protocol Updates, not once per file. */
function throttled(report: ((files: number) => void) | undefined): (files: number) => void {
  if (!report) return () => undefined;
  let last = 0;
  return (files) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    report(files);
  };
}
