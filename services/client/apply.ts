/**
 * Writing one server change into a workspace, through ./files (inside the workspace only, never through a symlink,
 * temp file + fsync + rename), and telling a change the client refuses from one this disk refuses.
 */
import { lstat } from 'node:fs/promises';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import type { Logger } from '../lib/log.ts';
import { chunkAgent, sha256File } from '../lib/chunks/index.ts';
import { IntegrityError, PathConflictError, UnsafePathError, ensureDirectory, materializeFile, removeAsset, resolveInWorkspace } from './files/index.ts';
import type { ReadFile } from './scan/index.ts';
import type { BaseEntry } from './store.ts';
import { unwritableReason } from './unwritable.ts';
import type { ServerLink } from './workspace.ts';

export interface ApplyTarget {
  root: string;
  server: Pick<ServerLink, 'storageUrl' | 'token' | 'log'>;
  logger: Logger;
  /** What the base holds at `uri` (a Delete removes a file or an empty folder accordingly). */
  kindOf(uri: string): 'file' | 'directory';
  /** Told of each file written, with the stat and hash a scan may take without reading it again. */
  onPlaced?(file: ReadFile): void;
}

/** Writes one server change to disk (inside the workspace only). */
export async function applyChange(target: ApplyTarget, change: TCommitChange, onBytes?: (n: number) => void): Promise<void> {
  const { root, server } = target;
  if (change.Type === 'Delete') {
    await removeAsset(root, change.URI, target.kindOf(change.URI));
  } else if (change.Type === 'PutDirectory') {
    await ensureDirectory(root, change.URI);
  } else {
    if (!change.Hash || change.Size === undefined || !change.Chunks) throw new IntegrityError(`${change.URI}: the server sent a PutFile without Size, Hash or Chunks`);
    const { stat } = await materializeFile({
      root, uri: change.URI, size: change.Size, hash: change.Hash, chunks: change.Chunks,
      storageUrl: server.storageUrl(), token: server.token, agent: chunkAgent(), onBytes,
    });
    if (stat) target.onPlaced?.({ uri: change.URI, stat, hash: change.Hash });
  }
}

/**
 * Applies one change. A URI that would land outside the workspace is refused (UnsafePathError), as are bytes that
 * do not match their hash and a folder standing where a file should go: 'refused', the file stays out of the base
 * and the pull does not reach its commit, so the next pull tries it again. A path the disk itself refuses (its name,
 * its permissions: unwritable.ts) is `unwritable`. Each is logged on the hub, nothing is written, and the pull goes on.
 */
export async function applySafely(target: ApplyTarget, change: TCommitChange, onBytes?: (n: number) => void): Promise<'applied' | 'refused' | { unwritable: string }> {
  try {
    await applyChange(target, change, onBytes);
    return 'applied';
  } catch (error) {
    const unwritable = unwritableReason(error);
    if (!(unwritable || error instanceof UnsafePathError || error instanceof IntegrityError || error instanceof PathConflictError)) throw error;
    const what = unwritable ? 'could not be written on this disk' : error instanceof UnsafePathError ? 'refused (unsafe path)' : 'could not be written';
    const message = `${target.root}: ${change.URI} from the server ${what}: ${unwritable ?? (error as Error).message}`;
    target.logger.warn({ uri: change.URI }, message);
    target.server.log('Warning', message);
    return unwritable ? { unwritable } : 'refused';
  }
}

/** Whether the file at `uri` differs from what the scan saw (edited, created or deleted since). */
export async function changedSinceScan(root: string, uri: string, seen: { kind: 'file' | 'directory'; hash: string | null } | undefined): Promise<boolean> {
  // A path the disk refuses (a name too long here) was not edited by anyone: applySafely reports it.
  const resolved = await resolveInWorkspace(root, uri).catch((error: unknown) => {
    if (unwritableReason(error)) return null;
    throw error;
  });
  if (!resolved?.ok) return false; // applySafely refuses it with the reason
  const info = await lstat(resolved.value).catch(() => null);
  if (!info) return seen !== undefined;
  if (!info.isFile()) return seen?.kind !== 'directory' || !info.isDirectory();
  if (seen?.kind !== 'file') return true;
  return (await sha256File(resolved.value).catch(() => null)) !== seen.hash;
}

export function asChange(entry: BaseEntry): TCommitChange {
  return entry.kind === 'directory'
    ? { Type: 'PutDirectory', URI: entry.uri }
    : { Type: 'PutFile', URI: entry.uri, Size: entry.size, Hash: entry.hash ?? '', Chunks: entry.chunks };
}
