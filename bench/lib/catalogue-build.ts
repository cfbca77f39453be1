/**
 * A branch of 1,000,000 assets (1,000 folders × 999 files, in 10 commits of 100,000; 40 % textures, 25 % meshes,
 * 15 % materials, 10 % audio, 5 % video, 4 % other, 1 % levels), built fast: appendAddingCommit (set-based inserts
 * that write exactly the rows createCommit writes, proven by services/server/catalogue/bulk.test.ts) into the fresh
 * database with its secondary indexes dropped, which are then created again from SCHEMA.
 */
import { createHash } from 'node:crypto';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import { appendAddingCommit } from '../../services/server/catalogue/bulk.ts';
import { SCHEMA } from '../../services/server/schema.ts';
import type { ServerStore } from '../../services/server/store.ts';

export const FOLDERS = 1_000;
export const FILES_PER_FOLDER = 999;
export const COMMITS = 10;
const EXTENSIONS: Array<[string, number]> = [['png', 40], ['fbx', 25], ['uasset', 15], ['wav', 10], ['mov', 5], ['txt', 4], ['umap', 1]];
const extensionOf = (i: number): string => {
  let n = i % 100;
  for (const [ext, share] of EXTENSIONS) {
    if (n < share) return ext;
    n -= share;
  }
  return 'txt';
};

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const folderUri = (d: number): string => `FileSystem:/set${String(d).padStart(4, '0')}`;
export const fileUri = (d: number, f: number): string => `${folderUri(d)}/asset${String(f).padStart(3, '0')}.${extensionOf(d * FILES_PER_FOLDER + f)}`;

/**
 * Creates `repository` on a fresh store and fills `branch` with the catalogue; returns its head commit and how many
 * secondary indexes were rebuilt.
 */
export function buildCatalogue(store: ServerStore, repository: string, branch: string, author = 'OPS'): { head: string; indexes: number } {
  let head = store.createRepository(repository, branch, author);
  const secondary = store.database.all("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'files' AND sql IS NOT NULL").map((r) => String(r.name));
  for (const name of secondary) store.database.exec(`DROP INDEX ${name}`);
  const perCommit = FOLDERS / COMMITS;
  for (let c = 0; c < COMMITS; c++) {
    const changes: TCommitChange[] = [];
    for (let d = c * perCommit; d < (c + 1) * perCommit; d++) {
      changes.push({ Type: 'PutDirectory', URI: folderUri(d) });
      for (let f = 0; f < FILES_PER_FOLDER; f++) {
        const uri = fileUri(d, f);
        const hash = sha256(uri);
        changes.push({ Type: 'PutFile', URI: uri, Size: 1000 + f, Hash: hash, Chunks: [hash] });
      }
    }
    head = appendAddingCommit(store, { repository, branch, parent: head, author: c % 2 ? 'STAGE-B' : 'STAGE-A', comment: `load ${c}`, changes });
  }
  store.database.exec(SCHEMA); // CREATE INDEX IF NOT EXISTS … for the dropped ones
  return { head, indexes: secondary.length };
}
