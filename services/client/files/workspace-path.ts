/**
 * Where a workspace may live. A workspace is a folder the client uploads on push and rewrites on pull and revert, so
 * a Call that could place one at `/`, a home folder or any folder of the machine would hand that folder to whoever can
 * reach the hub. Workspaces therefore live under the client's synced-storage paths or under roots the operator
 * allowed when starting the client, checked on the real path (symlinks of the existing part followed), and never at a
 * filesystem root or a home folder, whatever the roots say.
 */
import os from 'node:os';
import path from 'node:path';
import { lstat, realpath } from 'node:fs/promises';
import { isWindowsAbsolutePath, isWindowsDevicePath, isWithin } from '../../../shared/assethub/paths.ts';
import { err, ok, type Result } from '../../../shared/result.ts';

export interface WorkspacePathRules {
  /** Folders workspaces may be in (or be), as real paths: the synced-storage paths and the allowed roots. */
  roots: readonly string[];
  /** The home folder of the user the client runs as, as a real path. */
  home: string;
  /** The platform's path rules (Windows ones can be checked anywhere). */
  path?: path.PlatformPath;
}

/** Why the path as written cannot name a workspace (before any disk access), or null. */
export function requestedPathProblem(requested: string, p: path.PlatformPath = path): string | null {
  const windows = p === path.win32;
  if (requested.includes('\0')) return 'the path contains a NUL character';
  if (windows && isWindowsDevicePath(requested)) return 'a Windows device path (\\\\?\\ or \\\\.\\) is not a workspace';
  // On Windows `\x` and `C:x` are relative to the current drive or folder: only a drive or a share is absolute.
  if (!p.isAbsolute(requested) || (windows && !isWindowsAbsolutePath(requested))) {
    return 'the path must be absolute (with its drive on Windows)';
  }
  if (requested.split(windows ? /[\\/]/ : '/').includes('..')) return 'the path contains ".."';
  if (windows && requested.slice(2).includes(':')) return 'a ":" after the drive names a data stream or another drive';
  if (p.resolve(requested) !== requested) return `the path must be normalised (${p.resolve(requested)})`;
  return null;
}

/**
 * Why `requested` may not be a workspace, or null. `real` is `requested` with the symlinks of its existing part
 * resolved (see realPathOfExisting): the rules apply to both, so a link inside synced storage that leads to `/` or
 * elsewhere is refused. Pure: no disk access.
 */
export function workspacePathProblem(requested: string, real: string, rules: WorkspacePathRules): string | null {
  const p = rules.path ?? path;
  const written = requestedPathProblem(requested, p);
  if (written) return written;
  for (const candidate of new Set([requested, real])) {
    if (p.parse(candidate).root === candidate || p.dirname(candidate) === candidate) return `${candidate} is a filesystem root`;
    if (isWithin(p, candidate, rules.home)) return `${candidate} is or contains the home folder ${rules.home}`;
    // Other users' home folders sit beside this one (/home/*, C:\Users\*), unless the home folder is at the top.
    const homes = p.dirname(rules.home);
    if (p.dirname(homes) !== homes && p.dirname(candidate) === homes) return `${candidate} is a home folder`;
  }
  if (!rules.roots.some((root) => isWithin(p, root, real))) {
    const where = real === requested ? requested : `${requested} (really ${real})`;
    return `${where} is outside the synced storage and the allowed roots (${rules.roots.join(', ')})`;
  }
  return null;
}

/** `file` with the symlinks of its deepest existing ancestor resolved and the missing rest appended. */
export async function realPathOfExisting(file: string): Promise<string> {
  const missing: string[] = [];
  let at = path.resolve(file);
  let again = 0;
  for (;;) {
    try {
      return path.join(await realpath(at), ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const there = await lstat(at).catch(() => null);
      // Something there that realpath cannot follow: a dangling symlink, which must not decide where the folder goes.
      if (there?.isSymbolicLink() || (there && again >= 3)) throw new Error(`${at} is a symlink that leads nowhere`, { cause: error });
      // Anything else appeared since realpath looked (another CreateWorkspace made the folder): resolve it again.
      if (there) {
        again++;
        continue;
      }
      const parent = path.dirname(at);
      if (parent === at) throw error;
      missing.push(path.basename(at));
      at = parent;
    }
  }
}

/** Real paths of the roots a client allows workspaces in; a root that does not exist yet keeps its path. */
export async function workspaceRules(roots: readonly string[]): Promise<WorkspacePathRules> {
  return {
    roots: await Promise.all(roots.map((root) => realPathOfExisting(root).catch(() => path.resolve(root)))),
    home: await realPathOfExisting(os.homedir()).catch(() => os.homedir()),
  };
}

/** `requested` if it may be a workspace under `rules`, else why not (the disk is read to resolve symlinks). */
export async function checkWorkspacePath(requested: string, rules: WorkspacePathRules): Promise<Result<string, string>> {
  const written = requestedPathProblem(requested, rules.path);
  if (written) return err(written);
  let real: string;
  try {
    real = await realPathOfExisting(requested);
  } catch (error) {
    return err(`the path cannot be resolved: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problem = workspacePathProblem(requested, real, rules);
  return problem ? err(problem) : ok(requested);
}
