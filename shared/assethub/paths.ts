/**
 * Path rules every side applies: the `%SYNCED_STORAGE%` repository names and display paths, whether one path lies
 * within another, the Windows path forms a folder must not take, and the characters Windows keeps out of a name.
 *
 * Pure: shared/ runs anywhere, so the rules that need a platform's path arithmetic take it as `PathRules` (Node's
 * `path`, `path.posix` or `path.win32` satisfy it), and a test can check Windows rules on any machine.
 */

/** What a repository name starts with: the synced storage every client keeps its workspaces under. */
export const SYNCED_STORAGE = '%SYNCED_STORAGE%';

/** Whether a repository name lives in the synced storage (the server creates no other). */
export const isSyncedStorageName = (name: string): boolean => name.startsWith(SYNCED_STORAGE);

/**
 * The folders a repository name stands for below the synced storage, either separator, empty segments dropped:
 * `%SYNCED_STORAGE%\Projects\Project Alpha` → `Projects`, `Project Alpha`. A name without the prefix is read whole.
 */
export const storageFolders = (repository: string): string[] =>
  repository.replace(/^%SYNCED_STORAGE%/, '').split(/[\\/]/).filter((s) => s !== '');

/** The part of a platform's path arithmetic these rules use (Node's `path.posix` and `path.win32` are such). */
export interface PathRules {
  readonly sep: string;
  relative(from: string, to: string): string;
  isAbsolute(path: string): boolean;
}

/** `child` is `parent` or below it (both absolute), with the platform's idea of case (`relative` ignores it on Windows). */
export function isWithin(p: PathRules, parent: string, child: string): boolean {
  const rel = p.relative(parent, child);
  return rel === '' || (!p.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${p.sep}`));
}

/**
 * A workspace's DisplayPath: below the synced storage, `%SYNCED_STORAGE%` and the rest with the platform's separator
 * (`%SYNCED_STORAGE%\Projects\Show` on Windows); elsewhere the absolute path itself.
 */
export function storageDisplayPath(absolute: string, storageDir: string, p: PathRules): string {
  const rel = p.relative(storageDir, absolute);
  return rel && !rel.startsWith('..') && !p.isAbsolute(rel) ? `${SYNCED_STORAGE}${p.sep}${rel}` : absolute;
}

// ---- Windows path forms (either separator) ----

/** `\\?\…` or `\\.\…`: a Windows device path (the long-path prefix, raw drives, pipes), never a folder to work in. */
export const isWindowsDevicePath = (path: string): boolean => /^[\\/]{2}[?.][\\/]/.test(path);

/**
 * Two separators first: a network share (`\\host\share`, `//host`) or a device path. Merely looking at one (a stat)
 * would connect to another machine.
 */
export const isNetworkOrDevicePath = (path: string): boolean => /^[\\/]{2}/.test(path);

/**
 * Absolute on Windows: a drive and its root (`C:\`, `C:/`) or a share (`\\host\…`). `\x` and `C:x` are not: they are
 * relative to the current drive or to the current folder of a drive.
 */
export const isWindowsAbsolutePath = (path: string): boolean => /^([A-Za-z]:[\\/]|[\\/]{2}[^\\/])/.test(path);

// ---- Windows names ----

/** The first character of `name` that Windows forbids in a file or folder name (`<>:"|?*`, control characters), or undefined. */
export const windowsForbiddenCharacter = (name: string): string | undefined => /[<>:"|?*\u0000-\u001f]/.exec(name)?.[0];

/** Whether `name` ends with a dot or a space, which Windows drops (so `a.` and `a` would be one file). */
export const endsWithDotOrSpace = (name: string): boolean => /[. ]$/.test(name);
