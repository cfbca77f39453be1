/** Start-of-client housekeeping in a workspace's private folder. Call it before any write of that workspace starts. */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR, lstatOrUndefined, workspaceTempDir } from './paths.ts';

/**
 * Empties `.assethub/tmp` (scratch files of writes a crash interrupted) and drops sidecars whose partial is gone.
 * Partials stay: they are resumable. Entries are removed without following symlinks. Returns how many went.
 */
export async function cleanStaleTemp(root: string): Promise<number> {
  let removed = 0;
  const temp = await workspaceTempDir(root);
  for (const name of await readdir(temp)) {
    await rm(path.join(temp, name), { recursive: true, force: true });
    removed++;
  }
  const partials = path.join(path.resolve(root), PRIVATE_DIR, 'partial');
  if ((await lstatOrUndefined(partials))?.isDirectory()) {
    const names = new Set(await readdir(partials));
    for (const name of names) {
      if (name.endsWith('.json') && !names.has(name.slice(0, -'.json'.length))) {
        await rm(path.join(partials, name), { force: true });
        removed++;
      }
    }
  }
  return removed;
}
