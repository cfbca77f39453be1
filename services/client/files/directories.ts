/**
 * Folders in the workspace. Creating and deleting never go through a symlink at any level, not even one that points
 * back inside the workspace: a pull must change the tree it describes, not whatever a link leads to.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory } from '../../lib/fsync.ts';
import { PathConflictError, UnsafePathError } from './errors.ts';
import { lstatOrUndefined, resolveInWorkspace, workspaceSegments } from './paths.ts';

/** The workspace path of `uri` and its segments; throws UnsafePathError when `resolveInWorkspace` refuses it. */
export async function resolveOrThrow(root: string, uri: string): Promise<{ target: string; segments: string[] }> {
  const resolved = await resolveInWorkspace(root, uri);
  if (!resolved.ok) throw new UnsafePathError(uri, resolved.error);
  const segments = workspaceSegments(uri);
  if (!segments.ok) throw new UnsafePathError(uri, segments.error); // unreachable: resolveInWorkspace checked them
  return { target: resolved.value, segments: segments.value };
}

/** Whether `dir` exists as a real folder; throws when a symlink or a file stands there. */
async function folderState(dir: string, uri: string): Promise<'folder' | 'missing'> {
  const info = await lstatOrUndefined(dir);
  if (!info) return 'missing';
  if (info.isSymbolicLink()) throw new UnsafePathError(uri, `${dir} is a symlink; the client never writes through one`);
  if (!info.isDirectory()) throw new PathConflictError(dir, `${dir} is a file where ${uri} needs a folder`);
  return 'folder';
}

/** Throws unless every existing folder on the way to `segments` under `base` (the last segment excluded) is real. */
export async function checkParents(base: string, uri: string, segments: readonly string[]): Promise<void> {
  let dir = path.resolve(base);
  for (const segment of segments.slice(0, -1)) {
    dir = path.join(dir, segment);
    if ((await folderState(dir, uri)) === 'missing') return;
  }
}

/**
 * `mkdir -p` of `segments` under `base`, one level at a time: each existing level must be a real folder, each missing
 * one is created (non-recursively, so nothing is made through a link swapped in meanwhile) and its parent fsynced so
 * the new folder survives a crash together with the file later renamed into it.
 */
export async function createDirectories(base: string, uri: string, segments: readonly string[]): Promise<void> {
  let dir = path.resolve(base);
  for (const segment of segments) {
    const parent = dir;
    dir = path.join(dir, segment);
    if ((await folderState(dir, uri)) === 'folder') continue;
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    await folderState(dir, uri); // whoever won a race, it must be a real folder now
    await fsyncDirectory(parent);
  }
}

/** Creates the folder `uri` and any missing parents inside the workspace; refuses a file or a symlink on the way. */
export async function ensureDirectory(root: string, uri: string): Promise<void> {
  const { segments } = await resolveOrThrow(root, uri);
  await createDirectories(root, uri, segments);
}
