// Whether app/dist must be rebuilt, for `npm start` and `npm run serve`. build.mjs records, in app/dist/build-stamp.json,
// the size and mtime of every file it is built from, as they were when it started; a start compares them with the
// sources now. Any edit (even one that moves an mtime backwards), added or deleted file, a `git checkout` or an
// `npm ci` (node_modules/.package-lock.json) rebuilds; when nothing changed the check is a walk of a few hundred files.
// Test files are left out: nothing built depends on them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const STAMP_FILE = 'app/dist/build-stamp.json';

/** Everything Electron and the browser host load. */
export const OUTPUTS = [
  'app/dist/main/electron.cjs',
  'app/dist/main/preload.cjs',
  'app/dist/main/web.mjs',
  'app/dist/services/cli.mjs',
  'app/dist/services/sender.worker.mjs',
  'app/dist/services/scan.worker.mjs',
  'app/dist/renderer/index.html',
];

const SOURCE_DIRS = ['renderer', 'main', 'shared', 'peer', 'services'];
const SOURCE_FILES = ['vite.config.ts', 'scripts/build.mjs', 'scripts/build-freshness.mjs', 'package.json', 'package-lock.json', 'node_modules/.package-lock.json'];
const IGNORED = /(^|\/)(node_modules|\.[^/]*)$|\.test\.tsx?$/;

/** `relative path → "size:mtimeMs"` for every source file under `root`. */
export function sourceFingerprint(root) {
  const files = {};
  const visit = (relative) => {
    let info;
    try {
      info = statSync(path.join(root, relative));
    } catch {
      return;
    }
    if (!info.isDirectory()) {
      files[relative] = `${info.size}:${info.mtimeMs}`;
      return;
    }
    for (const name of readdirSync(path.join(root, relative)).sort()) {
      const child = `${relative}/${name}`;
      if (!IGNORED.test(child)) visit(child);
    }
  };
  const configs = readdirSync(root).filter((name) => /^tsconfig.*\.json$/.test(name));
  for (const entry of [...SOURCE_DIRS, ...SOURCE_FILES, ...configs]) visit(entry);
  return files;
}

/** Called by build.mjs: before building (a failed build leaves no stamp) and after (with the fingerprint from before). */
export function clearBuildStamp(root) {
  rmSync(path.join(root, STAMP_FILE), { force: true });
}
export function writeBuildStamp(root, files) {
  writeFileSync(path.join(root, STAMP_FILE), `${JSON.stringify({ builtAt: new Date().toISOString(), files })}\n`);
}

/** Why app/dist must be (re)built, or null when it is up to date with the sources. */
export function buildProblem(root) {
  const missing = OUTPUTS.find((file) => !existsSync(path.join(root, file)));
  if (missing) return `${missing} is missing`;
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(root, STAMP_FILE), 'utf8')).files;
  } catch {
    return `${STAMP_FILE} is missing: the build is of unknown age`;
  }
  if (typeof stamp !== 'object' || stamp === null) return `${STAMP_FILE} is not readable`;
  const now = sourceFingerprint(root);
  const changed = Object.keys(now).filter((file) => stamp[file] !== now[file]);
  const removed = Object.keys(stamp).filter((file) => !(file in now));
  const names = [...changed, ...removed];
  if (names.length === 0) return null;
  const more = names.length > 3 ? ` and ${names.length - 3} more` : '';
  return `${names.slice(0, 3).join(', ')}${more} changed since the last build`;
}

/**
 * Rebuilds app/dist (scripts/build.mjs under `root`) when it is missing or older than its sources; exits the process
 * when the build fails. Returns whether it built and how long the check took.
 */
export function ensureBuilt(root, who) {
  const started = performance.now();
  const problem = buildProblem(root);
  const checkMs = performance.now() - started;
  if (problem === null) return { rebuilt: false, checkMs };
  console.log(`${who}: rebuilding app/dist (${problem})…`);
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
  return { rebuilt: true, checkMs };
}
