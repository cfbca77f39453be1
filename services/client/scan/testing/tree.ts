/** Temp workspaces for the scanner's tests: files from a plain object, all made "old" so they are not racy. */
import { mkdtempSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const tempRoot = (prefix = 'scan-'): string => mkdtempSync(path.join(os.tmpdir(), prefix));
export const removeTree = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

/** Writes `files` (relative path → content; a path ending in `/` is an empty folder) under `root`. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(file, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** Sets every file's mtime `secondsAgo` into the past (lstat-free: links are skipped by readdir's types). */
export function age(root: string, secondsAgo = 60): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) utimesSync(path.join(entry.parentPath, entry.name), when, when);
  }
}
