/**
 * The walk, run on a scan thread (scan.worker.ts) with synchronous calls: on the client's thread a lstat per entry
 * through libuv cost more than the syscall itself, and a folder of 100,000 entries or a slow share must never hold
 * that thread. Iterative (an explicit stack, so depth costs heap, not call stack), every entry lstat'ed (bigint, for
 * nanosecond times) so symlinks are seen as such and never followed. Each entry is sorted into exactly one bucket:
 * the client's own (dropped), unreadable (`skipped`), not synced (`ignored`, with an ignored folder's contents), or
 * synced (sent to the scanner in chunks of URIs and packed stats; folders are then walked).
 */
import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { uriOfPath } from '../../../shared/assethub/uri.ts';
import { errorCode, isGone } from './fs-errors.ts';
import { IgnoredList } from './ignored-list.ts';
import { ignoreRules, isOwnName, isPortableName } from './rules.ts';
import { packStat, STAT_WORDS } from './scan-index.ts';

/** The tag of a walked entry's packed stat. */
export const KIND_FILE = 0;
export const KIND_DIRECTORY = 1;

/**
 * Entries per chunk at most: the scanner's thread handles a chunk in a few milliseconds whatever the folder's size,
 * and stops the walk within that many lstat's.
 */
export const CHUNK_ENTRIES = 2048;

/** `pxignore`: the text the scanner read (so both threads apply the same rules). */
export interface WalkRequest { type: 'walk'; id: number; root: string; pxignore: string | null; control: SharedArrayBuffer }
/** Synced entries in walk order: URIs joined by NUL (no name holds one: one string to clone), stats packed. */
export interface WalkChunk { type: 'chunk'; id: number; uris: string; stats: Float64Array }
/** The end of a walk. `rootError`: the root itself could not be read (the scan fails with it). */
export interface WalkEnd {
  type: 'end';
  id: number;
  ignored: string[];
  /** [uri, why] of each entry there but unreadable. */
  skipped: Array<[string, string]>;
  stopped: boolean;
  rootError: { message: string; code: string | undefined } | null;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Walks `root`; `emit` gets each full chunk (and the last one), `stopped` is asked between folders and chunks. */
export function walkTree(
  request: Pick<WalkRequest, 'root' | 'pxignore'>,
  emit: (uris: string, stats: Float64Array) => void,
  stopped: () => boolean,
): Omit<WalkEnd, 'type' | 'id'> {
  const { root } = request;
  const rules = ignoreRules(request.pxignore);
  const ignored = new IgnoredList();
  const skipped: Array<[string, string]> = [];
  let uris: string[] = [];
  let stats = new Float64Array(CHUNK_ENTRIES * STAT_WORDS);
  const flush = (): void => {
    if (uris.length === 0) return;
    emit(uris.join('\0'), uris.length === CHUNK_ENTRIES ? stats : stats.slice(0, uris.length * STAT_WORDS));
    uris = [];
    stats = new Float64Array(CHUNK_ENTRIES * STAT_WORDS);
  };
  const end = (stop: boolean): Omit<WalkEnd, 'type' | 'id'> => {
    flush();
    return { ignored: ignored.uris, skipped, stopped: stop, rootError: null };
  };

  // [absolute folder, path relative to the root with `/` separators ('' for the root)]
  const stack: Array<[string, string]> = [[root, '']];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (stopped()) return end(true);
    const [dir, rel] = next;
    let names: string[];
    try {
      names = readNames(dir, rel === '');
    } catch (error) {
      if (rel === '') return { ignored: [], skipped: [], stopped: false, rootError: { message: describe(error), code: errorCode(error) } };
      if (!isGone(error)) skipped.push([uriOfPath(rel), describe(error)]);
      continue;
    }
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const relPrefix = rel === '' ? '' : `${rel}/`;
    const uriPrefix = uriOfPath(relPrefix);
    const subdirs: Array<[string, string]> = [];
    for (const name of names) {
      const uri = uriPrefix + name;
      const file = prefix + name;
      let stat: BigIntStats | undefined;
      try {
        stat = lstatSync(file, { bigint: true, throwIfNoEntry: false });
      } catch (error) {
        stat = undefined;
        // Gone since the folder was read: simply absent. Anything else: there but unreadable.
        if (!isGone(error)) skipped.push([uri, describe(error)]);
      }
      if (stat === undefined) continue;
      const isDir = stat.isDirectory();
      if (!isDir && !stat.isFile()) {
        // Symlinks, FIFOs, sockets, devices: not synced, never followed.
        ignored.add(uri);
        continue;
      }
      if (!isPortableName(name) || ((isDir || rules.matchesFiles) && rules.ignores(relPrefix + name, isDir))) {
        ignored.add(uri);
        if (isDir && !ignored.full) ignored.addTree(file, uri);
        continue;
      }
      packStat(stats, uris.length * STAT_WORDS, isDir ? KIND_DIRECTORY : KIND_FILE, stat);
      uris.push(uri);
      if (uris.length === CHUNK_ENTRIES) {
        flush();
        if (stopped()) return end(true);
      }
      if (isDir) subdirs.push([file, relPrefix + name]);
    }
    // Reversed so the stack pops folders in name order: a deterministic walk, hence a deterministic capped ignored list.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as [string, string]);
  }
  return end(false);
}

/** A folder's entry names in code-unit order, without the client's own files. */
function readNames(dir: string, atRoot: boolean): string[] {
  return readdirSync(dir).filter((name) => !isOwnName(name, atRoot)).sort(); // code-unit order, the same on every machine
}
