/**
 * Names that can exist on every operator's machine. Pixotope runs on Windows, and the clients write every asset to
 * disk: a name Windows (or any common file system) cannot hold would be stored by the server and then fail on every
 * pull of its branch. These rules are stricter than the URI safety rules of ./uri.ts, which only keep a URI inside its
 * workspace; the server applies both when a commit arrives (INVALID_NAME for these).
 */
import { endsWithDotOrSpace, storageFolders, windowsForbiddenCharacter } from './paths.ts';
import { URI_SCHEME, uriOfPath, uriPath } from './uri.ts';

/** Longest file or folder name, in UTF-8 bytes: ext4's limit; NTFS and APFS allow at least as much. */
export const MAX_NAME_BYTES = 255;
/** Longest repository or branch name, in characters. */
export const MAX_REPOSITORY_NAME = 255;

/** Devices Windows opens instead of a file, whatever the case and with any extension (`con.txt`, `Aux.tar.gz`). */
const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[1-9¹²³]|lpt[1-9¹²³])$/i;

/** Bytes of `text` in UTF-8 (a lone surrogate counts as the 3 bytes of its replacement character). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Why one file or folder name cannot exist on the operators' machines, or null. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'an empty name';
  const bytes = utf8Length(name);
  if (bytes > MAX_NAME_BYTES) return `the name is ${bytes} bytes long (at most ${MAX_NAME_BYTES} in UTF-8)`;
  const forbidden = windowsForbiddenCharacter(name);
  if (forbidden !== undefined) {
    return `the name contains ${forbidden < ' ' ? `the control character U+${forbidden.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}` : `"${forbidden}"`}, which Windows forbids`;
  }
  if (endsWithDotOrSpace(name)) return 'the name ends with a dot or a space, which Windows drops';
  // Windows ignores the extension and trailing spaces before it when it looks for a device name.
  if (RESERVED.test((name.split('.')[0] ?? '').trimEnd())) return `"${name}" is a device name reserved by Windows`;
  return null;
}

/** The first segment of a URI path (`a/b/c`) that breaks the name rules, with why; null when every name is fine. */
export function pathNameProblem(segments: readonly string[]): string | null {
  for (const segment of segments) {
    const problem = nameProblem(segment);
    if (problem) return `"${segment}": ${problem}`;
  }
  return null;
}

/**
 * What a path is compared by on Windows and macOS disks: they ignore case and see NFC and NFD spellings of one name as
 * the same file. Lower-casing is the ECMAScript mapping, close to but not exactly NTFS's upcase table.
 */
export const nameKey = (path: string): string => path.normalize('NFC').toLowerCase();

/** `a/b/c` → `a`, `a/b`, `a/b/c`: every folder on the way is a name that can collide too. */
function prefixes(path: string): string[] {
  const out: string[] = [];
  for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) out.push(path.slice(0, at));
  out.push(path);
  return out;
}

export interface Twin {
  /** The new path (or the folder on its way) that collides. */
  path: string;
  /** The path it collides with: same letters in another case or another Unicode normalisation. */
  other: string;
}

/**
 * The first of `added` that differs from another path of `added` or of `existing` (or whose folders do) only by case
 * or Unicode normalisation, as `Tex/a.png` beside `tex/b.png` or `é` (NFC) beside `é` (NFD). Two such paths are one
 * file on Windows and macOS, so a pull there would write both to one place. Twins among `existing` alone are not
 * reported: they are already there.
 */
export function findTwin(added: Iterable<string>, existing: Iterable<string>): Twin | null {
  const twins = new TwinFinder(added);
  if (twins.within) return twins.within;
  for (const path of existing) {
    const twin = twins.beside(path);
    if (twin) return twin;
  }
  return null;
}

/**
 * findTwin for existing paths too many to hold at once (a branch of a million assets): the added paths are kept (their
 * folders too, by key), and each existing path is compared as it streams past, in memory bounded by the added ones.
 */
export class TwinFinder {
  private readonly byKey = new Map<string, string>();
  /** The first added path that is a twin of an earlier added one. */
  within: Twin | null = null;

  constructor(added: Iterable<string> = []) {
    for (const path of added) this.add(path);
  }

  /** One more added path (all are added before `beside` is asked). */
  add(path: string): void {
    for (const prefix of prefixes(path)) {
      const key = nameKey(prefix);
      const other = this.byKey.get(key);
      if (other === undefined) this.byKey.set(key, prefix);
      else if (other !== prefix) this.within ??= { path: prefix, other };
    }
  }

  /** The added path (or folder on its way) that this existing path, or one of its folders, is a twin of. */
  beside(existing: string): Twin | null {
    for (const prefix of prefixes(existing)) {
      const added = this.byKey.get(nameKey(prefix));
      if (added !== undefined && added !== prefix) return { path: added, other: prefix };
    }
    return null;
  }
}

/**
 * Why a repository name cannot be created, or null. Its segments after `%SYNCED_STORAGE%` become the folders of the
 * workspace on every client, so they follow the name rules.
 */
export function repositoryNameProblem(name: string): string | null {
  if (name.length > MAX_REPOSITORY_NAME) return `the name is ${name.length} characters long (at most ${MAX_REPOSITORY_NAME})`;
  return pathNameProblem(storageFolders(name));
}

/** Why a branch name cannot be created, or null: it is shown and stored, never a folder. */
export function branchNameProblem(name: string): string | null {
  if (name.length > MAX_REPOSITORY_NAME) return `the name is ${name.length} characters long (at most ${MAX_REPOSITORY_NAME})`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name contains control characters';
  return null;
}

export interface NamedChange {
  Type: 'PutFile' | 'PutDirectory' | 'Delete';
  /** An asset URI whose structure ./uri.ts has accepted. */
  URI: string;
}

/**
 * The first name of a commit that cannot exist on the operators' machines, with why; null when there is none. Puts
 * must follow the name rules and must not be twins (see findTwin) of each other or of `current`, the URIs on the
 * branch before the commit, less what the commit deletes (a rename from `Tex` to `tex` is fine). Deletes are not
 * checked: they are how a name stored before these rules goes away.
 */
export function commitNameProblem(changes: readonly NamedChange[], current: Iterable<string>): { uri: string; problem: string } | null {
  const check = new CommitNames(changes);
  if (check.problem) return check.problem;
  for (const uri of current) {
    const problem = check.beside(uri);
    if (problem) return problem;
  }
  return null;
}

/**
 * commitNameProblem for a branch read a page at a time: `problem` is what the commit alone breaks (a name rule, two of
 * its paths twins); `beside` compares it with one URI of the branch (a URI the commit deletes, or under one it deletes,
 * is skipped: a rename from `Tex` to `tex` is fine).
 */
export class CommitNames {
  problem: { uri: string; problem: string } | null = null;
  private readonly twins = new TwinFinder();
  private readonly deleted = new Set<string>();

  constructor(changes: readonly NamedChange[] = []) {
    for (const change of changes) this.add(change);
  }

  /** One more change of the commit (all are added before `beside` is asked). */
  add(change: NamedChange): void {
    const path = uriPath(change.URI);
    if (change.Type === 'Delete') {
      this.deleted.add(path);
      return;
    }
    if (!this.problem) {
      const problem = pathNameProblem(path.split('/'));
      if (problem) this.problem = { uri: change.URI, problem };
    }
    this.twins.add(path);
    if (!this.problem && this.twins.within) this.problem = twinProblem(this.twins.within);
  }

  beside(uri: string): { uri: string; problem: string } | null {
    const path = uriPath(uri);
    if (this.deleted.size > 0 && prefixes(path).some((p) => this.deleted.has(p))) return null;
    const twin = this.twins.beside(path);
    return twin && twinProblem(twin);
  }
}

const twinProblem = (twin: Twin) => ({
  uri: uriOfPath(twin.path),
  problem: `it differs from "${URI_SCHEME}${twin.other}" only by case or Unicode normalisation, so both would be one file on Windows and macOS`,
});
