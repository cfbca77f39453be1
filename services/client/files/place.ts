/**
 * The last step of every write: a complete, fsynced file in the private folder is renamed onto its target. A rename
 * within one file system is atomic, so a reader (or a crash) sees the old file or the new one, never a mix; the
 * private folder is inside the workspace, hence on the same file system as every target.
 */
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { PathConflictError } from './errors.ts';
import { fsyncDirectory } from '../../lib/fsync.ts';
import { checkParents, createDirectories, resolveOrThrow } from './directories.ts';
import { lstatOrUndefined } from './paths.ts';

/** Throws PathConflictError when a folder stands at the target: a file never replaces a folder and what it holds. */
async function assertNotFolder(target: string, uri: string): Promise<void> {
  const info = await lstatOrUndefined(target);
  if (info?.isDirectory()) throw new PathConflictError(target, `${uri} is a folder here; a file cannot replace it`);
}

/**
 * What `placeFile` will refuse, checked before the bytes are fetched or copied, so a refused URI costs nothing and
 * leaves no trace: unsafe paths, symlinks or files on the way, a folder at the target.
 */
export async function checkFileTarget(root: string, uri: string): Promise<string> {
  const { target, segments } = await resolveOrThrow(root, uri);
  await checkParents(root, uri, segments);
  await assertNotFolder(target, uri);
  return target;
}

/** Moves `source` (already fsynced) onto `uri`, creating missing parent folders, and makes the rename durable. */
export async function placeFile(root: string, uri: string, source: string): Promise<string> {
  const { segments } = await resolveOrThrow(root, uri);
  await createDirectories(root, uri, segments.slice(0, -1));
  // Again, now that the parents exist: the realpath and symlink checks then cover every level of the final path.
  const { target } = await resolveOrThrow(root, uri);
  await assertNotFolder(target, uri);
  await rename(source, target);
  await fsyncDirectory(path.dirname(target));
  return target;
}
