/**
 * Finds what in the project's files points outside the repository: a relative path (`../…`) that leaves the
 * repository from the folder of the file it is written in, or a name of material that lived beside the repository.
 * A clone has nothing beside it, so such a reference is a test that cannot run or a document that cannot be read.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface OutsideReference {
  /** Repository-relative path, `/`-separated. */
  file: string;
  line: number;
  text: string;
  why: string;
}

/** Names of material that lived beside the repository (assembled, so this file does not name them itself). */
const FORBIDDEN_MENTIONS: readonly string[] = [['shared', 'seeds'].join('/'), ['shared', 'design'].join('/'), ['ASSETHUB', 'SEEDS'].join('_')];

/**
 * `../` at the start of a path: not after a path or name character, so `a/../b` (a path that stays where it is) and
 * `FileSystem:/../x` (test data for path checks) are not relative references.
 */
const RELATIVE_PATH = /(?<![\w./\\%}$:-])(?:\.\.\/)+[^\s'"`)\]}>,;*]*/g;

/** Whether `reference`, written in `file` (both relative to the repository root), leads out of the repository. */
function leavesRepository(file: string, reference: string): boolean {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), reference));
  return target === '..' || target.startsWith('../');
}

/** Every outside reference in one file's text. */
export function outsideReferences(file: string, content: string): OutsideReference[] {
  const found: OutsideReference[] = [];
  content.split('\n').forEach((text, i) => {
    for (const mention of FORBIDDEN_MENTIONS) {
      if (text.includes(mention)) found.push({ file, line: i + 1, text: text.trim(), why: `names ${mention}` });
    }
    for (const match of text.matchAll(RELATIVE_PATH)) {
      if (leavesRepository(file, match[0])) found.push({ file, line: i + 1, text: text.trim(), why: `${match[0]} leaves the repository` });
    }
  });
  return found;
}

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'test-results', 'playwright-report', '.bench-tmp']);

/** The folder walk used where git is not available: everything but dependencies and build or test output. */
function walk(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) || rel === 'app/dist' ? [] : walk(root, rel);
    return entry.isFile() ? [rel] : [];
  });
}

/** The project's files: tracked ones and new ones git does not ignore (so a file is checked before its commit). */
export function projectFiles(root: string): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return [...new Set(out.split('\0').filter((f) => f.length > 0))];
  } catch {
    return walk(root);
  }
}
