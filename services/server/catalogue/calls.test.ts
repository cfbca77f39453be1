// The catalogue's Calls against a real hub and server: QueryAssets and QueryRelationships (snapshot, delta, latest-N,
// filters, paging with cursors that stay stable while commits land, expire, and refuse tampering or another query),
// ExportAssets and ImportAssets (every problem listed, nothing applied; a round trip of tags, keywords and metadata).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TCommitChange } from '../../../shared/assethub/calls.ts';
import { ASSET_DOCUMENT_MAX_BYTES, CURSOR_TTL_MS, IMPORT_CALL_MAX_BYTES, type TAsset, type TRelationship } from '../../../shared/assethub/catalogue.ts';
import { SERVER_NAME, type Failure } from '../../../shared/protocol/index.ts';
import { putFile, startCluster, type Cluster } from '../../testing/cluster.ts';
import type { Probe } from '../../testing/probe.ts';
import { sendCommit } from '../../client/commit-request.ts';
import { expectedAssetId } from './testing/catalogue.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Show';
const bytes = (s: string) => new TextEncoder().encode(s);

interface Page<T> { pagination: { limit: number; cursor: string | null; nextCursor: string | null }; results: T[]; errors: string[] }

let cluster: Cluster;
let panel: Probe;
let commits: string[] = [];

const failure = async (method: string, params: Record<string, unknown>): Promise<Failure> => {
  const outcome = await panel.call(SERVER_NAME, method, params);
  if (!('Failure' in outcome)) throw new Error(`${method} succeeded unexpectedly: ${JSON.stringify(outcome.Result).slice(0, 300)}`);
  return outcome.Failure;
};
const query = (params: Record<string, unknown>) => panel.ok<Page<TAsset>>(SERVER_NAME, 'QueryAssets', { Repository: REPO, Branch: 'Main', ...params });
const relationships = (params: Record<string, unknown>) => panel.ok<Page<TRelationship>>(SERVER_NAME, 'QueryRelationships', { Repository: REPO, Branch: 'Main', ...params });
const id = (uri: string) => expectedAssetId(REPO, 'Main', uri);
const uris = async (filters: string, limit = 500) => (await query({ Filters: filters, Limit: limit })).results.map((a) => a.uri);

async function commitChanges(changes: unknown[], author = 'STAGE-A'): Promise<string> {
  // As a client sends it: staged when it is over one request.
  const Commit = await sendCommit((method, p) => panel.ok(SERVER_NAME, method, p, 60_000), {
    Repository: REPO, Branch: 'Main', Parent: commits.at(-1) ?? null, Author: author, Comment: 'test', Changes: changes as TCommitChange[],
  });
  commits.push(Commit);
  return Commit;
}

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  const { Commit } = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  commits = [Commit];
  const url = cluster.server.storageUrl;
  await commitChanges([
    { Type: 'PutDirectory', URI: 'FileSystem:/textures' },
    await putFile(url, 'FileSystem:/textures/wall.png', bytes('wall v1')),
    await putFile(url, 'FileSystem:/textures/floor.png', bytes('floor v1')),
    await putFile(url, 'FileSystem:/show.umap', bytes('level')),
  ]);
  await commitChanges([await putFile(url, 'FileSystem:/textures/wall.png', bytes('wall v2')), { Type: 'Delete', URI: 'FileSystem:/show.umap' }], 'STAGE-B');
});
afterAll(async () => cluster?.close());

describe('QueryAssets', () => {
  it('answers the snapshot at the head by default, in uri order, with the default limit', async () => {
    const page = await query({});
    expect(page.pagination).toEqual({ limit: 100, cursor: null, nextCursor: null });
    expect(page.errors).toEqual([]);
    expect(page.results.map((a) => [a.uri, a.type, a.revisionId, a.operation])).toEqual([
      ['FileSystem:/textures', 'assethub:folder-1.0.0', commits[1], undefined],
      ['FileSystem:/textures/floor.png', 'assethub:texture-1.0.0', commits[1], undefined],
      ['FileSystem:/textures/wall.png', 'assethub:texture-1.0.0', commits[2], undefined],
    ]);
    expect(page.results[2]).toMatchObject({
      id: id('FileSystem:/textures/wall.png'), createdBy: { userId: 'STAGE-A' }, lastModifiedBy: { userId: 'STAGE-B', serviceId: 'STAGE-B-AssetHubClient' },
    });
  });

  it('a delta with latest-1 … latest, and a snapshot at latest-1', async () => {
    const delta = await query({ Filters: 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest' });
    expect(delta.results.map((a) => [a.operation, a.uri, a.revisionId])).toEqual([
      ['REMOVE', 'FileSystem:/show.umap', commits[1]],
      ['MODIFY', 'FileSystem:/textures/wall.png', commits[2]],
    ]);
    const before = await query({ Filters: 'exchange.snapshot.toRevision==latest-1' });
    expect(before.results.map((a) => a.uri)).toEqual(['FileSystem:/show.umap', 'FileSystem:/textures', 'FileSystem:/textures/floor.png', 'FileSystem:/textures/wall.png']);
    const all = await query({ Filters: `exchange.snapshot.fromRevision==${commits[0]}` });
    expect(all.results.map((a) => a.operation)).toEqual(['INSERT', 'INSERT', 'INSERT']);
  });

  it('filters by type and id', async () => {
    expect((await query({ Filters: 'asset.type.name==folder' })).results.map((a) => a.uri)).toEqual(['FileSystem:/textures']);
    expect((await query({ Filters: 'asset.type.name==assethub:texture-1.0.0' })).results).toHaveLength(2);
    const ids = `assetId=in=(${id('FileSystem:/textures/wall.png')}, ${id('FileSystem:/show.umap')})`;
    expect((await query({ Filters: ids })).results.map((a) => a.uri)).toEqual(['FileSystem:/textures/wall.png']);
  });

  it('* is a wildcard, ASCII case is ignored, a path may leave out FileSystem:/, =in= is any of its patterns', async () => {
    expect(await uris('asset.name==WALL.PNG')).toEqual(['FileSystem:/textures/wall.png']);
    expect(await uris('asset.name==*l*.png')).toEqual(['FileSystem:/textures/floor.png', 'FileSystem:/textures/wall.png']);
    expect(await uris('asset.uri==Textures/*')).toEqual(['FileSystem:/textures/floor.png', 'FileSystem:/textures/wall.png']);
    expect(await uris('asset.uri==TEXTURES')).toEqual(['FileSystem:/textures']);
    expect(await uris('asset.uri==FileSystem:/textures/w*')).toEqual(['FileSystem:/textures/wall.png']);
    expect(await uris('asset.name=in=(floor.png,show.umap)')).toEqual(['FileSystem:/textures/floor.png']);
    expect(await uris('asset.name==show.umap;exchange.snapshot.toRevision==latest-1')).toEqual(['FileSystem:/show.umap']);
  });

  it('INVALID_FILTER names the bad part; unknown branches and bad limits fail too', async () => {
    const bad = await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Filters: 'asset.colour==red' });
    expect(bad.Code).toBe('INVALID_FILTER');
    expect(bad.Message).toContain('asset.colour');
    const or = await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Filters: 'assetId==a,assetId==b' });
    expect(or).toMatchObject({ Code: 'INVALID_FILTER' });
    const revision = await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Filters: 'exchange.snapshot.toRevision==nope' });
    expect(revision.Code).toBe('INVALID_FILTER');
    expect(revision.Message).toContain('nope');
    expect((await failure('QueryAssets', { Repository: REPO, Branch: 'Nope' })).Code).toBe('UNKNOWN_BRANCH');
    expect((await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Limit: 501 })).Code).toBe('INVALID_PARAMS');
    expect((await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Limit: 0 })).Code).toBe('INVALID_PARAMS');
  });
});

describe('CountAssets', () => {
  it('counts what QueryAssets returns over all its pages: a snapshot, a filter, a delta; refuses what QueryAssets refuses', async () => {
    const count = async (Filters?: string) => (await panel.ok<{ Count: number }>(SERVER_NAME, 'CountAssets', { Repository: REPO, Branch: 'Main', ...(Filters === undefined ? {} : { Filters }) })).Count;
    for (const filters of [undefined, 'asset.type.name==texture', 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest', 'exchange.snapshot.toRevision==latest-1']) {
      const rows = (await query(filters === undefined ? {} : { Filters: filters })).results.length;
      expect(await count(filters), filters ?? 'no filter').toBe(rows);
    }
    expect(await count()).toBe(3);
    expect((await failure('CountAssets', { Repository: REPO, Branch: 'Main', Filters: 'asset.colour==red' })).Code).toBe('INVALID_FILTER');
    expect((await failure('CountAssets', { Repository: REPO, Branch: 'Nope' })).Code).toBe('UNKNOWN_BRANCH');
    expect((await failure('CountAssets', { Repository: 'Nope', Branch: 'Main' })).Code).toBe('UNKNOWN_REPOSITORY');
  });
});

describe('paging 10,000 assets', () => {
  let bulk: string;

  beforeAll(async () => {
    // 10,000 files in 20 folders, all with the same one-chunk content.
    const file = await putFile(cluster.server.storageUrl, 'FileSystem:/x', bytes('same bytes'));
    const changes: unknown[] = [];
    for (let d = 0; d < 20; d++) {
      for (let i = 0; i < 500; i++) changes.push({ ...file, URI: `FileSystem:/bulk/d${String(d).padStart(2, '0')}/f${String(i).padStart(3, '0')}.fbx` });
    }
    bulk = await commitChanges(changes);
  }, 120_000);

  it('limit 500 returns each exactly once, and a commit landing mid-paging changes nothing in the pages', async () => {
    const filter = 'asset.type.name==mesh';
    const seen: string[] = [];
    let page = await query({ Filters: filter, Limit: 500 });
    let pages = 1;
    seen.push(...page.results.map((a) => a.uri));
    while (page.pagination.nextCursor) {
      if (pages === 7) {
        // Modify files on pages already read and on pages to come, add some, delete one: none of it may show.
        const url = cluster.server.storageUrl;
        await commitChanges([
          await putFile(url, 'FileSystem:/bulk/d00/f000.fbx', bytes('changed')),
          await putFile(url, 'FileSystem:/bulk/d15/f100.fbx', bytes('changed')),
          await putFile(url, 'FileSystem:/bulk/d19/f999.fbx', bytes('new')),
          { Type: 'Delete', URI: 'FileSystem:/bulk/d18/f001.fbx' },
        ]);
      }
      const cursor = page.pagination.nextCursor;
      page = await query({ Filters: filter, Limit: 500, Cursor: cursor });
      expect(page.pagination.cursor).toBe(cursor);
      expect(page.results.length).toBeGreaterThan(0);
      for (const a of page.results) expect(a.revisionId).toBe(bulk);
      seen.push(...page.results.map((a) => a.uri));
      pages++;
    }
    expect(pages).toBe(20);
    expect(seen).toHaveLength(10_000);
    expect(new Set(seen).size).toBe(10_000);
    expect(seen).toEqual([...seen].sort());
    // A new query sees the new commit.
    const now = await query({ Filters: `${filter};exchange.snapshot.fromRevision==latest-1` });
    expect(now.results.map((a) => `${a.operation} ${a.uri}`)).toEqual([
      'MODIFY FileSystem:/bulk/d00/f000.fbx', 'MODIFY FileSystem:/bulk/d15/f100.fbx', 'REMOVE FileSystem:/bulk/d18/f001.fbx', 'INSERT FileSystem:/bulk/d19/f999.fbx',
    ]);
  });

  it('relationships page the same way: one per file below a folder, whether or not the folder has a row', async () => {
    const range = `exchange.snapshot.toRevision==${bulk}`;
    const ids = new Set<string>();
    let page = await relationships({ Filters: range, Limit: 500 });
    for (;;) {
      for (const r of page.results) ids.add(r.id);
      if (!page.pagination.nextCursor) break;
      page = await relationships({ Filters: range, Limit: 500, Cursor: page.pagination.nextCursor });
    }
    // The bulk folders have no rows (nobody put them), so they are no one's children; plus the two textures.
    expect(ids.size).toBe(10_000 + 2);
    const d03 = id('FileSystem:/bulk/d03');
    const children = await relationships({ Filters: `from.asset.id==${d03}`, Limit: 500 });
    expect(children.results).toHaveLength(500);
    expect(children.results.every((r) => r.from.asset.id === d03 && r.category === 'Relationship')).toBe(true);
    expect((await relationships({ Filters: `to.asset.id==${d03}` })).results).toEqual([]);
    const wall = await relationships({ Filters: `to.asset.id==${id('FileSystem:/textures/wall.png')}` });
    expect(wall.results.map((r) => r.from.asset.id)).toEqual([id('FileSystem:/textures')]);
    const delta = await relationships({ Filters: 'exchange.snapshot.fromRevision==latest-1' });
    expect(delta.results.map((r) => [r.operation, r.to.asset.id])).toEqual([
      ['REMOVE', id('FileSystem:/bulk/d18/f001.fbx')], ['INSERT', id('FileSystem:/bulk/d19/f999.fbx')],
    ]);
  });

  it('% and _ in a pattern are plain characters', async () => {
    expect(await uris('asset.name==f_00.fbx')).toEqual([]);
    expect(await uris('asset.name==f%0.fbx')).toEqual([]);
    const hundreds = await uris('asset.name==f*00.fbx');
    expect(hundreds).toHaveLength(20 * 5);
    expect(hundreds.every((u) => /\/f[0-4]00\.fbx$/.test(u))).toBe(true);
  });

  it('a path prefix pages with cursors like any filter; a leading * finds the same', async () => {
    const seen: string[] = [];
    let page = await query({ Filters: 'asset.uri==BULK/d03/*', Limit: 200 });
    seen.push(...page.results.map((a) => a.uri));
    while (page.pagination.nextCursor) {
      page = await query({ Filters: 'asset.uri==BULK/d03/*', Limit: 200, Cursor: page.pagination.nextCursor });
      seen.push(...page.results.map((a) => a.uri));
    }
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => `FileSystem:/bulk/d03/f${String(i).padStart(3, '0')}.fbx`));
    expect(await uris('asset.uri==*/D03/*')).toEqual(seen);
  });
});

describe('cursors', () => {
  const filter = 'asset.type.name==mesh';
  const firstCursor = async (method = 'QueryAssets', filters = filter): Promise<string> => {
    const page = await panel.ok<Page<unknown>>(SERVER_NAME, method, { Repository: REPO, Branch: 'Main', Filters: filters, Limit: 2 });
    expect(page.pagination.nextCursor).not.toBeNull();
    return page.pagination.nextCursor as string;
  };

  it('expire after CURSOR_TTL_MS (by the catalogue\'s clock)', async () => {
    const cursor = await firstCursor();
    expect((await query({ Filters: filter, Limit: 2, Cursor: cursor })).results).toHaveLength(2);
    const catalogue = cluster.server.catalogue;
    const clock = catalogue.clock;
    catalogue.clock = () => Date.now() + CURSOR_TTL_MS + 1000;
    try {
      const expired = await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Filters: filter, Limit: 2, Cursor: cursor });
      expect(expired.Code).toBe('CURSOR_EXPIRED');
      expect(expired.Message).toMatch(/expire after 600 s/);
    } finally {
      catalogue.clock = clock;
    }
  });

  it('refuse tampering, another query and the other Call, each saying why', async () => {
    const cursor = await firstCursor();
    const [payload, signature] = cursor.split('.') as [string, string];
    const state = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
    state[7] = 'FileSystem:/'; // start over from the beginning
    const forged = `${Buffer.from(JSON.stringify(state)).toString('base64url')}.${signature}`;
    const tampered = await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Filters: filter, Cursor: forged });
    expect(tampered).toMatchObject({ Code: 'CURSOR_EXPIRED' });
    expect(tampered.Message).toMatch(/signature/);
    expect((await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Filters: filter, Cursor: 'garbage' })).Message).toMatch(/malformed/);
    const other = await failure('QueryAssets', { Repository: REPO, Branch: 'Main', Filters: 'asset.type.name==texture', Cursor: cursor });
    expect(other).toMatchObject({ Code: 'CURSOR_EXPIRED' });
    expect(other.Message).toMatch(/another query.*Filters "asset.type.name==mesh"/);
    const wrongCall = await failure('QueryRelationships', { Repository: REPO, Branch: 'Main', Filters: filter, Cursor: cursor });
    expect(wrongCall.Message).toMatch(/belongs to QueryAssets/);
  });

  it('survive a server restart (the key is in the database)', async () => {
    const cursor = await firstCursor();
    const expected = await query({ Filters: filter, Limit: 2, Cursor: cursor });
    await cluster.restartServer();
    await panel.ok(SERVER_NAME, 'Health', {}, 10_000).catch(async () => panel.ok(SERVER_NAME, 'Health', {}, 10_000));
    const again = await query({ Filters: filter, Limit: 2, Cursor: cursor });
    expect(again.results.map((a) => a.uri)).toEqual(expected.results.map((a) => a.uri));
  });
});

describe('ExportAssets and ImportAssets', () => {
  const doc = (assets: unknown[], extra: Record<string, unknown> = {}) => ({ format: 'assethub.assets', version: 1, repository: REPO, branch: 'Main', assets, ...extra });
  const exported = async (params: Record<string, unknown> = {}) =>
    (await panel.ok<{ Document: { assets: Array<Record<string, unknown>> } }>(SERVER_NAME, 'ExportAssets', { Repository: REPO, Branch: 'Main', ...params })).Document;

  it('an import with three bad entries lists all three, in Errors and as message lines, and changes nothing', async () => {
    const before = await exported({ AssetId: id('FileSystem:/textures/wall.png') });
    const f = await failure('ImportAssets', {
      Document: doc([
        { uri: 'FileSystem:/textures/wall.png', tags: ['hero'] }, // fine on its own
        { uri: 'FileSystem:/textures/nope.png', tags: ['x'] }, // no such asset
        { assetId: id('FileSystem:/textures/floor.png'), uri: 'FileSystem:/textures/wall.png' }, // id and uri disagree
        { assetId: id('FileSystem:/textures/wall.png'), keywords: ['again'] }, // the same asset as #0
      ]),
    });
    expect(f.Code).toBe('UNPROCESSABLE');
    expect(f.Errors).toEqual([
      { Index: 1, Field: 'uri', Message: expect.stringContaining('FileSystem:/textures/nope.png') },
      { Index: 2, Field: 'uri', Message: expect.stringContaining(id('FileSystem:/textures/floor.png')) },
      { Index: 3, Field: 'assetId', Message: 'names the same asset as entry #0' },
    ]);
    const [summary, ...lines] = f.Message.split('\n');
    expect(summary).toMatch(/3 problems; nothing was imported/);
    const parsed = lines.map((l) => /^#(-?\d+) (\S+): (.*)$/.exec(l)).map((m) => m && { Index: Number(m[1]), Field: m[2], Message: m[3] });
    expect(parsed).toEqual(f.Errors);
    expect(await exported({ AssetId: id('FileSystem:/textures/wall.png') })).toMatchObject({ assets: before.assets });
  });

  it('document-level problems use index -1, and schema problems name their field', async () => {
    const f = await failure('ImportAssets', {
      Document: { format: 'other', version: 1, repository: REPO, branch: 'Nope', assets: [{ tags: ['a', 'a'] }, { uri: 'FileSystem:/textures/wall.png', metadata: [{ name: '' }] }] },
    });
    expect(f.Code).toBe('UNPROCESSABLE');
    expect(f.Errors?.map((e) => `${e.Index} ${e.Field}`)).toEqual(['-1 format', '-1 branch', '0 assetId', '0 tags.1', '1 metadata.0.name', '1 metadata.0.defaultValue']);
    expect((await failure('ImportAssets', { Document: 'text' })).Errors).toEqual([{ Index: -1, Field: 'Document', Message: expect.any(String) }]);
  });

  it('a valid import then export round-trips tags, keywords and metadata; fields absent stay; listeners hear of it', async () => {
    const heard: string[][] = [];
    const off = cluster.server.catalogue.onMetadataChanged((changed) => heard.push(changed.map((c) => `${c.branch} ${c.uri}`)));
    const wall = id('FileSystem:/textures/wall.png');
    const result = await panel.ok(SERVER_NAME, 'ImportAssets', {
      Document: doc([
        { assetId: wall, tags: ['hero', 'stage'], keywords: ['brick'], metadata: [{ name: 'category', defaultValue: 'Walls', type: 'string' }, { name: 'Cross-Section', defaultValue: '1' }] },
        { uri: 'FileSystem:/textures/floor.png', tags: ['stage'], keywords: ['wood', 'oak'] },
        { uri: 'FileSystem:/textures' },
      ]),
    });
    off();
    expect(result).toEqual({ Imported: 2, Unchanged: 1 });
    expect(heard).toEqual([['Main FileSystem:/textures/wall.png', 'Main FileSystem:/textures/floor.png']]);

    const stage = await exported({ Tags: ['stage'] });
    expect(stage.assets.map((a) => a.uri)).toEqual(['FileSystem:/textures/floor.png', 'FileSystem:/textures/wall.png']);
    expect((await exported({ Tags: ['stage', 'hero'] })).assets.map((a) => a.uri)).toEqual(['FileSystem:/textures/wall.png']);
    expect((await exported({ Keywords: ['oak', 'brick'] })).assets.map((a) => a.uri)).toEqual(['FileSystem:/textures/floor.png', 'FileSystem:/textures/wall.png']);
    expect((await exported({ Tags: ['hero'], Keywords: ['oak'] })).assets).toEqual([]);
    const one = await exported({ AssetId: wall });
    expect(one).toMatchObject({ format: 'assethub.assets', version: 1, repository: REPO, branch: 'Main' });
    expect(one.assets).toEqual([{
      assetId: wall, uri: 'FileSystem:/textures/wall.png', name: 'wall.png', type: 'assethub:texture-1.0.0', tags: ['hero', 'stage'], keywords: ['brick'],
      metadata: [{ name: 'category', defaultValue: 'Walls', type: 'string' }, { name: 'Cross-Section', defaultValue: '1' }],
    }]);

    // Only keywords given: tags and metadata stay.
    expect(await panel.ok(SERVER_NAME, 'ImportAssets', { Document: doc([{ assetId: wall, keywords: ['brick', 'red'] }]) })).toEqual({ Imported: 1, Unchanged: 0 });
    expect((await exported({ AssetId: wall })).assets[0]).toMatchObject({ tags: ['hero', 'stage'], keywords: ['brick', 'red'], metadata: [{ name: 'category' }, { name: 'Cross-Section' }] });

    // The whole export imported again changes nothing; exported again it is the same.
    const everything = await exported();
    expect(await panel.ok(SERVER_NAME, 'ImportAssets', { Document: everything })).toEqual({ Imported: 0, Unchanged: everything.assets.length });
    expect((await exported()).assets).toEqual(everything.assets);

    // QueryAssets shows them, and filters on the metadata.
    const [asset] = (await query({ Filters: 'asset.parameter.category==Walls' })).results;
    expect(asset).toMatchObject({ uri: 'FileSystem:/textures/wall.png', tags: ['hero', 'stage'], keywords: ['brick', 'red'] });
    expect(asset?.attributes.data.slice(-2)).toEqual([
      { name: 'category', value: 'Walls', category: 'application' }, { name: 'Cross-Section', value: '1', category: 'application' },
    ]);
    expect((await query({ Filters: 'asset.parameter.name=="Cross-Section" and asset.parameter.value==1' })).results.map((a) => a.id)).toEqual([wall]);
  });

  it('an import is as large as an export at most: past IMPORT_CALL_MAX_BYTES it is refused by its size, under it read whole', async () => {
    // Entries of ~1 KiB that name no asset: the size is what is under test, and the checks report each one.
    const entries = (bytes: number) => Array.from({ length: Math.ceil(bytes / 1024) }, (_, i) => ({ uri: `FileSystem:/none/${i}.png`, tags: ['t'.repeat(980)] }));
    const over = await failure('ImportAssets', { Document: doc(entries(IMPORT_CALL_MAX_BYTES)) });
    expect(over.Code).toBe('TOO_LARGE');
    expect(over.Message).toContain(`at most ${IMPORT_CALL_MAX_BYTES} bytes`);
    const under = await failure('ImportAssets', { Document: doc(entries(ASSET_DOCUMENT_MAX_BYTES - 64 * 1024)) });
    expect(under.Code).toBe('UNPROCESSABLE');
  });

  it('ExportAssets: UNKNOWN_ASSET for an id not at the head, UNKNOWN_BRANCH for a branch that does not exist', async () => {
    expect((await failure('ExportAssets', { Repository: REPO, Branch: 'Main', AssetId: id('FileSystem:/show.umap') })).Code).toBe('UNKNOWN_ASSET');
    expect((await failure('ExportAssets', { Repository: REPO, Branch: 'Nope' })).Code).toBe('UNKNOWN_BRANCH');
  });
});
