/**
 * The walk: iterative (an explicit stack, so depth costs heap, not call stack), one folder at a time with
 * fs.promises.opendir, every entry lstat'ed (bigint, for nanosecond times) so symlinks are seen as such and never
 * followed. Each entry is sorted into exactly one bucket: the client's own (dropped), unreadable (`skipped`), not synced
 * (`ignored`, with an ignored folder's contents), or synced (handed to `visit`; folders are then walked).
 */
import { lstat, type BigIntStats } from 'node:fs';
import { opendir } from 'node:fs/promises';
import path from 'node:path';
import { uriOfPath } from '../../../shared/assethub/uri.ts';
import type { Logger } from '../../lib/log.ts';
import { isGone } from './fs-errors.ts';
import type { IgnoredList } from './ignored-list.ts';
import { isOwnName, isPortableName, type IgnoreRules } from './rules.ts';

export interface WalkedEntry {
  uri: string;
  /** Absolute path on disk. */
  file: string;
  kind: 'file' | 'directory';
  stat: BigIntStats;
}

export interface WalkContext {
  root: string;
  rules: IgnoreRules;
  ignored: IgnoredList;
  skipped: string[];
  log: Logger;
  signal?: AbortSignal | undefined;
}

// lstat calls in flight per folder: enough to keep libuv's thread pool busy, few enough that a folder of a million
// entries does not queue a million requests.
const LSTAT_IN_FLIGHT = 64;

type Lstat = { stat: BigIntStats } | { error: unknown };

/** Walks the workspace; throws only when the root itself cannot be read, or on abort. */
export async function walk(ctx: WalkContext, visit: (entry: WalkedEntry) => void): Promise<void> {
  const { root, rules, ignored, skipped, log, signal } = ctx;
  // [absolute folder, path relative to the root with `/` separators ('' for the root)]
  const stack: Array<[string, string]> = [[root, '']];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    signal?.throwIfAborted();
    const [dir, rel] = next;
    let names: string[];
    try {
      names = await readNames(dir, rel === '');
    } catch (error) {
      if (rel === '') throw error;
      if (!isGone(error)) {
        skipped.push(uriOfPath(rel));
        log.debug({ err: error, dir }, 'cannot read a folder; skipped this scan');
      }
      continue;
    }
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const stats = await lstatAll(prefix, names);
    const subdirs: Array<[string, string]> = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const result = stats[i] as Lstat;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const uri = uriOfPath(childRel);
      const file = prefix + name;
      if ('error' in result) {
        // Gone since the folder was read: simply absent. Anything else: there but unreadable.
        if (!isGone(result.error)) {
          skipped.push(uri);
          log.debug({ err: result.error, file }, 'cannot stat an entry; skipped this scan');
        }
        continue;
      }
      const { stat } = result;
      const isDir = stat.isDirectory();
      if (!isDir && !stat.isFile()) {
        // Symlinks, FIFOs, sockets, devices: not synced, never followed.
        ignored.add(uri);
        continue;
      }
      if (!isPortableName(name) || rules.ignores(childRel, isDir)) {
        ignored.add(uri);
        if (isDir && !ignored.full) await ignored.addTree(file, uri);
        continue;
      }
      visit({ uri, file, kind: isDir ? 'directory' : 'file', stat });
      if (isDir) subdirs.push([file, childRel]);
    }
    // Reversed so the stack pops folders in name order: a deterministic walk, hence a deterministic capped ignored list.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as [string, string]);
  }
}

/** A folder's entry names in code-unit order, without the client's own files. */
async function readNames(dir: string, atRoot: boolean): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of await opendir(dir, { bufferSize: 256 })) {
    if (!isOwnName(entry.name, atRoot)) names.push(entry.name);
  }
  return names.sort(); // code-unit order, the same on every machine
}

/**
 * lstat of every name (`prefix`: the folder's path with a trailing separator), LSTAT_IN_FLIGHT at a time. Callbacks
 * rather than fs.promises: this is the scan's hot loop, and a promise per entry about doubled its cost (bench).
 */
function lstatAll(prefix: string, names: string[]): Promise<Lstat[]> {
  const out = new Array<Lstat>(names.length);
  if (names.length === 0) return Promise.resolve(out);
  return new Promise((resolve) => {
    let next = 0;
    let done = 0;
    const start = (): void => {
      const i = next++;
      lstat(prefix + (names[i] as string), { bigint: true }, (error, stat) => {
        out[i] = error ? { error } : { stat };
        if (++done === names.length) resolve(out);
        else if (next < names.length) start();
      });
    };
    for (let k = 0; k < LSTAT_IN_FLIGHT && k < names.length; k++) start();
  });
}
