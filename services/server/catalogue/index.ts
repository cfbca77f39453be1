/**
 * The asset catalogue of docs/PROTOCOL.md §6 over the server's store: every file and folder of every branch as an asset
 * record, folder → child containment as relationships, paged in uri order at a revision or as a
 * delta between two, filtered by compiled RSQL; tags, keywords and metadata set by ImportAssets.
 * Decisions are listed in docs/PROTOCOL-EXTENSIONS.md ("Asset catalogue (issue 8)").
 */
import { randomBytes } from 'node:crypto';
import type sqlite from 'node-sqlite3-wasm';
import {
  CONTAINMENT_TYPE, assetTypeString, typeNameToKind, type TAsset, type TAssetKind, type TAttribute, type TRelationship,
} from '../../../shared/assethub/catalogue.ts';
import { matchesAsset, type AssetParameter, type FilterableAsset } from '../../../shared/rsql/evaluate.ts';
import type { CompiledFilter } from '../../../shared/rsql/filter.ts';
import { resolveRange, type RevisionRange } from '../../../shared/rsql/revisions.ts';
import { ServiceFailure } from '../../lib/failure.ts';
import type { Branch, ServerStore } from '../store.ts';
import { parentIdOf, relationshipIdOf, spaceIdOf } from './derive.ts';
import {
  PARENT_PARAMETER, ROW_COLUMNS, runCount, runPage, statements, type FileRow, type Query, type Statement, type Target,
} from './sql.ts';

export { assetIdOf } from './derive.ts';

export const SPACE_TYPE = 'assethub:space.branch-1.0.0';
export const SNAPSHOT_TYPE = 'assethub:snapshot.commit-1.0.0';

export interface MetadataChange { assetId: string; repository: string; branch: string; uri: string }
export interface AssetExtras { tags: string[]; keywords: string[]; metadata: Array<{ name: string; defaultValue: string; type?: string }> }

interface Actor { userId: string; serviceId: string; date: string }

const enc = encodeURIComponent;
export const spaceUrl = (repository: string, branch: string): string => `/repositories/${enc(repository)}/branches/${enc(branch)}`;

export class Catalogue {
  /** The clock cursors are issued and checked with (tests move it to expire a cursor without waiting). */
  clock: () => number = Date.now;
  private readonly listeners = new Set<(changed: MetadataChange[]) => void>();
  private readonly repositoryNames = new Map<number, string>();

  constructor(private readonly store: ServerStore) {}

  private get db(): sqlite.Database {
    return this.store.database;
  }

  // ---- the surface the integrations engine codes against ----

  /** One page in uri order: snapshot at range.to (range.from === null) or delta (from, to] with operation set; only uri > after. */
  page(branch: Branch, range: RevisionRange, filter: CompiledFilter, after: string | null, limit: number): TAsset[] {
    return this.read(() => {
      const rows = runPage(this.db, this.statements(branch, range, filter, 'assets', after, limit), limit);
      return this.assets(branch, rows);
    });
  }

  /** Number of assets page() would return over all pages. */
  count(branch: Branch, range: RevisionRange, filter: CompiledFilter): number {
    return this.read(() => runCount(this.db, this.statements(branch, range, filter, 'assets', null, 'count')));
  }

  /** The asset at its branch head, or null if it does not exist there now. */
  byId(assetId: string): { asset: TAsset; repository: string; branch: string } | null {
    return this.read(() => this.findById(assetId));
  }

  private findById(assetId: string): { asset: TAsset; repository: string; branch: string } | null {
    const row = this.db.get(
      `SELECT ${ROW_COLUMNS}, f.branch_id, b.repository_id, b.name AS branch_name
       FROM files f INDEXED BY files_asset JOIN branches b ON b.id = f.branch_id WHERE f.asset_id = ? AND f.to_pos IS NULL LIMIT 1`,
      [assetId],
    );
    if (!row) return null;
    const branch: Branch = { id: Number(row.branch_id), repositoryId: Number(row.repository_id), name: String(row.branch_name) };
    const [asset] = this.assets(branch, [row as unknown as FileRow]);
    return asset ? { asset, repository: this.repositoryName(branch.repositoryId), branch: branch.name } : null;
  }

  /** Called after ImportAssets changed the tags/keywords/metadata of these assets (after commit). */
  onMetadataChanged(listener: (changed: MetadataChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- the rest of the catalogue (Calls, export/import, bench) ----

  /**
   * Runs `fn` in one read transaction (or in the caller's transaction): every statement sees the same snapshot, and
   * the connection takes its shared lock once instead of per statement (node-sqlite3-wasm locks with a directory it
   * creates and removes each time, which costs more than an indexed query).
   */
  read<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.exec('BEGIN');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** One page of containment relationships in child-uri order, like page(). */
  relationshipPage(branch: Branch, range: RevisionRange, filter: CompiledFilter, after: string | null, limit: number): TRelationship[] {
    return this.keyedRelationshipPage(branch, range, filter, after, limit).map((r) => r.relationship);
  }

  /** relationshipPage() with each relationship's child uri, the key its order and cursors use. */
  keyedRelationshipPage(branch: Branch, range: RevisionRange, filter: CompiledFilter, after: string | null, limit: number): Array<{ relationship: TRelationship; uri: string }> {
    return this.read(() => {
      const rows = runPage(this.db, this.statements(branch, range, filter, 'relationships', after, limit), limit);
      return this.relationships(branch, range, rows).map((relationship, i) => ({ relationship, uri: (rows[i] as FileRow).uri }));
    });
  }

  relationshipCount(branch: Branch, range: RevisionRange, filter: CompiledFilter): number {
    return this.read(() => runCount(this.db, this.statements(branch, range, filter, 'relationships', null, 'count')));
  }

  /** The SQL a page (or a count) runs, for the bench and the plan tests. */
  statements(branch: Branch, range: RevisionRange, filter: CompiledFilter, target: Target, after: string | null, limit: number | 'count'): Statement[] {
    const q: Query = { target, branchId: branch.id, range, head: this.store.head(branch.id).position, filter };
    return statements(this.db, q, after, limit);
  }

  /** Commit IDs of a branch, oldest first (index = position). */
  commitIds(branch: Branch): string[] {
    return this.db.all('SELECT commit_id FROM branch_commits WHERE branch_id = ? ORDER BY position', [branch.id]).map((r) => String(r.commit_id));
  }

  /** The range a filter's revision selectors ask for on a branch; INVALID_FILTER when they name no commit of it. */
  resolve(branch: Branch, filter: CompiledFilter): RevisionRange {
    const range = resolveRange(filter, this.commitIds(branch));
    if (!range.ok) throw new ServiceFailure('INVALID_FILTER', `Filters: ${range.error.message}`);
    return range.value;
  }

  /** The secret that signs cursors, created once and kept in the database so cursors survive a restart. */
  cursorKey(): Buffer {
    this.db.run('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)', ['cursor_key', randomBytes(32).toString('hex')]);
    return Buffer.from(String(this.db.get("SELECT value FROM meta WHERE key = 'cursor_key'")?.value), 'hex');
  }

  repositoryName(repositoryId: number): string {
    let name = this.repositoryNames.get(repositoryId);
    if (name === undefined) {
      name = String(this.db.get('SELECT name FROM repositories WHERE id = ?', [repositoryId])?.name);
      this.repositoryNames.set(repositoryId, name);
    }
    return name;
  }

  /** Tags, keywords and metadata of these assets (absent ids have empty lists). */
  extras(assetIds: readonly string[]): Map<string, AssetExtras> {
    const out = new Map<string, AssetExtras>();
    if (assetIds.length === 0) return out;
    const ids = JSON.stringify([...new Set(assetIds)]);
    const entry = (id: string): AssetExtras => {
      let e = out.get(id);
      if (!e) out.set(id, (e = { tags: [], keywords: [], metadata: [] }));
      return e;
    };
    for (const id of new Set(assetIds)) entry(id);
    // Most catalogues have few tags, keywords or metadata: a table with no row at all is not probed id by id.
    const present = this.db.get(`SELECT EXISTS (SELECT 1 FROM asset_tags) AS tags, EXISTS (SELECT 1 FROM asset_keywords) AS keywords,
      EXISTS (SELECT 1 FROM asset_metadata) AS metadata`);
    if (present?.tags) for (const r of this.db.all('SELECT asset_id, tag FROM asset_tags WHERE asset_id IN (SELECT value FROM json_each(?)) ORDER BY asset_id, position', [ids])) {
      entry(String(r.asset_id)).tags.push(String(r.tag));
    }
    if (present?.keywords) for (const r of this.db.all('SELECT asset_id, keyword FROM asset_keywords WHERE asset_id IN (SELECT value FROM json_each(?)) ORDER BY asset_id, position', [ids])) {
      entry(String(r.asset_id)).keywords.push(String(r.keyword));
    }
    if (present?.metadata) for (const r of this.db.all('SELECT asset_id, name, value, type FROM asset_metadata WHERE asset_id IN (SELECT value FROM json_each(?)) ORDER BY asset_id, position', [ids])) {
      entry(String(r.asset_id)).metadata.push({ name: String(r.name), defaultValue: String(r.value), ...(r.type === null ? {} : { type: String(r.type) }) });
    }
    return out;
  }

  /** Tells the listeners; a listener that throws does not stop the others. */
  notifyMetadataChanged(changed: MetadataChange[]): void {
    if (changed.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(changed);
      } catch {
        // A listener's failure is its own; the import has been committed.
      }
    }
  }

  private actors(commitIds: Iterable<string>): Map<string, Actor> {
    const out = new Map<string, Actor>();
    const ids = [...new Set(commitIds)];
    if (ids.length === 0) return out;
    for (const r of this.db.all('SELECT id, author, created_at FROM commits WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)])) {
      const machine = String(r.author);
      out.set(String(r.id), { userId: machine, serviceId: `${machine}-AssetHubClient`, date: String(r.created_at) });
    }
    return out;
  }

  private space(branch: Branch) {
    const repository = this.repositoryName(branch.repositoryId);
    return { id: spaceIdOf(repository, branch.name), type: SPACE_TYPE, url: spaceUrl(repository, branch.name), data: { repository, branch: branch.name } };
  }

  /** Asset records for rows of one branch. */
  private assets(branch: Branch, rows: FileRow[]): TAsset[] {
    if (rows.length === 0) return [];
    const space = this.space(branch);
    const actors = this.actors(rows.flatMap((r) => [r.commit_id, r.created_commit]));
    const extras = this.extras(rows.map((r) => r.asset_id));
    return rows.map((r) => {
      const extra = extras.get(r.asset_id) ?? { tags: [], keywords: [], metadata: [] };
      const system: TAttribute[] = [
        { name: 'uri', value: r.uri, category: 'system' },
        { name: 'name', value: r.name, category: 'system' },
        { name: 'size', value: String(r.size), category: 'system' },
        { name: 'kind', value: r.asset_kind, category: 'system' },
        ...(r.hash === null ? [] : [{ name: 'hash', value: r.hash, category: 'system' as const }]),
      ];
      const asset: TAsset = {
        createdBy: actorOf(actors, r.created_commit),
        lastModifiedBy: actorOf(actors, r.commit_id),
        id: r.asset_id,
        revisionId: r.commit_id,
        type: assetTypeString(r.asset_kind as TAssetKind),
        space,
        attributes: {
          id: r.asset_id,
          url: `${space.url}/assets/${r.asset_id}/attributes`,
          data: [...system, ...extra.metadata.map((m) => ({ name: m.name, value: m.defaultValue, category: 'application' as const }))],
        },
        externalComponentHash: r.hash,
        uri: r.uri,
        name: r.name,
        size: Number(r.size),
        tags: extra.tags,
        keywords: extra.keywords,
      };
      if (r.existed !== undefined) asset.operation = r.existed === null ? 'REMOVE' : Number(r.existed) === 1 ? 'MODIFY' : 'INSERT';
      return asset;
    });
  }

  private relationships(branch: Branch, range: RevisionRange, rows: FileRow[]): TRelationship[] {
    if (rows.length === 0) return [];
    const space = this.space(branch);
    const actors = this.actors(rows.map((r) => r.created_commit));
    const commits = this.db.all(
      'SELECT position, commit_id FROM branch_commits WHERE branch_id = ? AND position IN (?, ?)',
      [branch.id, range.to, range.from ?? range.to],
    );
    const commitAt = (pos: number): string => String(commits.find((c) => Number(c.position) === pos)?.commit_id ?? '');
    const snapshot = (pos: number) => {
      const id = commitAt(pos);
      return { id, type: SNAPSHOT_TYPE, url: `${space.url}/commits/${enc(id)}`, data: {} };
    };
    return rows.map((r) => {
      const parentId = r.parent_id ?? '';
      const at = snapshot(r.existed === null && range.from !== null ? range.from : range.to);
      const actor = actorOf(actors, r.created_commit);
      const rel: TRelationship = {
        createdBy: actor,
        lastModifiedBy: actor,
        id: relationshipIdOf(parentId, r.asset_id),
        type: CONTAINMENT_TYPE,
        from: { asset: { id: parentId, type: assetTypeString('folder'), url: `${space.url}/assets/${parentId}`, data: {} }, snapshot: at },
        to: { asset: { id: r.asset_id, type: assetTypeString(r.asset_kind as TAssetKind), url: `${space.url}/assets/${r.asset_id}`, data: {} }, snapshot: at },
        category: 'Relationship',
        revisionId: r.created_commit,
      };
      if (r.existed !== undefined) rel.operation = r.existed === null ? 'REMOVE' : Number(r.existed) === 1 ? 'MODIFY' : 'INSERT';
      return rel;
    });
  }
}

function actorOf(actors: Map<string, Actor>, commitId: string): Actor {
  const actor = actors.get(commitId);
  if (!actor) throw new Error(`commit ${commitId} of a file version is missing`);
  return actor;
}

/**
 * What an RSQL filter sees of an asset record: its kind as `type` (asset.type.name compares kinds, see
 * typeNameToKind), its system attributes `name` and `uri` (the record's `name` and `uri`) as `name` and `uri`, its
 * attributes as parameters and its folder as the reference parameter `parent`.
 */
export function filterableOf(asset: TAsset): FilterableAsset {
  const space = asset.space.data as { repository?: unknown; branch?: unknown };
  const parentId = parentIdOf(String(space.repository), String(space.branch), asset.uri);
  const parameters: AssetParameter[] = asset.attributes.data.map((a) => ({ name: a.name, value: a.value }));
  return {
    id: asset.id,
    type: typeNameToKind(asset.type),
    name: asset.name,
    uri: asset.uri,
    parameters,
    refParameters: parentId === null ? [] : [{ name: PARENT_PARAMETER, value: parentId, typeId: CONTAINMENT_TYPE }],
  };
}

/** The in-memory form of the catalogue's SQL: whether an asset record passes a filter (revision selectors aside). */
export function assetMatches(filter: CompiledFilter, asset: TAsset): boolean {
  return matchesAsset({ ...filter, typeNames: filter.typeNames.map(typeNameToKind) }, filterableOf(asset));
}
