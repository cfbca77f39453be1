/**
 * Deleting assets. Only what the commit names goes: a file is unlinked, a folder removed only when empty. Untracked or
 * ignored files the user keeps in a folder are never swept away with it, and nothing is deleted through a symlink.
 */
import { rmdir, unlink } from 'node:fs/promises';
import { PathConflictError } from './errors.ts';
import { checkParents, resolveOrThrow } from './directories.ts';
import { lstatOrUndefined } from './paths.ts';

export interface RemoveResult {
  /** True when nothing is left at the path (also when it was already gone); false for a folder that is not empty. */
  removed: boolean;
}

export async function removeAsset(root: string, uri: string, kind: 'file' | 'directory'): Promise<RemoveResult> {
  // resolveOrThrow refuses a symlink at the target itself, checkParents one on the way (lstat: links are not followed).
  const { target, segments } = await resolveOrThrow(root, uri);
  await checkParents(root, uri, segments);
  const info = await lstatOrUndefined(target);
  if (!info) return { removed: true };
  if (kind === 'file') {
    if (info.isDirectory()) throw new PathConflictError(target, `${uri} is a folder here, not a file; it was left as it is`);
    await unlink(target).catch(ignoreMissing);
    return { removed: true };
  }
  if (!info.isDirectory()) throw new PathConflictError(target, `${uri} is a file here, not a folder; it was left as it is`);
  try {
    await rmdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // What is left inside is not the commit's to delete: untracked or ignored files, or assets removed later.
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return { removed: false };
    if (code !== 'ENOENT') throw error;
  }
  return { removed: true };
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
