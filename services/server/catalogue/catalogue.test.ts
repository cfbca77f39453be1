// The catalogue over a real store: deltas between every pair of revisions against the brute-force reference
// (shared/rsql diffSnapshots over ServerStore.snapshot), relationships the same way, the asset records' fields, ids on
// a copied branch, the documentation's filter examples (scripts/testing/fixtures/), and which index drives each kind
// of query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetFilterExamples, relationshipFilterExamples } from '../../../scripts/testing/fixtures.ts';
import { CONTAINMENT_TYPE, assetTypeString } from '../../../shared/assethub/catalogue.ts';
import type { Branch } from '../store.ts';
import { assetMatches, type Catalogue } from './index.ts';
import { importAssets } from './transfer.ts';
import {
  REPO, commit, del, expectedAssetId, filterOf, openTestStore, pagedAssets, pagedRelationships, putDir, putFile,
  referenceAssets, referenceHistory, referenceRelationships, type TestStore,
} from './testing/catalogue.ts';

let t: TestStore;
let catalogue: Catalogue;
let main: Branch;
/** Root commit, then c1…c5. */
let commits: string[];

const metadata = new Map<string, Array<{ name: string; value: string }>>();

beforeAll(() => {
  t = openTestStore();
  catalogue = t.catalogue;
  const root = t.store.createRepository(REPO, 'Main', 'OPS');
  const c1 = commit(t.store, 'Main', 'STAGE-A', [
    putDir('FileSystem:/textures'), putFile('FileSystem:/textures/wall.png', 'wall 1'), putFile('FileSystem:/textures/floor.exr', 'floor 1'),
    putDir('FileSystem:/props'), putFile('FileSystem:/props/chair.fbx', 'chair 1'), putFile('FileSystem:/props/table.fbx', 'table 1'),
    putFile('FileSystem:/readme.txt', 'read me'),
  ]);
  // Modifies, adds (also below a folder that has no row of its own).
  const c2 = commit(t.store, 'Main', 'STAGE-B', [
    putFile('FileSystem:/textures/wall.png', 'wall 2'), putFile('FileSystem:/audio/cue.wav', 'cue'), putFile('FileSystem:/props/lamp.obj', 'lamp'),
  ]);
  // Deletes a file, re-puts a folder.
  const c3 = commit(t.store, 'Main', 'STAGE-A', [del('FileSystem:/readme.txt'), putDir('FileSystem:/textures')]);
  // Deletes a folder with everything in it.
  const c4 = commit(t.store, 'Main', 'STAGE-B', [del('FileSystem:/props')]);
  // Re-adds a deleted file and the deleted folder with one of its files; a file becomes a folder.
  const c5 = commit(t.store, 'Main', 'STAGE-A', [
    putFile('FileSystem:/readme.txt', 'read me again'), putDir('FileSystem:/props'), putFile('FileSystem:/props/chair.fbx', 'chair 2'),
    putDir('FileSystem:/textures/floor.exr'),
  ]);
  commits = [root, c1, c2, c3, c4, c5];
  main = t.store.branch(REPO, 'Main');
});
afterAll(() => t?.close());

const history = () => referenceHistory(t.store, REPO, main, metadata);
/** `-1` (before the root), then each commit by ID. */
const revisions = () => ['latest-6', ...commits];

describe('deltas and snapshots against the brute-force reference', () => {
  it('every pair of revisions (from ≤ to), assets and relationships, paged 1, 3 and 100 at a time', () => {
    const h = history();
    let checked = 0;
    for (const [i, from] of revisions().entries()) {
      for (const to of revisions().slice(Math.max(1, i))) {
        const text = `exchange.snapshot.fromRevision==${from};exchange.snapshot.toRevision==${to}`;
        const expected = referenceAssets(filterOf(text), h);
        const expectedRels = referenceRelationships(filterOf(text, 'relationships'), h);
        for (const limit of [1, 3, 100]) {
          expect(pagedAssets(catalogue, main, filterOf(text), limit), `${text} limit ${limit}`).toEqual(expected);
          expect(pagedRelationships(catalogue, main, filterOf(text, 'relationships'), limit), `${text} limit ${limit}`).toEqual(expectedRels);
        }
        const range = catalogue.resolve(main, filterOf(text));
        expect(catalogue.count(main, range, filterOf(text))).toBe(expected.length);
        expect(catalogue.relationshipCount(main, range, filterOf(text, 'relationships'))).toBe(expectedRels.length);
        checked++;
      }
    }
    expect(checked).toBe(27); // 7 froms (before the root, then each commit) × the tos not before them
  });

  it('the history has what the test is about: adds, modifies, deletes, a folder delete, a re-add, a file that became a folder', () => {
    const delta = (from: string, to: string) => pagedAssets(catalogue, main, filterOf(`exchange.snapshot.fromRevision==${from};exchange.snapshot.toRevision==${to}`), 100);
    const [, c1, c2, c3, c4, c5] = commits as [string, string, string, string, string, string];
    expect(delta(c1, c2)).toEqual([
      `INSERT FileSystem:/audio/cue.wav@${c2}`, `INSERT FileSystem:/props/lamp.obj@${c2}`, `MODIFY FileSystem:/textures/wall.png@${c2}`,
    ]);
    expect(delta(c3, c4)).toEqual([
      `REMOVE FileSystem:/props@${c1}`, `REMOVE FileSystem:/props/chair.fbx@${c1}`, `REMOVE FileSystem:/props/lamp.obj@${c2}`,
      `REMOVE FileSystem:/props/table.fbx@${c1}`,
    ]);
    // props and props/chair.fbx were deleted in c4 and are back in c5; floor.exr became a folder.
    expect(delta(c3, c5)).toEqual([
      `MODIFY FileSystem:/props@${c5}`, `MODIFY FileSystem:/props/chair.fbx@${c5}`, `REMOVE FileSystem:/props/lamp.obj@${c2}`,
      `REMOVE FileSystem:/props/table.fbx@${c1}`, `INSERT FileSystem:/readme.txt@${c5}`, `MODIFY FileSystem:/textures/floor.exr@${c5}`,
    ]);
  });

  it('latest and latest-N resolve against the branch; a revision of no commit is INVALID_FILTER', () => {
    const [, , , , c4, c5] = commits as [string, string, string, string, string, string];
    const last = pagedAssets(catalogue, main, filterOf('exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest'), 100);
    expect(last).toEqual(pagedAssets(catalogue, main, filterOf(`exchange.snapshot.fromRevision==${c4};exchange.snapshot.toRevision==${c5}`), 100));
    expect(last.length).toBeGreaterThan(0);
    expect(pagedAssets(catalogue, main, filterOf('exchange.snapshot.toRevision==latest-1'), 100))
      .toEqual(referenceAssets(filterOf(`exchange.snapshot.toRevision==${c4}`), history()));
    expect(pagedAssets(catalogue, main, filterOf(''), 100)).toEqual(referenceAssets(filterOf(`exchange.snapshot.toRevision==${c5}`), history()));
    expect(() => catalogue.resolve(main, filterOf('exchange.snapshot.toRevision==nope'))).toThrow(/nope/);
    expect(() => catalogue.resolve(main, filterOf('exchange.snapshot.fromRevision==latest-7'))).toThrow(/latest-7/);
    expect(() => catalogue.resolve(main, filterOf(`exchange.snapshot.fromRevision==${c5};exchange.snapshot.toRevision==${c4}`))).toThrow(/after/);
  });
});

describe('asset records', () => {
  it('carry the id, revision, type, name, size, hash, actors, space, attributes and parent as documented', () => {
    const [, c1, c2, , , c5] = commits as [string, string, string, string, string, string];
    const assets = catalogue.page(main, { from: null, to: 5 }, filterOf(''), null, 100);
    const wall = assets.find((a) => a.uri === 'FileSystem:/textures/wall.png');
    expect(wall).toMatchObject({
      id: expectedAssetId(REPO, 'Main', 'FileSystem:/textures/wall.png'),
      revisionId: c2,
      type: 'assethub:texture-1.0.0',
      name: 'wall.png',
      size: 6,
      createdBy: { userId: 'STAGE-A', serviceId: 'STAGE-A-AssetHubClient' },
      lastModifiedBy: { userId: 'STAGE-B', serviceId: 'STAGE-B-AssetHubClient' },
      space: { type: 'assethub:space.branch-1.0.0', url: '/repositories/%25SYNCED_STORAGE%25%5CProjects%5CCatalogue/branches/Main', data: { repository: REPO, branch: 'Main' } },
      tags: [], keywords: [],
    });
    expect(wall?.id).toMatch(/^[0-9A-F]{40}$/);
    expect(wall?.externalComponentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(wall?.attributes.data).toEqual([
      { name: 'uri', value: 'FileSystem:/textures/wall.png', category: 'system' },
      { name: 'name', value: 'wall.png', category: 'system' },
      { name: 'size', value: '6', category: 'system' },
      { name: 'kind', value: 'texture', category: 'system' },
      { name: 'hash', value: wall?.externalComponentHash, category: 'system' },
    ]);
    const commitDates = new Map(t.store.commits(main.id).map((c) => [c.ID, c.CreatedAt]));
    expect(wall?.createdBy.date).toBe(commitDates.get(c1 as string));
    expect(wall?.lastModifiedBy.date).toBe(commitDates.get(c2 as string));
    // The folder that replaced a file is a new existence: created by c5.
    const floor = assets.find((a) => a.uri === 'FileSystem:/textures/floor.exr');
    expect(floor).toMatchObject({ type: assetTypeString('folder'), externalComponentHash: null, size: 0, revisionId: c5 });
    expect(floor?.createdBy.date).toBe(commitDates.get(c5 as string));
    // Folder and file kinds; a file under a folder without a row of its own still has its parent.
    expect(assets.find((a) => a.uri === 'FileSystem:/audio/cue.wav')?.type).toBe('assethub:audio-1.0.0');
    const cue = pagedRelationships(catalogue, main, filterOf(`to.asset.id==${expectedAssetId(REPO, 'Main', 'FileSystem:/audio/cue.wav')}`, 'relationships'), 10);
    expect(cue).toEqual([`AT ${expectedAssetId(REPO, 'Main', 'FileSystem:/audio')}>${expectedAssetId(REPO, 'Main', 'FileSystem:/audio/cue.wav')}@${c2}`]);
    for (const a of assets) expect(assetMatches(filterOf(`assetId==${a.id}`), a)).toBe(true);
  });

  it('relationships have the shape of the relationship-sync response (docs/PROTOCOL.md §6)', () => {
    const [rel] = catalogue.relationshipPage(main, { from: null, to: 5 }, filterOf(`to.asset.id==${expectedAssetId(REPO, 'Main', 'FileSystem:/textures/wall.png')}`, 'relationships'), null, 10);
    expect(rel).toMatchObject({
      type: CONTAINMENT_TYPE,
      category: 'Relationship',
      revisionId: commits[1],
      from: { asset: { id: expectedAssetId(REPO, 'Main', 'FileSystem:/textures'), type: 'assethub:folder-1.0.0' }, snapshot: { id: commits[5] } },
      to: { asset: { id: expectedAssetId(REPO, 'Main', 'FileSystem:/textures/wall.png'), type: 'assethub:texture-1.0.0' } },
    });
    expect(rel?.id).toMatch(/^[0-9A-F]{40}$/);
  });

  it('byId finds an asset at its head, and not one that was deleted', () => {
    const id = expectedAssetId(REPO, 'Main', 'FileSystem:/textures/wall.png');
    expect(catalogue.byId(id)).toMatchObject({ repository: REPO, branch: 'Main', asset: { id, uri: 'FileSystem:/textures/wall.png' } });
    expect(catalogue.byId(expectedAssetId(REPO, 'Main', 'FileSystem:/props/table.fbx'))).toBeNull();
    expect(catalogue.byId('nope')).toBeNull();
  });

  it('a branch copied from a commit has its own asset ids and the same history up to it', () => {
    t.store.createBranch(REPO, 'Rehearsal', commits[2] as string);
    const rehearsal = t.store.branch(REPO, 'Rehearsal');
    commit(t.store, 'Rehearsal', 'STAGE-B', [putFile('FileSystem:/textures/wall.png', 'wall rehearsal')]);
    const assets = catalogue.page(rehearsal, catalogue.resolve(rehearsal, filterOf('')), filterOf(''), null, 100);
    for (const a of assets) expect(a.id).toBe(expectedAssetId(REPO, 'Rehearsal', a.uri));
    const h = referenceHistory(t.store, REPO, rehearsal, new Map());
    for (const text of ['', 'exchange.snapshot.fromRevision==latest-2', 'exchange.snapshot.fromRevision==latest-1']) {
      expect(pagedAssets(catalogue, rehearsal, filterOf(text), 2), text).toEqual(referenceAssets(filterOf(text), h));
      expect(pagedRelationships(catalogue, rehearsal, filterOf(text, 'relationships'), 2), text).toEqual(referenceRelationships(filterOf(text, 'relationships'), h));
    }
  });
});

describe('the documentation\'s filter examples', () => {
  beforeAll(async () => {
    // Give two assets the examples' parameters as metadata, so the examples have something to select.
    const wall = expectedAssetId(REPO, 'Main', 'FileSystem:/textures/wall.png');
    const chair = expectedAssetId(REPO, 'Main', 'FileSystem:/props/chair.fbx');
    const wallMeta = [
      { name: 'category', value: 'Windows' }, { name: 'family', value: 'Basic Wall' }, { name: 'type', value: 'Generic-8' },
      { name: 'typeId', value: 'autodesk.revit.parameter:wallAttrRoomBounding-1.0.0' }, { name: 'Cross-Section', value: '1' },
    ];
    const chairMeta = [{ name: 'Cross-Section', value: '2' }, { name: 'category', value: 'Doors' }];
    await importAssets(t.store, catalogue, {
      format: 'assethub.assets', version: 1, repository: REPO, branch: 'Main',
      assets: [
        { assetId: wall, metadata: wallMeta.map((m) => ({ name: m.name, defaultValue: m.value })) },
        { assetId: chair, metadata: chairMeta.map((m) => ({ name: m.name, defaultValue: m.value })) },
      ],
    });
    metadata.set(wall, wallMeta);
    metadata.set(chair, chairMeta);
  });

  it('asset filters: each example gives what the reference gives (also with our own ids and types)', () => {
    const examples = assetFilterExamples();
    expect(examples).toHaveLength(12);
    const h = history();
    const wall = expectedAssetId(REPO, 'Main', 'FileSystem:/textures/wall.png');
    const chair = expectedAssetId(REPO, 'Main', 'FileSystem:/props/chair.fbx');
    const nonEmpty: string[] = [];
    for (const example of examples) {
      // The revision examples name the documentation's revision IDs; here they name this branch's commits.
      const text = example.replace(/YRc2mxEFc1KvVPVmkFQhnX/g, commits[3] as string)
        .replace('FmY4KxRfdqQmjMMAgCPfFo_aga', wall).replace('MYAyVLrjPhUg4xvb6fOUV6_aga', chair)
        .replace('asset.type.name==autodesk.design:assets.instance-1.0.0', 'asset.type.name==assethub:texture-1.0.0')
        .replace('92F5BE62F9DA0107E98E3B44DEA46648817E89D1', expectedAssetId(REPO, 'Main', 'FileSystem:/textures'));
      const expected = referenceAssets(filterOf(text), h);
      expect(pagedAssets(catalogue, main, filterOf(text), 2), text).toEqual(expected);
      // Unchanged, as the documentation writes it.
      expect(pagedAssets(catalogue, main, filterOf(example.replace(/YRc2mxEFc1KvVPVmkFQhnX/g, commits[3] as string)), 2), example)
        .toEqual(referenceAssets(filterOf(example.replace(/YRc2mxEFc1KvVPVmkFQhnX/g, commits[3] as string)), h));
      if (expected.length > 0) nonEmpty.push(example);
    }
    // Empty: the delta from a revision to itself, and the reference parameters the examples name ("Base Constraint", a
    // Revit typeId), which no asset here has (its only reference parameter is `parent`).
    expect(examples.filter((e) => !nonEmpty.includes(e))).toEqual([
      'exchange.snapshot.fromRevision==YRc2mxEFc1KvVPVmkFQhnX;exchange.snapshot.toRevision==YRc2mxEFc1KvVPVmkFQhnX',
      ...examples.filter((e) => e.startsWith('asset.refParameter.')),
    ]);
  });

  it('asset filters: the parameter examples select the assets that carry them', () => {
    const uris = (text: string) => pagedAssets(catalogue, main, filterOf(text), 100).map((l) => l.split(' ')[1]?.split('@')[0]);
    expect(uris('asset.parameter.family==Basic Wall')).toEqual(['FileSystem:/textures/wall.png']);
    expect(uris('asset.parameter.name==”Cross-Section”')).toEqual(['FileSystem:/props/chair.fbx', 'FileSystem:/textures/wall.png']);
    expect(uris('asset.parameter.name==”Cross-Section” and asset.parameter.value==1')).toEqual(['FileSystem:/textures/wall.png']);
    expect(uris('asset.type.name==texture')).toEqual(['FileSystem:/textures/wall.png']);
    expect(uris('asset.type.name==assethub:mesh-1.0.0')).toEqual(['FileSystem:/props/chair.fbx']);
    expect(uris('asset.parameter.name==size;asset.parameter.value==6')).toEqual(['FileSystem:/textures/wall.png']);
    expect(uris(`asset.refParameter.name==parent and asset.refParameter.value==${expectedAssetId(REPO, 'Main', 'FileSystem:/props')}`)).toEqual(['FileSystem:/props/chair.fbx']);
    expect(uris(`asset.refParameter.typeId==${CONTAINMENT_TYPE};asset.refParameter.value==${expectedAssetId(REPO, 'Main', 'FileSystem:/audio')}`)).toEqual(['FileSystem:/audio/cue.wav']);
  });

  it('relationship filters: each example gives what the reference gives', () => {
    const examples = relationshipFilterExamples();
    expect(examples).toHaveLength(4);
    const h = history();
    const textures = expectedAssetId(REPO, 'Main', 'FileSystem:/textures');
    const wall = expectedAssetId(REPO, 'Main', 'FileSystem:/textures/wall.png');
    for (const example of examples) {
      const text = example.replace(/YRc2mxEFc1KvVPVmkFQhnX/g, commits[2] as string)
        .replace('from.asset.id==626e1a881f2447ad93eed68a3c684f25', `from.asset.id==${textures}`)
        .replace('to.asset.id==626e1a881f2447ad93eed68a3c684f25', `to.asset.id==${wall}`);
      const expected = referenceRelationships(filterOf(text, 'relationships'), h);
      expect(pagedRelationships(catalogue, main, filterOf(text, 'relationships'), 1), text).toEqual(expected);
      if (text.includes('asset.id')) expect(expected.length, text).toBeGreaterThan(0);
    }
  });
});

describe('query plans', () => {
  const plan = (text: string, target: 'assets' | 'relationships' = 'assets', after: string | null = null) => {
    const f = filterOf(text, target);
    return catalogue.statements(main, catalogue.resolve(main, f), f, target, after, 500)
      .map((s) => t.store.database.all(`EXPLAIN QUERY PLAN ${s.text}`, s.params).map((r) => String(r.detail)).join(' | '));
  };

  it.each([
    ['', 'files_current'],
    ['asset.type.name==texture', 'files_type'],
    [`assetId==${'A'.repeat(40)}`, 'files_asset'],
    ['asset.parameter.family==Basic Wall', 'asset_metadata_by_value'],
    [`asset.refParameter.name==parent;asset.refParameter.value==${'B'.repeat(40)}`, 'files_parent'],
    ['exchange.snapshot.toRevision==latest-1', 'sqlite_autoindex_files_1'],
    ['exchange.snapshot.fromRevision==latest-1', 'files_from'],
  ])('%s is driven by %s, never a full scan', (text, index) => {
    const plans = plan(text, 'assets', 'FileSystem:/m');
    expect(plans[0]).toMatch(new RegExp(`^(CO-ROUTINE x \\| )?SEARCH [fd] USING (COVERING )?INDEX ${index}`));
    for (const p of plans) {
      expect(p).not.toMatch(/SCAN [fdg]\b/);
      // Every probe of another version of the same URI is a point lookup by uri.
      for (const probe of p.split(' | ').filter((step) => step.startsWith('SEARCH g'))) expect(probe).toMatch(/uri=\?/);
    }
  });

  it('a delta between older revisions probes versions by uri too', () => {
    for (const p of plan('exchange.snapshot.fromRevision==latest-4;exchange.snapshot.toRevision==latest-2', 'assets', 'FileSystem:/m')) {
      for (const probe of p.split(' | ').filter((step) => step.startsWith('SEARCH g'))) expect(probe).toMatch(/uri=\?/);
    }
  });

  it.each([
    ['asset.uri==textures/*', 'files_current', 'branch_id=? AND to_pos=?'],
    ['asset.uri==Textures/Wall.png;exchange.snapshot.toRevision==latest-1', 'sqlite_autoindex_files_1', 'branch_id=?'],
    ['asset.uri==tex*;asset.type.name==texture', 'files_type', 'branch_id=? AND asset_kind=?'],
  ])('%s reads a uri range of %s, from the cursor on', (text, index, equal) => {
    for (const after of [null, 'FileSystem:/m', 'FileSystem:/textures/x']) {
      expect(plan(text, 'assets', after)[0]).toBe(`SEARCH f USING INDEX ${index} (${equal} AND uri>? AND uri<?)`);
    }
    // A pattern that begins with * (and asset.name) has no range to read: it is checked on every row.
    expect(plan('asset.uri==*/wall.png;asset.name==wall*')[0]).toBe('SEARCH f USING INDEX files_current (branch_id=? AND to_pos=?)');
  });

  it('relationship filters use the parent and asset indexes', () => {
    expect(plan(`from.asset.id==${'B'.repeat(40)}`, 'relationships')[0]).toMatch(/^SEARCH f USING INDEX files_parent/);
    expect(plan(`to.asset.id==${'B'.repeat(40)}`, 'relationships')[0]).toMatch(/^SEARCH f USING INDEX files_asset/);
  });
});
