/**
 * Test helpers for the catalogue (used by the *.test.ts of the folder above; not part of the public API): a store in a temp folder,
 * commits with content hashes, and the brute-force reference the catalogue's SQL is compared with, built from the
 * store's plain snapshots (ServerStore.snapshot) and shared/rsql, not from the catalogue's own code.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTAINMENT_TYPE, assetKindOf, typeNameToKind } from '../../../../shared/assethub/catalogue.ts';
import type { TCommitChange } from '../../../../shared/assethub/calls.ts';
import { parentUri } from '../../../../shared/assethub/uri.ts';
import { compileFilter, type CompiledFilter, type FilterTarget } from '../../../../shared/rsql/filter.ts';
import { matchesAsset, matchesRelationship, type FilterableAsset } from '../../../../shared/rsql/evaluate.ts';
import { queryHistory, type History } from '../../../../shared/rsql/query.ts';
import type { Branch, ServerStore as Store } from '../../store.ts';
import { ServerStore } from '../../store.ts';
import { Catalogue } from '../index.ts';

export const REPO = '%SYNCED_STORAGE%\\Projects\\Catalogue';

export interface TestStore { dir: string; file: string; store: Store; catalogue: Catalogue; close(): void }

export function openTestStore(): TestStore {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'assethub-catalogue-'));
  const file = path.join(dir, 'server.sqlite');
  const store = new ServerStore(file);
  return {
    dir, file, store, catalogue: new Catalogue(store),
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** The id the brief specifies, computed here on its own: uppercase hex SHA-1 of repository \0 branch \0 uri. */
export const expectedAssetId = (repository: string, branch: string, uri: string): string =>
  createHash('sha1').update(`${repository}\0${branch}\0${uri}`).digest('hex').toUpperCase();

export const putFile = (uri: string, content: string): TCommitChange => ({ Type: 'PutFile', URI: uri, Size: content.length, Hash: sha256(content), Chunks: [] });
export const putDir = (uri: string): TCommitChange => ({ Type: 'PutDirectory', URI: uri });
export const del = (uri: string): TCommitChange => ({ Type: 'Delete', URI: uri });

/** Appends a commit at the branch head. */
export function commit(store: Store, branch: string, author: string, changes: TCommitChange[], repository = REPO): string {
  const b = store.branch(repository, branch);
  return store.createCommit({ repository, branch, parent: store.head(b.id).commitId, author, comment: 'test', changes });
}

export function filterOf(text: string, target: FilterTarget = 'assets'): CompiledFilter {
  const r = compileFilter(text, target);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return r.value;
}

/** One asset of a plain snapshot, as the reference sees it. */
export interface RefAsset { uri: string; id: string; revision: string; created: string; filterable: FilterableAsset; parentId: string | null }

/**
 * The reference history of a branch: snapshots from ServerStore.snapshot, ids and parameters derived independently,
 * `created` by walking the snapshots (an asset keeps its creating commit while it exists with the same kind).
 */
export function referenceHistory(store: Store, repository: string, branch: Branch, metadata: ReadonlyMap<string, ReadonlyArray<{ name: string; value: string }>>): History<RefAsset> {
  const commits = store.commits(branch.id).map((c) => c.ID);
  const snapshots: RefAsset[][] = [];
  let previous = new Map<string, { dir: boolean; created: string }>();
  commits.forEach((commitId, pos) => {
    const current = new Map<string, { dir: boolean; created: string }>();
    const assets = store.snapshot(branch.id, pos).map((v): RefAsset => {
      const dir = v.kind === 'directory';
      const before = previous.get(v.uri);
      const created = before && before.dir === dir ? before.created : commitId;
      current.set(v.uri, { dir, created });
      const id = expectedAssetId(repository, branch.name, v.uri);
      const parent = parentUri(v.uri);
      const parentId = parent === null ? null : expectedAssetId(repository, branch.name, parent);
      const kind = assetKindOf(v.uri, dir);
      const name = v.uri.slice(v.uri.lastIndexOf('/') + 1);
      const parameters = [
        { name: 'uri', value: v.uri }, { name: 'name', value: name },
        { name: 'size', value: String(v.size) }, { name: 'kind', value: kind },
        ...(v.hash === null ? [] : [{ name: 'hash', value: v.hash }]),
        ...(metadata.get(id) ?? []),
      ];
      return {
        uri: v.uri, id, revision: v.commitId, created, parentId,
        filterable: { id, type: kind, name, uri: v.uri, parameters, refParameters: parentId === null ? [] : [{ name: 'parent', value: parentId, typeId: CONTAINMENT_TYPE }] },
      };
    });
    snapshots.push(assets);
    previous = current;
  });
  return { commits, snapshotAt: (i) => (i < 0 ? [] : snapshots[i] ?? []) };
}

/** The reference answer of an asset query: `OP uri@revision` lines (AT for a snapshot). */
export function referenceAssets(filter: CompiledFilter, history: History<RefAsset>): string[] {
  const normalized = { ...filter, typeNames: filter.typeNames.map(typeNameToKind) };
  const r = queryHistory(normalized, history, (a) => a.uri, (a) => a.revision, (a) => matchesAsset(normalized, a.filterable));
  if (!r.ok) throw new Error(r.error.message);
  return r.value.map((row) => `${row.operation ?? 'AT'} ${row.item.uri}@${row.item.revision}`);
}

/** The reference answer of a relationship query: `OP parentId>childId@created` lines. */
export function referenceRelationships(filter: CompiledFilter, history: History<RefAsset>): string[] {
  const rels: History<RefAsset> = { commits: history.commits, snapshotAt: (i) => history.snapshotAt(i).filter((a) => a.parentId !== null) };
  const r = queryHistory(filter, rels, (a) => a.uri, (a) => a.created, (a) => matchesRelationship(filter, { fromAssetId: a.parentId ?? '', toAssetId: a.id }));
  if (!r.ok) throw new Error(r.error.message);
  return r.value.map((row) => `${row.operation ?? 'AT'} ${row.item.parentId}>${row.item.id}@${row.item.created}`);
}

/**
 * Every page of an asset query through Catalogue.page, `limit` at a time, as `OP uri@revision` lines. A URI seen
 * twice throws (a page that does not move past its cursor would otherwise be read forever).
 */
export function pagedAssets(catalogue: Catalogue, branch: Branch, filter: CompiledFilter, limit: number): string[] {
  const range = catalogue.resolve(branch, filter);
  const out: string[] = [];
  const seen = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page = catalogue.page(branch, range, filter, after, limit);
    for (const a of page) {
      if (seen.has(a.uri)) throw new Error(`${a.uri} again after ${after}: the page did not move past its cursor`);
      seen.add(a.uri);
    }
    out.push(...page.map((a) => `${a.operation ?? 'AT'} ${a.uri}@${a.revisionId}`));
    if (page.length < limit) return out;
    after = (page.at(-1) as { uri: string }).uri;
  }
}

export function pagedRelationships(catalogue: Catalogue, branch: Branch, filter: CompiledFilter, limit: number): string[] {
  const range = catalogue.resolve(branch, filter);
  const out: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = catalogue.keyedRelationshipPage(branch, range, filter, after, limit);
    out.push(...page.map(({ relationship: r }) => `${r.operation ?? 'AT'} ${r.from.asset.id}>${r.to.asset.id}@${r.revisionId}`));
    if (page.length < limit) return out;
    after = (page.at(-1) as { uri: string }).uri;
  }
}
