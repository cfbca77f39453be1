/**
 * The IgnoredURIs of a scan (as the documentation's example lists them: `FileSystem:/Saved`,
 * `FileSystem:/Saved/Settings.ini`): each ignored entry and, for an ignored folder, everything in it. Capped, because
 * DerivedDataCache can hold millions of files and the list travels in every AssetInfo Update; once full, ignored
 * folders are not even opened. Built on the walk's thread, with synchronous calls (walk.ts).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { isOwnName } from './rules.ts';

export const IGNORED_CAP = 5_000;

export class IgnoredList {
  readonly uris: string[] = [];
  private readonly cap: number;

  constructor(cap = IGNORED_CAP) {
    this.cap = cap;
  }

  get full(): boolean {
    return this.uris.length >= this.cap;
  }

  add(uri: string): void {
    if (!this.full) this.uris.push(uri);
  }

  /**
   * Lists an ignored folder's contents, depth first in name order, without following symlinks (a Dirent of a symlink
   * is never a directory). Unreadable folders are left out: this list is informative, nothing is synced from it.
   */
  addTree(dir: string, uri: string): void {
    const stack: Array<[string, string]> = [[dir, uri]];
    for (let next = stack.pop(); next !== undefined && !this.full; next = stack.pop()) {
      const [abs, base] = next;
      let names: Array<{ name: string; dir: boolean }>;
      try {
        names = readdirSync(abs, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
      } catch {
        continue;
      }
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // code-unit order
      const subdirs: Array<[string, string]> = [];
      for (const { name, dir: isDir } of names) {
        if (isOwnName(name, false)) continue;
        if (this.full) return;
        this.add(`${base}/${name}`);
        if (isDir) subdirs.push([path.join(abs, name), `${base}/${name}`]);
      }
      // Reversed so the stack pops them in name order.
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as [string, string]);
    }
  }
}
