/**
 * Where an asset URI lands on disk, and the client's private area. Every disk access of this module goes through
 * `resolveInWorkspace` first, so a URI from the server can never name a path outside the workspace: the URI rules of
 * shared/assethub refuse `..`, absolute paths, drive letters and the like; the symlink checks here refuse a path that
 * only leaves the workspace once links are followed.
 */
import type { Stats } from 'node:fs';
import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isWithin } from '../../../shared/assethub/paths.ts';
import { assetUriSegments } from '../../../shared/assethub/uri.ts';
import { err, ok, type Result } from '../../../shared/result.ts';

/** The client's private folder in each workspace: partial downloads and temp files; the scanner ignores it. */
export const PRIVATE_DIR = '.assethub';

/** True when `child` is `parent` or below it (both absolute). Case-insensitive where the platform's paths are. */
export const isInside = (parent: string, child: string): boolean => isWithin(path, parent, child);

/**
 * The URI's segments under the asset URI rules, plus one of ours: the private folder is not addressable, so a remote
 * change can neither overwrite a partial download nor delete the folder (compared case-insensitively, as on Windows
 * and macOS disks).
 */
export function workspaceSegments(uri: string): Result<string[], string> {
  const segments = assetUriSegments(uri);
  if (!segments.ok) return segments;
  if (segments.value[0]?.toLowerCase() === PRIVATE_DIR) return err(`"${PRIVATE_DIR}" is the client's private folder`);
  return segments;
}

export async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch (error) {
    // ENOTDIR: a file stands where a folder of the path should be, so nothing below it exists either.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * The absolute path of `uri` in the workspace at `root`, or why it is refused. Refused: URIs the asset rules refuse,
 * the private folder, a join that leaves `root` (defence in depth), a path whose deepest existing ancestor really lives
 * outside `root` once symlinks are followed, and a target that is itself a symlink (never written through).
 *
 * Intermediate symlinks that stay inside the workspace pass here; the functions that create or delete are stricter
 * (see directories.ts). The checks are made now: a folder swapped for a symlink afterwards by a local process is not
 * caught, which is acceptable as the threat is a hostile or broken URI from the server, not the local user.
 */
export async function resolveInWorkspace(root: string, uri: string): Promise<Result<string, string>> {
  const segments = workspaceSegments(uri);
  if (!segments.ok) return segments;
  const base = path.resolve(root);
  const target = path.join(base, ...segments.value);
  if (target === base || !isInside(base, target)) return err('the path leaves the workspace');

  let realBase: string;
  try {
    realBase = await realpath(base);
  } catch (error) {
    return err(`the workspace folder ${base} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }

  // Walk down with lstat to the deepest entry that exists; a symlink on the way is followed by the next lstat.
  let deepest = base;
  for (const [i, segment] of segments.value.entries()) {
    const next = path.join(deepest, segment);
    const info = await lstatOrUndefined(next);
    if (!info) break;
    if (info.isSymbolicLink() && i === segments.value.length - 1) return err('the target is a symlink; the client never writes through one');
    deepest = next;
    if (!info.isDirectory() && !info.isSymbolicLink()) break;
  }
  let realDeepest: string;
  try {
    realDeepest = await realpath(deepest);
  } catch {
    return err(`${path.relative(base, deepest)} is a symlink that cannot be resolved`);
  }
  if (!isInside(realBase, realDeepest)) return err(`${path.relative(base, deepest) || '.'} leads outside the workspace (to ${realDeepest})`);
  return ok(target);
}

/**
 * `<root>/.assethub/<name>`, created on demand. Each level must be a real folder: a symlink planted there would
 * otherwise carry partials and temp files (and their clean-up) somewhere else.
 */
export async function privateDir(root: string, name: string): Promise<string> {
  let dir = path.resolve(root);
  for (const segment of [PRIVATE_DIR, name]) {
    dir = path.join(dir, segment);
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const info = await lstat(dir);
    if (!info.isDirectory()) throw new Error(`${dir} must be a folder, not a ${info.isSymbolicLink() ? 'symlink' : 'file'}`);
  }
  return dir;
}

/** `<root>/.assethub/tmp`: scratch files of the client (e.g. local reverts); emptied by `cleanStaleTemp` at start. */
export const workspaceTempDir = (root: string): Promise<string> => privateDir(root, 'tmp');

/** `<root>/.assethub/partial`: downloads in progress, named by the file's SHA-256; they survive restarts to resume. */
export const workspacePartialDir = (root: string): Promise<string> => privateDir(root, 'partial');
