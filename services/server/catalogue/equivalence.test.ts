// Property test: on random histories (adds, modifies, deletes, folder deletes, re-adds, files turning into folders,
// copied branches) with random metadata, random filters give through the catalogue's SQL exactly what the brute-force
// reference gives (shared/rsql queryHistory + matchesAsset / matchesRelationship over ServerStore.snapshot), at every
// page size, and the records the catalogue builds are what the filters saw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINMENT_TYPE, assetTypeString, ASSET_KINDS } from '../../../shared/assethub/catalogue.ts';
import type { TCommitChange } from '../../../shared/assethub/calls.ts';
import { LIKE_ESCAPE, likePattern, matchesPattern } from '../../../shared/rsql/pattern.ts';
import type { Branch } from '../store.ts';
import { filterableOf } from './index.ts';
import { importAssets } from './transfer.ts';
import {
  commit, del, expectedAssetId, filterOf, openTestStore, pagedAssets, pagedRelationships, putDir, putFile, referenceAssets,
  referenceHistory, referenceRelationships, type TestStore,
} from './testing/catalogue.ts';

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// Folders in both cases, so that a uri range must take in both spellings of a prefix.
const FOLDERS = ['FileSystem:/a', 'FileSystem:/a/b', 'FileSystem:/C'];
// `a_b` / `aXb` and `100%` / `100x`: names an unescaped LIKE `_` or `%` would confuse.
const NAMES = ['x.png', 'y.fbx', 'z.wav', 'w.txt', 'v.umap', 'Big File.mov', 'a_b.png', 'aXb.png', '100%.exr', '100x.exr'];
const URIS = [...FOLDERS, ...['FileSystem:', ...FOLDERS].flatMap((f) => NAMES.map((n) => `${f}/${n}`))].map((u) => u.replace('FileSystem:/', 'FileSystem:/'));
const META_NAMES = ['category', 'family', 'type', 'typeId', 'Cross-Section', 'uri', 'size', 'kind'];
const META_VALUES = ['Windows', 'Doors', 'Basic Wall', '1', '2', 'texture', 'FileSystem:/a/x.png', '7'];

interface Generated { repository: string; branches: Branch[]; metadata: Map<string, Array<{ name: string; value: string }>>; ids: string[]; folderIds: string[] }

/** A random history on a new repository (and a branch copied from one of its commits). */
async function generate(t: TestStore, seed: number): Promise<Generated> {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const repository = `%SYNCED_STORAGE%\\Random${seed}`;
  t.store.createRepository(repository, 'Main', 'OPS');
  const ids = new Set<string>();

  const grow = (branch: string, commits: number, state: Map<string, 'file' | 'directory'>) => {
    for (let c = 0; c < commits; c++) {
      const changes: TCommitChange[] = [];
      const touched = new Set<string>();
      const n = 1 + Math.floor(random() * 6);
      for (let k = 0; k < n; k++) {
        const uri = pick(URIS);
        if (touched.has(uri) || [...touched].some((u) => uri.startsWith(`${u}/`) || u.startsWith(`${uri}/`))) continue;
        touched.add(uri);
        ids.add(expectedAssetId(repository, branch, uri));
        const existing = state.get(uri);
        const r = random();
        if (existing && r < 0.3) {
          changes.push(del(uri));
          state.delete(uri);
          for (const u of [...state.keys()]) if (u.startsWith(`${uri}/`)) state.delete(u);
        } else if (existing === 'file' && r < 0.4) {
          changes.push(putDir(uri)); // a file becomes a folder
          state.set(uri, 'directory');
        } else if (FOLDERS.includes(uri) && existing !== 'file') {
          changes.push(putDir(uri));
          state.set(uri, 'directory');
        } else if (existing !== 'directory') {
          changes.push(putFile(uri, `${uri} ${seed} ${c} ${k} ${random()}`.slice(0, 20 + Math.floor(random() * 30))));
          state.set(uri, 'file');
        }
      }
      if (changes.length > 0) commit(t.store, branch, pick(['STAGE-A', 'STAGE-B']), changes, repository);
    }
  };
  const main = new Map<string, 'file' | 'directory'>();
  grow('Main', 5 + Math.floor(random() * 5), main);
  const mainBranch = t.store.branch(repository, 'Main');
  const history = t.store.commits(mainBranch.id);
  const from = pick(history);
  t.store.createBranch(repository, 'Copy', from.ID);
  const copyState = new Map(t.store.snapshot(t.store.branch(repository, 'Copy').id, history.indexOf(from)).map((v) => [v.uri, v.kind] as const));
  grow('Copy', 1 + Math.floor(random() * 3), copyState);
  const branches = [mainBranch, t.store.branch(repository, 'Copy')];

  // Random metadata on assets at the heads (import needs them there).
  const metadata = new Map<string, Array<{ name: string; value: string }>>();
  for (const branch of branches) {
    const head = t.store.snapshot(branch.id, t.store.head(branch.id).position);
    const assets = head.filter(() => random() < 0.5).map((v) => {
      const names = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(META_NAMES)))];
      const entries = names.map((name) => ({ name, value: pick(META_VALUES) }));
      metadata.set(expectedAssetId(repository, branch.name, v.uri), entries);
      return { uri: v.uri, metadata: entries.map((e) => ({ name: e.name, defaultValue: e.value })) };
    });
    await importAssets(t.store, t.catalogue, { format: 'assethub.assets', version: 1, repository, branch: branch.name, assets });
  }
  const folderIds = branches.flatMap((b) => FOLDERS.map((u) => expectedAssetId(repository, b.name, u)));
  for (const id of folderIds) ids.add(id);
  return { repository, branches, metadata, ids: [...ids], folderIds };
}

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function randomRevisions(random: () => number, commits: string[]): string[] {
  const r = random();
  const ref = (i: number) => (random() < 0.5 ? commits[i] as string : `latest-${commits.length - 1 - i}`);
  if (r < 0.3) return [];
  const to = Math.floor(random() * commits.length);
  if (r < 0.5) return [`exchange.snapshot.toRevision==${ref(to)}`];
  const from = Math.floor(random() * (to + 2)) - 1; // -1 = before the root
  const fromRef = from < 0 ? `latest-${commits.length}` : ref(from);
  return [`exchange.snapshot.fromRevision==${fromRef}`, ...(random() < 0.8 ? [`exchange.snapshot.toRevision==${ref(to)}`] : [])];
}

/** An `asset.name` / `asset.uri` value from an existing name or path: letters' case flipped, parts made `*`, `%`/`_` swapped. */
function randomPattern(random: () => number, text: string): string {
  // By code point: a pattern is whole characters (compileFilter refuses a lone surrogate).
  const chars = [...text].map((c) => (/[a-z]/i.test(c) && random() < 0.3 ? (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) : c));
  const part = (from: number, to?: number) => chars.slice(from, to).join('');
  const r = random();
  const cut = Math.floor(random() * (chars.length + 1));
  if (r < 0.2) return `${part(0, cut)}*`; // a prefix
  if (r < 0.35) return `*${part(cut)}`; // a suffix: a scan
  if (r < 0.5) return `${part(0, cut)}*${part(cut + 1 + Math.floor(random() * 3))}`;
  if (r < 0.6) return `*${part(cut, cut + 2)}*`;
  if (r < 0.7) return part(0).replace(/[%_xX]/g, (c) => ({ '%': '_', _: '%', x: '%', X: '_' })[c] ?? c);
  return part(0);
}

/** `asset.name==P` (or `=in=` two) with patterns made from the names of these URIs. */
function nameClause(random: () => number, uris: readonly string[]): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const names = Array.from({ length: random() < 0.2 ? 2 : 1 }, () => quote(randomPattern(random, pick([...uris.map((u) => u.slice(u.lastIndexOf('/') + 1)), 'a', 'b']))));
  return names.length === 1 ? `asset.name==${names[0]}` : `asset.name=in=(${names.join(',')})`;
}

/** `asset.uri==P` (or `=in=` two) with patterns made from these URIs, mostly without their `FileSystem:/`. */
function uriClause(random: () => number, uris: readonly string[]): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const paths = Array.from({ length: random() < 0.2 ? 2 : 1 }, () => {
    const uri = pick(uris);
    return quote(randomPattern(random, random() < 0.8 ? uri.slice('FileSystem:/'.length) : uri));
  });
  return paths.length === 1 ? `asset.uri==${paths[0]}` : `asset.uri=in=(${paths.join(',')})`;
}

/** Only `asset.name` / `asset.uri` clauses, from URIs that exist somewhere in the history (most filters above select nothing). */
function randomPatternFilter(random: () => number, uris: readonly string[], commits: string[]): string {
  const clauses = Array.from({ length: 1 + Math.floor(random() * 2) }, () => (random() < 0.4 ? nameClause(random, uris) : uriClause(random, uris)));
  return [...clauses, ...randomRevisions(random, commits)].join(random() < 0.5 ? ';' : ' and ');
}

function randomAssetFilter(random: () => number, g: Generated, commits: string[]): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const values = [...META_VALUES, ...URIS, ...NAMES, '0', '20', 'folder', 'mesh', 'nope'];
  const clauses: string[] = [];
  const n = Math.floor(random() * 3);
  for (let i = 0; i < n; i++) {
    switch (Math.floor(random() * 9)) {
      case 0: clauses.push(`assetId==${pick(g.ids)}`); break;
      case 1: clauses.push(`assetId=in=(${pick(g.ids)},${pick(g.ids)},${pick(g.ids)})`); break;
      case 2: {
        const kind = pick(ASSET_KINDS);
        clauses.push(`asset.type.name==${random() < 0.5 ? kind : assetTypeString(kind)}`);
        break;
      }
      case 3: clauses.push(`asset.parameter.${pick(['category', 'family', 'type', 'typeId'])}==${quote(random() < 0.7 ? pick(META_VALUES) : pick(values))}`); break;
      case 4: {
        const name = pick([...META_NAMES, 'name', 'hash', 'nope']);
        clauses.push(random() < 0.3 ? `asset.parameter.name==${quote(name)}` : `asset.parameter.name==${quote(name)} and asset.parameter.value==${quote(random() < 0.5 ? pick(META_VALUES) : pick(values))}`);
        break;
      }
      case 5: clauses.push(`asset.refParameter.${pick(['name==parent', 'name==parent', `typeId==${CONTAINMENT_TYPE}`, 'name=="Base Constraint"'])}${random() < 0.8 ? `;asset.refParameter.value==${pick(random() < 0.7 ? g.folderIds : g.ids)}` : ''}`); break;
      case 7: clauses.push(nameClause(random, URIS)); break;
      case 8: clauses.push(uriClause(random, URIS)); break;
      default: clauses.push(`asset.parameter.name==size;asset.parameter.value==${pick(['0', '20', '25', '30'])}`);
    }
  }
  return [...clauses, ...randomRevisions(random, commits)].join(random() < 0.5 ? ';' : ' and ');
}

function randomRelationshipFilter(random: () => number, g: Generated, commits: string[]): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const clauses: string[] = [];
  if (random() < 0.4) clauses.push(`from.asset.id==${pick(random() < 0.7 ? g.folderIds : g.ids)}`);
  if (random() < 0.3) clauses.push(`to.asset.id==${pick(g.ids)}`);
  return [...clauses, ...randomRevisions(random, commits)].join(';');
}

let t: TestStore;
/** Filters (and answer lines) that selected something, to check the generator exercised every kind of clause. */
const selecting: string[] = [];
beforeAll(() => {
  t = openTestStore();
});
afterAll(() => t?.close());

describe('catalogue SQL = brute-force reference on random histories', () => {
  it.each(Array.from({ length: 12 }, (_, i) => 1000 + i))('history seed %i: 70 asset filters, 20 relationship filters, pages of 1–4', async (seed) => {
    const g = await generate(t, seed);
    const random = rng(seed * 7919);
    for (const branch of g.branches) {
      const history = referenceHistory(t.store, g.repository, branch, g.metadata);
      const commits = [...history.commits];
      // The records the catalogue builds are what the reference filtered on, at every position.
      commits.forEach((_, pos) => {
        const records = t.catalogue.page(branch, { from: null, to: pos }, filterOf(''), null, 1000);
        expect(records.map((a) => a.uri)).toEqual(history.snapshotAt(pos).map((a) => a.uri));
        records.forEach((a, i) => expect(filterableOf(a)).toEqual(history.snapshotAt(pos)[i]?.filterable));
      });
      for (let i = 0; i < 25; i++) {
        const text = randomAssetFilter(random, g, commits);
        const expected = referenceAssets(filterOf(text), history);
        if (expected.length > 0) selecting.push(`${text} → ${expected.join(' ')}`);
        const limit = 1 + Math.floor(random() * 4);
        expect(pagedAssets(t.catalogue, branch, filterOf(text), limit), `seed ${seed} ${branch.name}: ${text} (limit ${limit})`).toEqual(expected);
        expect(t.catalogue.count(branch, t.catalogue.resolve(branch, filterOf(text)), filterOf(text)), text).toBe(expected.length);
      }
      const seen = [...new Set(commits.flatMap((_, pos) => history.snapshotAt(pos).map((a) => a.uri)))];
      for (let i = 0; i < 10; i++) {
        const text = randomPatternFilter(random, seen, commits);
        const expected = referenceAssets(filterOf(text), history);
        if (expected.length > 0) selecting.push(`${text} → ${expected.join(' ')}`);
        const limit = 1 + Math.floor(random() * 4);
        expect(pagedAssets(t.catalogue, branch, filterOf(text), limit), `seed ${seed} ${branch.name}: ${text} (limit ${limit})`).toEqual(expected);
        expect(t.catalogue.count(branch, t.catalogue.resolve(branch, filterOf(text)), filterOf(text)), text).toBe(expected.length);
      }
      for (let i = 0; i < 10; i++) {
        const text = randomRelationshipFilter(random, g, commits);
        const f = filterOf(text, 'relationships');
        const expected = referenceRelationships(f, history);
        const limit = 1 + Math.floor(random() * 4);
        if (expected.length > 0) selecting.push(`${text} → ${expected.join(' ')}`);
        expect(pagedRelationships(t.catalogue, branch, f, limit), `seed ${seed} ${branch.name}: ${text} (limit ${limit})`).toEqual(expected);
        expect(t.catalogue.relationshipCount(branch, t.catalogue.resolve(branch, f), f), text).toBe(expected.length);
      }
    }
  });

  it('the generated filters selected something with every kind of clause and operation', () => {
    for (const part of [
      /assetId==/, /assetId=in=/, /asset\.type\.name==assethub:/, /asset\.type\.name==[a-z]+\b(?!:)/,
      /asset\.parameter\.(category|family|type|typeId)==/, /asset\.parameter\.name==/, /asset\.parameter\.value==/,
      /asset\.refParameter\.name==parent;asset\.refParameter\.value/, /asset\.refParameter\.typeId==/, /from\.asset\.id==/, /to\.asset\.id==/,
      /asset\.name=="[^"*]*"/, /asset\.name=="[^"]*\*[^"]*"/, /asset\.name=in=/, /asset\.uri=="[^*"]+\*"/, /asset\.uri=="\*[^"]*"/,
      /asset\.uri=="[^"*]*"/, /asset\.uri=in=/, /asset\.name=="[^"*]*[%_][^"*]*"/,
      /fromRevision==/, /toRevision==/, /→ .*INSERT /, /→ .*MODIFY /, /→ .*REMOVE /, /→ .*AT /,
    ]) {
      expect(selecting.some((s) => part.test(s)), String(part)).toBe(true);
    }
  });
});

describe('name and uri patterns: SQLite LIKE (likePattern) = matchesPattern', () => {
  it('on random texts and patterns over letters in both cases, non-ASCII letters, /, %, _, \\ and *', () => {
    const random = rng(42);
    const alphabet = ['a', 'A', 'b', 'B', '/', '.', '%', '_', LIKE_ESCAPE, 'é', 'É', 'ß', '😀'];
    const word = (max: number, extra: string[] = []) => Array.from({ length: Math.floor(random() * (max + 1)) }, () => {
      const from = [...alphabet, ...extra];
      return from[Math.floor(random() * from.length)] as string;
    }).join('');
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < 3000; i++) {
      const text = word(8);
      // Half the patterns are made from the text, so that many match.
      const pattern = random() < 0.5 ? randomPattern(random, text) : word(6, ['*', '*']);
      pairs.push([pattern, text]);
    }
    const row = t.store.database.get(
      `SELECT json_group_array(value ->> '$[1]' LIKE value ->> '$[0]' ESCAPE '${LIKE_ESCAPE}') AS r FROM json_each(?)`,
      [JSON.stringify(pairs.map(([p, text]) => [likePattern(p), text]))],
    );
    const sql = JSON.parse(String(row?.r)) as number[];
    const mismatches = pairs.filter(([p, text], i) => matchesPattern(p, text) !== (sql[i] === 1));
    expect(mismatches).toEqual([]);
    expect(sql.filter((m) => m === 1).length).toBeGreaterThan(500);
  });
});
