/**
 * Which names the scanner syncs. Three layers, checked in this order:
 * 1. the client's own files (`.assethub/` at the root, `*.assethub-tmp` anywhere) are invisible: never synced, never
 *    reported, so the client's bookkeeping cannot show up as a local change;
 * 2. names an asset URI cannot carry (shared/assethub/uri.ts) are skipped and reported, so every machine can check out
 *    what one machine pushes;
 * 3. gitignore-style rules: the Unreal Engine folders that are rebuilt per machine, then the workspace's `.pxignore`.
 */
import { readFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { assetUriSegments, uriOfPath } from '../../../shared/assethub/uri.ts';
import type { Logger } from '../../lib/log.ts';
import { errorCode } from './fs-errors.ts';

export const CLIENT_DIR = '.assethub';
export const TMP_SUFFIX = '.assethub-tmp';
export const PXIGNORE = '.pxignore';

/** Unreal Engine caches and per-machine output; `.pxignore` may re-include them with `!Saved/`. */
export const DEFAULT_IGNORES: readonly string[] = ['DerivedDataCache/', 'Intermediate/', 'Saved/'];

/** Whether a directory entry belongs to the client itself; `atRoot` for entries directly under the workspace root. */
export const isOwnName = (name: string, atRoot: boolean): boolean => (atRoot && name === CLIENT_DIR) || name.endsWith(TMP_SUFFIX);

/**
 * The same test for a path relative to the root, with `/` or (Windows watch events) `\` separators. Anything under a
 * `*.assethub-tmp` folder counts too, since the scanner never walks into one.
 */
export function isOwnPath(relative: string): boolean {
  const segments = relative.split(/[\\/]/);
  return segments[0] === CLIENT_DIR || segments.some((s) => s.endsWith(TMP_SUFFIX));
}

// ASCII letters, digits, `_`, `-` and `.`, not ending with a dot: portable by every rule of the full check (no
// separator, control or Windows-forbidden character, not `.`/`..`, no trailing dot or space). Most names are such, and
// the walk's thread checks every one: the full check was a tenth of its time.
const PLAIN_NAME = /^[\w.-]*[\w-]$/;

/** Whether one file name can be part of an asset URI, by the shared rule that also guards checkouts. */
export const isPortableName = (name: string): boolean => PLAIN_NAME.test(name) || assetUriSegments(uriOfPath(name)).ok;

/** Matches paths relative to the root (`/` separators, a trailing `/` for directories) against the ignore rules. */
export interface IgnoreRules {
  ignores(relative: string, isDirectory: boolean): boolean;
  /**
   * False when every rule ends with `/` (the defaults, and a `.pxignore` that names folders only): then no rule
   * matches a file itself, only a folder above it, and the walk, which never enters an ignored folder, need not match
   * its files at all (about a quarter of an unchanged scan's time).
   */
  readonly matchesFiles: boolean;
}

/** The workspace's `.pxignore`, read afresh (null when missing or unreadable: the default rules alone apply). */
export async function readPxignore(root: string, log: Logger): Promise<string | null> {
  const file = path.join(root, PXIGNORE);
  try {
    // A symlinked .pxignore is not synced, so it must not steer what is: only a regular file counts.
    if (!(await lstat(file)).isFile()) return null;
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') log.debug({ err: error, file }, 'cannot read .pxignore; using the default rules');
    return null;
  }
}

/**
 * The rules in force: the defaults, then the `.pxignore` text. Matching is case-insensitive (the `ignore` package's
 * default) on every platform, so one `.pxignore` means the same on the Windows and the Linux machines that share a
 * branch.
 */
export function ignoreRules(pxignore: string | null): IgnoreRules {
  const matcher: Ignore = ignore().add(DEFAULT_IGNORES);
  if (pxignore !== null) matcher.add(pxignore);
  const matchesFiles = pxignore !== null && pxignore.split(/\r?\n/).some((line) => {
    const rule = line.trimEnd();
    return rule !== '' && !rule.startsWith('#') && !rule.endsWith('/');
  });
  return { ignores: (relative, isDirectory) => matcher.ignores(isDirectory ? `${relative}/` : relative), matchesFiles };
}
