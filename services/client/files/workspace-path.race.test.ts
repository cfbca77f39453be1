// Two CreateWorkspace calls on one client at once (the show simulator made five per machine): one resolves the
// synced storage's folders while the other creates them. A folder that appears between realpath's ENOENT and the
// lstat after it is that folder, resolved again; only a real dangling symlink is refused.
import path from 'node:path';
import type * as Fs from 'node:fs/promises';
import { beforeEach, expect, it, vi } from 'vitest';

const appeared = new Set<string>();
let raced: string | null = null;

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof Fs>();
  return {
    ...fs,
    // The folder `raced` does not exist for the first realpath of it, and exists (a directory) from then on.
    realpath: vi.fn(async (p: string) => {
      if (p === raced && !appeared.has(p)) {
        appeared.add(p);
        throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      }
      if (p === raced) return p;
      return fs.realpath(p);
    }),
    lstat: vi.fn(async (p: string) => (p === raced ? fs.lstat(path.dirname(p)) : fs.lstat(p))),
  };
});

const { realPathOfExisting } = await import('./workspace-path.ts');

beforeEach(() => {
  appeared.clear();
});

it('a folder another call created meanwhile is resolved, not taken for a dangling symlink', async () => {
  const base = await (await vi.importActual<typeof Fs>('node:fs/promises')).realpath(process.cwd());
  raced = path.join(base, 'node_modules');
  await expect(realPathOfExisting(path.join(raced, 'Show', 'Set1'))).resolves.toBe(path.join(raced, 'Show', 'Set1'));
});
