/**
 * Asset catalogue query cost on one branch of 1,000,000 assets (1,000 folders × 999 files, in 10 commits of 100,000;
 * 40 % textures, 25 % meshes, 15 % materials, 10 % audio, 5 % video, 4 % other, 1 % levels). The branch is built with
 * appendAddingCommit (set-based inserts that write exactly the rows createCommit writes, proven by
 * services/server/catalogue/bulk.test.ts) into the fresh database with its secondary indexes dropped, which are then
 * created again from SCHEMA (the same database, built in a third of the time); then ImportAssets gives 2,000 assets a
 * rare metadata value and 50,000 a common one, and a real createCommit modifies 10,000 files.
 *
 * Printed for each query, p50 and p99 over many runs (a page of 500): through the QueryAssets handler (filter, range,
 * cursor check and issue, the records with tags/keywords/metadata and actors), next to the statement(s) that page runs,
 * executed directly on the same SQLite connection (node-sqlite3-wasm), with the ratio. Page 1 and a deep page (a cursor
 * 90 % into the result) are both measured. Then the delta between the last two revisions (10,000 MODIFYs): all of its
 * pages, and its count.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CALLS, type TCommitChange } from '../shared/assethub/calls.ts';
import type { TAsset } from '../shared/assethub/catalogue.ts';
import { compileFilter } from '../shared/rsql/filter.ts';
import { catalogueCalls } from '../services/server/catalogue/calls.ts';
import { CursorCodec } from '../services/server/catalogue/cursor.ts';
import { Catalogue } from '../services/server/catalogue/index.ts';
import { runPage } from '../services/server/catalogue/sql.ts';
import { importAssets } from '../services/server/catalogue/transfer.ts';
import { ServerStore } from '../services/server/store.ts';
import { buildCatalogue, COMMITS, FILES_PER_FOLDER, fileUri, sha256 } from './lib/catalogue-build.ts';

const REPO = '%SYNCED_STORAGE%\\Bench\\Catalogue';
const BRANCH = 'Main';
const LIMIT = 500;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function percentiles(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
  return { p50: at(0.5), p99: at(0.99) };
}

function sample(fn: () => unknown, runs: number): number[] {
  for (let i = 0; i < Math.min(3, runs); i++) fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return out;
}

const ms = (n: number): string => `${n.toFixed(1).padStart(7)} ms`;

// The database (about 750 MB) goes to /dev/shm where there is one: the build writes it once and the measurements read
// it from the page cache anyway, so a slow disk would only stretch the build, not change the figures.
const dir = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'assethub-catalogue-bench-'));
try {
  const store = new ServerStore(path.join(dir, 'server.sqlite'));
  const catalogue = new Catalogue(store);
  const calls = catalogueCalls(store, catalogue);

  // ---- build ----
  let start = performance.now();
  const { head, indexes } = buildCatalogue(store, REPO, BRANCH);
  const buildS = (performance.now() - start) / 1000;
  const branch = store.branch(REPO, BRANCH);

  start = performance.now();
  const metadataDoc = (count: number, every: number, offset: number, value: string) => ({
    format: 'assethub.assets', version: 1, repository: REPO, branch: BRANCH,
    assets: Array.from({ length: count }, (_, i) => {
      const n = offset + i * every;
      return { uri: fileUri(Math.floor(n / FILES_PER_FOLDER), n % FILES_PER_FOLDER), metadata: [{ name: 'category', defaultValue: value }], tags: ['bench'] };
    }),
  });
  await importAssets(store, catalogue, metadataDoc(2_000, 499, 7, 'Hero'));
  await importAssets(store, catalogue, metadataDoc(50_000, 19, 3, 'Background'));
  const importS = (performance.now() - start) / 1000;

  start = performance.now();
  const modified: TCommitChange[] = [];
  for (let i = 0; i < 10_000; i++) {
    const n = i * 99 + 5;
    const uri = fileUri(Math.floor(n / FILES_PER_FOLDER), n % FILES_PER_FOLDER);
    const hash = sha256(`${uri} v2`);
    modified.push({ Type: 'PutFile', URI: uri, Size: 2000, Hash: hash, Chunks: [hash] });
  }
  store.createCommit({ repository: REPO, branch: BRANCH, parent: head, author: 'STAGE-B', comment: '10,000 edits', changes: modified });
  const editS = (performance.now() - start) / 1000;

  const filterOf = (text: string) => {
    const compiled = compileFilter(text);
    if (!compiled.ok) throw new Error(compiled.error.message);
    return compiled.value;
  };
  const total = catalogue.count(branch, { from: null, to: store.head(branch.id).position }, filterOf(''));
  console.log(`\nAsset catalogue: one branch of ${total.toLocaleString('en')} assets`);
  console.log(`  built in ${buildS.toFixed(1)} s (${COMMITS} bulk commits, then ${indexes} indexes), metadata for 52,000 assets imported in ${importS.toFixed(1)} s, a createCommit of 10,000 edits in ${editS.toFixed(1)} s`);

  // ---- queries ----
  const cursors = new CursorCodec(catalogue.cursorKey(), () => catalogue.clock());
  const queryAssets = calls.QueryAssets.handler;
  const db = store.database;
  const rows: string[] = [];
  const header = `  ${'query (page of 500)'.padEnd(66)}  ${'QueryAssets p50'.padStart(15)} ${'p99'.padStart(10)}  ${'SQL alone p50'.padStart(13)} ${'p99'.padStart(10)}  ratio`;

  /** The uri `skip` entries into a result (outside the measurements): OFFSET on a snapshot, pages on a delta. */
  const uriAt = (filter: ReturnType<typeof filterOf>, range: { from: number | null; to: number }, skip: number): string => {
    const [one, other] = catalogue.statements(branch, range, filter, 'assets', null, 1);
    if (one && !other) return String(db.get(one.text.replace(/LIMIT 1$/, `LIMIT 1 OFFSET ${skip - 1}`), one.params)?.uri);
    let after: string | null = null;
    for (let left = skip; left > 0;) {
      const page: TAsset[] = catalogue.page(branch, range, filter, after, Math.min(LIMIT, left));
      after = (page.at(-1) as TAsset).uri;
      left -= page.length;
    }
    return after as string;
  };

  const measure = (label: string, filterText: string, deep: boolean, runs: number): void => {
    const filter = filterOf(filterText);
    const range = catalogue.resolve(branch, filter);
    const count = catalogue.count(branch, range, filter);
    // A deep page starts after the asset 90 % into the result.
    const after = deep ? uriAt(filter, range, Math.floor(count * 0.9)) : null;
    const params = CALLS.server.QueryAssets.params.parse({
      Repository: REPO, Branch: BRANCH, Filters: filterText, Limit: LIMIT,
      ...(after === null ? {} : { Cursor: cursors.issue({ method: 'QueryAssets', repository: REPO, branch: BRANCH, filter: filterText, from: range.from, to: range.to, after }) }),
    });
    const statements = catalogue.statements(branch, range, filter, 'assets', after, LIMIT + 1);
    const check = queryAssets(params);
    if (check.results.length !== Math.min(LIMIT, count - (deep ? Math.floor(count * 0.9) : 0))) throw new Error(`${label}: ${check.results.length} results`);
    gc();
    const handler = percentiles(sample(() => queryAssets(params), runs));
    // The same statements the page runs (a delta's removed part bounded by the changed part, as runPage does).
    const sql = percentiles(sample(() => catalogue.read(() => runPage(db, statements, LIMIT + 1)), runs));
    rows.push(`  ${`${label} (${count.toLocaleString('en')} match)`.padEnd(66)}  ${ms(handler.p50).padStart(15)} ${ms(handler.p99)}  ${ms(sql.p50).padStart(13)} ${ms(sql.p99)}  ${(handler.p50 / sql.p50).toFixed(1)}×`);
  };

  measure('everything, page 1', '', false, 60);
  measure('everything, deep cursor page', '', true, 60);
  measure('asset.type.name==texture, page 1', 'asset.type.name==texture', false, 60);
  measure('asset.type.name==texture, deep cursor page', 'asset.type.name==texture', true, 60);
  measure('asset.type.name==level, page 1', 'asset.type.name==level', false, 60);
  measure('asset.parameter.category==Hero (metadata, rare), page 1', 'asset.parameter.category==Hero', false, 60);
  measure('asset.parameter.category==Hero, deep cursor page', 'asset.parameter.category==Hero', true, 60);
  measure('asset.parameter.category==Background (metadata), page 1', 'asset.parameter.category==Background', false, 40);
  measure('asset.parameter.category==Background, deep cursor page', 'asset.parameter.category==Background', true, 40);
  measure('delta latest-1…latest (10,000 MODIFY), page 1', 'exchange.snapshot.fromRevision==latest-1', false, 40);
  measure('delta latest-1…latest, deep cursor page', 'exchange.snapshot.fromRevision==latest-1', true, 40);
  console.log(`\n${header}`);
  for (const r of rows) console.log(r);

  // ---- an unindexed system attribute: a scan of the branch, once ----
  const sizeText = 'asset.parameter.name==size;asset.parameter.value==1500';
  const scanStart = performance.now();
  const scanned = queryAssets(CALLS.server.QueryAssets.params.parse({ Repository: REPO, Branch: BRANCH, Filters: sizeText, Limit: LIMIT }));
  const scanMs = performance.now() - scanStart;
  console.log(`\n  ${sizeText} (size is not indexed): a page of ${scanned.results.length} through QueryAssets took ${ms(scanMs).trim()}, a scan of the branch`);

  // ---- the whole delta ----
  const deltaText = 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest';
  const wholeDelta = sample(() => {
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = queryAssets(CALLS.server.QueryAssets.params.parse({ Repository: REPO, Branch: BRANCH, Filters: deltaText, Limit: LIMIT, ...(cursor ? { Cursor: cursor } : {}) }));
      n += page.results.length;
      cursor = page.pagination.nextCursor ?? undefined;
    } while (cursor);
    if (n !== 10_000) throw new Error(`the delta has ${n} entries`);
  }, 6);
  const deltaFilter = filterOf(deltaText);
  const deltaRange = catalogue.resolve(branch, deltaFilter);
  const counted = percentiles(sample(() => catalogue.count(branch, deltaRange, deltaFilter), 20));
  const whole = percentiles(wholeDelta);
  console.log(`\n  delta between two revisions that differ in 10,000 files: all 20 pages of 500 through QueryAssets p50 ${ms(whole.p50).trim()}, p99 ${ms(whole.p99).trim()}; count() p50 ${ms(counted.p50).trim()}`);
  store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
