/**
 * ExportAssets and ImportAssets (docs/PROTOCOL.md §6): the catalogue's tags, keywords and metadata as a JSON
 * document, and back.
 *
 * Export selects assets at the branch head: the one `AssetId` (UNKNOWN_ASSET when it is not there; Tags and Keywords are
 * then not applied), or those carrying ALL the given `Tags` and ANY of the given `Keywords` (an absent or empty list
 * does not restrict), in uri order.
 *
 * Import validates the whole document before touching anything and collects every problem; if there is one, it fails
 * with UNPROCESSABLE, a message whose first line sums up and whose next lines are `#<index> <field>: <message>` (index
 * -1 for the document itself), and the same problems as the Failure's Errors. Otherwise each entry's fields that are
 * present replace the stored lists (tags, keywords, metadata), absent ones stay, all in one transaction; `name` and
 * `type` are the export's information and are not imported. Both run in slices, the store held (store-writer.ts).
 */
import {
  ASSET_DOCUMENT_FORMAT, ASSET_DOCUMENT_MAX_BYTES, AssetDocument, DocumentAsset, assetTypeString, type TAssetDocument, type TAssetKind, type TDocumentAsset,
  type TImportProblem,
} from '../../../shared/assethub/catalogue.ts';
import { ServiceFailure } from '../../lib/failure.ts';
import type { Branch, ServerStore } from '../store.ts';
import { inSlices, type Slice } from '../store-writer.ts';
import { assetIdOf } from './derive.ts';
import type { AssetExtras, Catalogue, MetadataChange } from './index.ts';

export interface ExportRequest { Repository: string; Branch: string; Tags?: string[]; Keywords?: string[]; AssetId?: string }

const CHUNK = 500;
/** Entries an import applies per step (a step is a few ms; steps follow one another for a slice). */
const APPLY_CHUNK = 50;

/**
 * The export of a branch's assets, read a page at a time with the store held (store-writer.ts), so a branch of a
 * million assets never holds the loop; at most ASSET_DOCUMENT_MAX_BYTES of entries (TOO_LARGE past it, with the way
 * out), as the document is one answer on the hub.
 */
export async function exportAssets(store: ServerStore, catalogue: Catalogue, p: ExportRequest): Promise<TAssetDocument> {
  return store.hold(async (slice) => {
    const branch = await slice(() => store.branch(p.Repository, p.Branch));
    const db = store.database;
    const columns = 'f.asset_id, f.uri, f.name, f.asset_kind';
    let page: (after: string) => Array<Record<string, unknown>>;
    const assetId = p.AssetId;
    if (assetId !== undefined) {
      const one = await slice(() => db.all(`SELECT ${columns} FROM files f INDEXED BY files_asset WHERE f.asset_id = ? AND f.branch_id = ? AND f.to_pos IS NULL`, [assetId, branch.id]));
      if (one.length === 0) {
        throw new ServiceFailure('UNKNOWN_ASSET', `no asset ${p.AssetId} at the head of branch "${p.Branch}" of ${p.Repository}`);
      }
      page = (after) => (after === '' ? one : []);
    } else {
      const tags = [...new Set(p.Tags ?? [])];
      const keywords = [...new Set(p.Keywords ?? [])];
      const where: string[] = ['f.branch_id = ?', 'f.to_pos IS NULL', 'f.uri > ?'];
      const params: Array<string | number> = [branch.id];
      let from = 'files f INDEXED BY files_current';
      if (tags.length > 0) {
        // The first tag drives (asset_tags_by_tag); every other one must be there too.
        from = 'asset_tags t INDEXED BY asset_tags_by_tag CROSS JOIN files f INDEXED BY files_asset';
        where.unshift('t.tag = ?', 'f.asset_id = t.asset_id');
        params.unshift(tags[0] as string);
        for (const tag of tags.slice(1)) {
          where.push('EXISTS (SELECT 1 FROM asset_tags x WHERE x.asset_id = f.asset_id AND x.tag = ?)');
          params.push(tag);
        }
      }
      if (keywords.length > 0) {
        where.push('EXISTS (SELECT 1 FROM asset_keywords k WHERE k.asset_id = f.asset_id AND k.keyword IN (SELECT value FROM json_each(?)))');
        params.push(JSON.stringify(keywords));
      }
      // `f.uri > ?` comes right after the branch and the tag: the keyset of each page.
      const sql = `SELECT ${columns} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY f.uri LIMIT ${CHUNK}`;
      const at = tags.length > 0 ? 2 : 1;
      page = (after) => db.all(sql, [...params.slice(0, at), after, ...params.slice(at)]);
    }
    const assets: TAssetDocument['assets'] = [];
    let bytes = 0;
    for (let after: string | null = ''; after !== null;) {
      after = await slice(() => {
        const rows = page(after as string);
        const extras = catalogue.extras(rows.map((r) => String(r.asset_id)));
        for (const r of rows) {
          const e = extras.get(String(r.asset_id)) as AssetExtras;
          const entry: TDocumentAsset = {
            assetId: String(r.asset_id),
            uri: String(r.uri),
            name: String(r.name),
            type: assetTypeString(String(r.asset_kind) as TAssetKind),
            tags: e.tags,
            keywords: e.keywords,
            metadata: e.metadata,
          };
          bytes += JSON.stringify(entry).length + 1;
          if (bytes > ASSET_DOCUMENT_MAX_BYTES) {
            throw new ServiceFailure('TOO_LARGE', `an export holds at most ${ASSET_DOCUMENT_MAX_BYTES / 1024 / 1024} MiB of entries, and these assets are more (past ${assets.length}): narrow it by Tags or Keywords`);
          }
          assets.push(entry);
        }
        return rows.length < CHUNK ? null : String(rows.at(-1)?.uri);
      });
    }
    return { format: ASSET_DOCUMENT_FORMAT, version: 1, repository: p.Repository, branch: p.Branch, exportedAt: new Date(catalogue.clock()).toISOString(), assets };
  });
}

const fieldOf = (path: ReadonlyArray<PropertyKey>, whole: string): string => (path.length === 0 ? whole : path.map(String).join('.'));

/** The message of a refused import: a summary line, then `#<index> <field>: <message>` per problem. */
export function importFailureMessage(problems: readonly TImportProblem[]): string {
  const summary = `ImportAssets refused the document: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported`;
  return [summary, ...problems.map((p) => `#${p.Index} ${p.Field}: ${p.Message}`)].join('\n');
}

interface Planned { index: number; assetId: string; uri: string; entry: TDocumentAsset }

/** Every duplicate in a list, as problems of `field.<i>`. */
function duplicates(values: readonly string[], field: string, index: number, out: TImportProblem[]): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) out.push({ Index: index, Field: `${field}.${i}`, Message: `"${v}" appears twice` });
    seen.add(v);
  });
}

/**
 * Checks the whole document and applies it, in one transaction (nothing can change the branch between the check and
 * the writes); tells the catalogue's listeners after the commit. The store is held meanwhile and the work done in
 * slices (store-writer.ts): a document of thousands of entries never holds the event loop.
 */
export async function importAssets(store: ServerStore, catalogue: Catalogue, document: unknown): Promise<{ Imported: number; Unchanged: number }> {
  const { changed, unchanged } = await store.hold(async (slice) => {
    const checked = await checkDocument(store, document, slice);
    const db = store.database;
    await slice(() => db.exec('BEGIN IMMEDIATE'));
    try {
      const applied = await apply(store, catalogue, checked.repository, checked.branch, checked.planned, slice);
      await slice(() => db.exec('COMMIT'));
      return applied;
    } catch (error) {
      await slice(() => db.inTransaction && db.exec('ROLLBACK'));
      throw error;
    }
  });
  catalogue.notifyMetadataChanged(changed);
  return { Imported: changed.length, Unchanged: unchanged };
}

/** Every problem of a document, or what to apply: UNPROCESSABLE listing them all when there is any. */
async function checkDocument(store: ServerStore, document: unknown, slice: Slice): Promise<{ repository: string; branch: Branch; planned: Planned[] }> {
  const problems: TImportProblem[] = [];
  const problem = (Index: number, Field: string, Message: string) => problems.push({ Index, Field, Message });
  const db = store.database;

  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    problem(-1, 'Document', `must be an ${ASSET_DOCUMENT_FORMAT} document (an object)`);
    throw new ServiceFailure('UNPROCESSABLE', importFailureMessage(problems), problems);
  }
  const top = AssetDocument.safeParse(document);
  if (!top.success) for (const issue of top.error.issues) problem(-1, fieldOf(issue.path, 'Document'), issue.message);
  const doc = document as Record<string, unknown>;

  let branch: Branch | null = null;
  if (typeof doc.repository === 'string' && doc.repository !== '' && typeof doc.branch === 'string' && doc.branch !== '') {
    try {
      const [repository, name] = [doc.repository, doc.branch];
      branch = await slice(() => store.branch(repository, name));
    } catch (error) {
      if (!(error instanceof ServiceFailure)) throw error;
      problem(-1, error.code === 'UNKNOWN_REPOSITORY' ? 'repository' : 'branch', error.message);
    }
  }
  const repository = String(doc.repository);
  const branchName = String(doc.branch);
  // db.get rather than a prepared Statement: node-sqlite3-wasm's Statement.get leaves the statement unfinished between
  // calls and measured many times slower.
  const atHead = (assetId: string, branchId: number) =>
    db.get('SELECT uri FROM files INDEXED BY files_asset WHERE asset_id = ? AND to_pos IS NULL AND branch_id = ?', [assetId, branchId]);
  const elsewhere = (assetId: string) => db.get(
    `SELECT b.name AS branch, r.name AS repository FROM files f INDEXED BY files_asset JOIN branches b ON b.id = f.branch_id
     JOIN repositories r ON r.id = b.repository_id WHERE f.asset_id = ? AND f.to_pos IS NULL LIMIT 1`,
    [assetId],
  );
  const planned: Planned[] = [];
  const firstEntry = new Map<string, number>();
  const entries = Array.isArray(doc.assets) ? (doc.assets as unknown[]) : [];
  await inSlices(entries.length, slice, (index) => {
    const raw = entries[index];
    const before = problems.length;
    const parsed = DocumentAsset.safeParse(raw);
    if (!parsed.success) for (const issue of parsed.error.issues) problem(index, fieldOf(issue.path, 'entry'), issue.message);
    const fields = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    const givenId = typeof fields.assetId === 'string' && fields.assetId !== '' ? fields.assetId : null;
    const givenUri = typeof fields.uri === 'string' && fields.uri !== '' ? fields.uri : null;
    if (givenId === null && givenUri === null && fields.assetId === undefined && fields.uri === undefined) {
      problem(index, 'assetId', 'an entry needs assetId or uri to name its asset');
    }
    if (parsed.success) {
      duplicates(parsed.data.tags ?? [], 'tags', index, problems);
      duplicates(parsed.data.keywords ?? [], 'keywords', index, problems);
      duplicates((parsed.data.metadata ?? []).map((m) => m.name), 'metadata', index, problems);
    }
    if (!branch) return;
    let assetId: string | null = null;
    if (givenUri !== null) {
      const idOfUri = assetIdOf(repository, branchName, givenUri);
      if (givenId !== null && givenId !== idOfUri) {
        problem(index, 'uri', `${givenUri} is asset ${idOfUri} on this branch, not ${givenId}`);
      } else if (!atHead(idOfUri, branch.id)) {
        problem(index, 'uri', `no asset ${givenUri} at the head of branch "${branchName}"`);
      } else {
        assetId = idOfUri;
      }
    } else if (givenId !== null) {
      const row = atHead(givenId, branch.id);
      if (row) {
        assetId = givenId;
      } else {
        const other = elsewhere(givenId);
        problem(index, 'assetId', other
          ? `asset ${givenId} belongs to branch "${String(other.branch)}" of ${String(other.repository)}, not to this document's branch`
          : `no asset ${givenId} at the head of branch "${branchName}"`);
      }
    }
    if (assetId === null) return;
    const first = firstEntry.get(assetId);
    if (first !== undefined) {
      problem(index, givenId !== null ? 'assetId' : 'uri', `names the same asset as entry #${first}`);
      return;
    }
    firstEntry.set(assetId, index);
    if (problems.length === before && parsed.success) {
      const uri = String(atHead(assetId, branch.id)?.uri);
      planned.push({ index, assetId, uri, entry: parsed.data });
    }
  });
  if (problems.length > 0 || !branch) {
    if (problems.length === 0) problem(-1, 'Document', 'the document names no branch');
    throw new ServiceFailure('UNPROCESSABLE', importFailureMessage(problems), problems);
  }
  return { repository, branch, planned };
}

/** Fields present replace the stored lists, absent ones stay; an entry that changes nothing counts as unchanged. */
async function apply(store: ServerStore, catalogue: Catalogue, repository: string, target: Branch, planned: Planned[], slice: Slice): Promise<{ changed: MetadataChange[]; unchanged: number }> {
  const db = store.database;
  const changed: MetadataChange[] = [];
  let unchanged = 0;
  await inSlices(Math.ceil(planned.length / APPLY_CHUNK), slice, (step) => {
    const chunk = planned.slice(step * APPLY_CHUNK, (step + 1) * APPLY_CHUNK);
    const stored = catalogue.extras(chunk.map((p) => p.assetId));
    for (const p of chunk) {
      const old = stored.get(p.assetId) as AssetExtras;
      const next: AssetExtras = {
        tags: p.entry.tags ?? old.tags,
        keywords: p.entry.keywords ?? old.keywords,
        metadata: (p.entry.metadata ?? old.metadata).map((m) => ({ name: m.name, defaultValue: m.defaultValue, ...(m.type === undefined ? {} : { type: m.type }) })),
      };
      if (JSON.stringify(next) === JSON.stringify(old)) {
        unchanged++;
        continue;
      }
      if (p.entry.tags) {
        db.run('DELETE FROM asset_tags WHERE asset_id = ?', [p.assetId]);
        next.tags.forEach((tag, position) => db.run('INSERT INTO asset_tags (asset_id, position, tag) VALUES (?, ?, ?)', [p.assetId, position, tag]));
      }
      if (p.entry.keywords) {
        db.run('DELETE FROM asset_keywords WHERE asset_id = ?', [p.assetId]);
        next.keywords.forEach((k, position) => db.run('INSERT INTO asset_keywords (asset_id, position, keyword) VALUES (?, ?, ?)', [p.assetId, position, k]));
      }
      if (p.entry.metadata) {
        db.run('DELETE FROM asset_metadata WHERE asset_id = ?', [p.assetId]);
        next.metadata.forEach((m, position) => db.run(
          'INSERT INTO asset_metadata (asset_id, position, name, value, type) VALUES (?, ?, ?, ?, ?)',
          [p.assetId, position, m.name, m.defaultValue, m.type ?? null],
        ));
      }
      changed.push({ assetId: p.assetId, repository, branch: target.name, uri: p.uri });
    }
  });
  return { changed, unchanged };
}
