// CheckFilter against a real hub and server with a real catalogue: each value a filter compares with is looked up at
// the branch heads of the repositories given (all when none), an unknown one is a warning with the nearest known value,
// a syntax error is INVALID_FILTER; the lookups are bounded and go through indexes.
import { createHash } from 'node:crypto';
import type sqlite from 'node-sqlite3-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINMENT_TYPE, type TFilterWarning } from '../../../shared/assethub/catalogue.ts';
import { SERVER_NAME, type Failure } from '../../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../../testing/cluster.ts';
import type { Probe } from '../../testing/probe.ts';
import { KnownValues } from './known.ts';
import { expectedAssetId } from './testing/catalogue.ts';

const SHOW = '%SYNCED_STORAGE%\\Projects\\Show';
const OTHER = '%SYNCED_STORAGE%\\Projects\\Other';
const EMPTY = createHash('sha256').update('').digest('hex');
const SHOTS = 1500;

let cluster: Cluster;
let panel: Probe;

interface Answer { Warnings: TFilterWarning[]; Omitted: number }
const check = (Filter: string, Repositories?: string[]) =>
  panel.ok<Answer>(SERVER_NAME, 'CheckFilter', { Filter, ...(Repositories ? { Repositories } : {}) });
/** The warnings as `selector value → suggestion` lines. */
const lines = async (filter: string, repositories?: string[]) =>
  (await check(filter, repositories)).Warnings.map((w) => `${w.Selector} ${w.Value} → ${w.Suggestion ?? '-'}`);
const failure = async (params: Record<string, unknown>): Promise<Failure> => {
  const outcome = await panel.call(SERVER_NAME, 'CheckFilter', params);
  if (!('Failure' in outcome)) throw new Error(`CheckFilter succeeded: ${JSON.stringify(outcome.Result)}`);
  return outcome.Failure;
};

async function commit(repository: string, changes: unknown[]): Promise<void> {
  const repos = await panel.ok<Array<{ Name: string; Branches: Array<{ Name: string; Commits: Array<{ ID: string }> }> }>>(SERVER_NAME, 'GetRepositories');
  const head = repos.find((r) => r.Name === repository)?.Branches[0]?.Commits.at(-1)?.ID;
  await panel.ok(SERVER_NAME, 'CreateCommit', { Repository: repository, Branch: 'Main', Parent: head, Author: 'STAGE-A', Comment: 'test', Changes: changes }, 60_000);
}
const put = (uri: string) => ({ Type: 'PutFile', URI: uri, Size: 0, Hash: EMPTY, Chunks: [] });
const metadata = (repository: string, entries: Array<{ uri: string; metadata: Array<{ name: string; defaultValue: string }> }>) =>
  panel.ok(SERVER_NAME, 'ImportAssets', { Document: { format: 'assethub.assets', version: 1, repository, branch: 'Main', assets: entries } }, 60_000);

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
  for (const name of [SHOW, OTHER]) await panel.ok(SERVER_NAME, 'CreateRepository', { Name: name, Branch: 'Main' });
  const shots = Array.from({ length: SHOTS }, (_, i) => `FileSystem:/shots/s${String(i).padStart(4, '0')}.mov`);
  await commit(SHOW, [
    { Type: 'PutDirectory', URI: 'FileSystem:/textures' },
    put('FileSystem:/textures/wall.png'), put('FileSystem:/textures/floor.png'), put('FileSystem:/hero.fbx'), put('FileSystem:/old.umap'),
    ...shots.map(put),
  ]);
  await metadata(SHOW, [
    { uri: 'FileSystem:/textures/wall.png', metadata: [{ name: 'category', defaultValue: 'Hero' }, { name: 'family', defaultValue: 'Basic Wall' }] },
    { uri: 'FileSystem:/textures/floor.png', metadata: [{ name: 'category', defaultValue: 'Prop' }] },
    { uri: 'FileSystem:/old.umap', metadata: [{ name: 'retired', defaultValue: 'yes' }] },
    ...shots.map((uri, i) => ({ uri, metadata: [{ name: 'shot', defaultValue: `shot_${String(i).padStart(4, '0')}` }] })),
  ]);
  // A deleted asset's metadata stays with its id, but the asset is at no head: its values are not known.
  await commit(SHOW, [{ Type: 'Delete', URI: 'FileSystem:/old.umap' }]);
  await commit(OTHER, [put('FileSystem:/lights.fbx')]);
  await metadata(OTHER, [{ uri: 'FileSystem:/lights.fbx', metadata: [{ name: 'department', defaultValue: 'Lighting' }] }]);
}, 120_000);
afterAll(async () => cluster?.close());

describe('CheckFilter', () => {
  it('an unknown asset type: the nearest one, in the form it was written', async () => {
    expect((await check('asset.type.name==textur')).Warnings).toEqual([{
      Selector: 'asset.type.name', Value: 'textur', Message: 'asset.type.name: no asset type "textur"; did you mean "texture"?', Suggestion: 'texture',
    }]);
    expect(await lines('asset.type.name==assethub:textur-1.0.0;asset.type.name==Mesh')).toEqual([
      'asset.type.name assethub:textur-1.0.0 → assethub:texture-1.0.0', 'asset.type.name Mesh → mesh',
    ]);
    const far = (await check('asset.type.name==xyz')).Warnings[0];
    expect(far).toMatchObject({ Suggestion: null, Message: expect.stringContaining('the types are folder, texture, mesh, video, level, material, audio, other') });
  });

  it('every type is known, in both forms, whether or not the catalogue holds one now', async () => {
    expect(await lines('asset.type.name==texture;asset.type.name==assethub:mesh-1.0.0;asset.type.name==video;asset.type.name==folder')).toEqual([]);
    expect(await check('')).toEqual({ Warnings: [], Omitted: 0 });
  });

  it('attribute names: the system ones and the imported ones at the heads', async () => {
    expect(await lines('asset.parameter.name==uri;asset.parameter.name==hash;asset.parameter.name==category;asset.parameter.name==shot')).toEqual([]);
    expect(await lines('asset.parameter.name==categry;asset.parameter.name==Shot;asset.parameter.name==retired')).toEqual([
      'asset.parameter.name categry → category', 'asset.parameter.name Shot → shot', 'asset.parameter.name retired → -',
    ]);
    expect((await check('asset.parameter.name==zzzz', [SHOW])).Warnings[0]?.Message)
      .toBe('asset.parameter.name: no asset has an attribute "zzzz"; known values include "category", "family", "name", "shot", "uri"');
  });

  it('values of an attribute: after its name, and by category, family, type and typeId', async () => {
    expect(await lines('asset.parameter.name==category and asset.parameter.value==Heor;asset.parameter.category==Prpo;asset.parameter.category==Prop')).toEqual([
      'asset.parameter.value Heor → Hero', 'asset.parameter.category Prpo → Prop',
    ]);
    expect((await check('asset.parameter.name==category and asset.parameter.value==Heor')).Warnings[0]?.Message)
      .toBe('asset.parameter.value: no asset has "category" = "Heor"; did you mean "Hero"?');
    expect(await lines('asset.parameter.family==Basic Wal;asset.parameter.type==Generic-8')).toEqual([
      'asset.parameter.family Basic Wal → Basic Wall', 'asset.parameter.type Generic-8 → -',
    ]);
    expect((await check('asset.parameter.type==Generic-8')).Warnings[0]?.Message).toBe('asset.parameter.type: no asset has a "type" attribute');
    expect((await check('asset.parameter.category==Zebra')).Warnings[0]?.Message).toBe('asset.parameter.category: no asset has category "Zebra"; known: "Hero", "Prop"');
  });

  it('system attribute values: kind and uri are looked up; name, size and hash (no index) are not', async () => {
    expect(await lines([
      'asset.parameter.name==kind and asset.parameter.value==mseh',
      'asset.parameter.name==uri and asset.parameter.value==FileSystem:/textures/wal.png',
      'asset.parameter.name==uri and asset.parameter.value==FileSystem:/textures/floor.png',
      'asset.parameter.name==size and asset.parameter.value==12345',
      'asset.parameter.name==name and asset.parameter.value==nothing.png',
    ].join(';'))).toEqual([
      'asset.parameter.value mseh → mesh', 'asset.parameter.value FileSystem:/textures/wal.png → FileSystem:/textures/wall.png',
    ]);
    // An unknown name: its value is not looked at.
    expect(await lines('asset.parameter.name==categry and asset.parameter.value==Heor')).toEqual(['asset.parameter.name categry → category']);
  });

  it('a value past the first thousand is known, and a typo of it finds its neighbour', async () => {
    expect(await lines('asset.parameter.name==shot and asset.parameter.value==shot_1499;asset.parameter.name==shot and asset.parameter.value==shot_0000')).toEqual([]);
    expect(await lines('asset.parameter.name==shot and asset.parameter.value==shot_1234x')).toEqual(['asset.parameter.value shot_1234x → shot_1234']);
    const far = (await check('asset.parameter.name==shot and asset.parameter.value==zzz')).Warnings[0];
    expect(far?.Message).toMatch(/known values include "shot_\d{4}", /);
  });

  it('reference parameters have one name and one type', async () => {
    expect(await lines(`asset.refParameter.name==parent;asset.refParameter.typeId==${CONTAINMENT_TYPE}`)).toEqual([]);
    expect(await check('asset.refParameter.name==prent;asset.refParameter.typeId==autodesk.revit.parameter:x-1.0.0')).toMatchObject({
      Warnings: [
        { Suggestion: 'parent', Message: 'asset.refParameter.name: no reference parameter "prent"; did you mean "parent"?' },
        { Suggestion: null, Message: `asset.refParameter.typeId: no reference parameter type "autodesk.revit.parameter:x-1.0.0"; the only one is "${CONTAINMENT_TYPE}"` },
      ],
    });
  });

  it('asset ids: those at a head in scope; a lower-case one is offered in upper case', async () => {
    const wall = expectedAssetId(SHOW, 'Main', 'FileSystem:/textures/wall.png');
    const old = expectedAssetId(SHOW, 'Main', 'FileSystem:/old.umap');
    const lights = expectedAssetId(OTHER, 'Main', 'FileSystem:/lights.fbx');
    expect(await lines(`assetId=in=(${wall}, ${lights})`)).toEqual([]);
    expect(await lines(`assetId=in=(${wall.toLowerCase()}, ${old}, ${lights})`, [SHOW])).toEqual([
      `assetId ${wall.toLowerCase()} → ${wall}`, `assetId ${old} → -`, `assetId ${lights} → -`,
    ]);
  });

  it('scope: the given repositories at their heads, every repository when none (or an empty list) is given', async () => {
    expect(await lines('asset.parameter.name==department')).toEqual([]);
    expect(await lines('asset.parameter.name==department', [])).toEqual([]);
    expect(await lines('asset.parameter.name==department', [OTHER])).toEqual([]);
    expect(await lines('asset.parameter.name==department', [SHOW])).toEqual(['asset.parameter.name department → -']);
    expect(await lines('asset.parameter.category==Hero', [OTHER])).toEqual(['asset.parameter.category Hero → -']);
  });

  it('revision selectors give no warning; a filter that does not compile is INVALID_FILTER; unknown repositories are named', async () => {
    expect(await lines('exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==nope')).toEqual([]);
    expect(await failure({ Filter: 'asset.type.name==' })).toMatchObject({ Code: 'INVALID_FILTER' });
    expect((await failure({ Filter: 'asset.colour==red' })).Message).toContain('asset.colour');
    expect(await failure({ Filter: '', Repositories: ['Nope'] })).toMatchObject({ Code: 'UNKNOWN_REPOSITORY', Message: 'Repositories: no repository "Nope"' });
    expect(await failure({ Repositories: [] })).toMatchObject({ Code: 'INVALID_PARAMS' });
  });

  it('the answer is bounded: 20 warnings, the rest counted; a value is said once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `NOPE${i}`);
    const answer = await check(`assetId=in=(${ids.join(',')});asset.type.name==textur;asset.type.name==textur`);
    expect(answer.Warnings).toHaveLength(20);
    expect(answer.Omitted).toBe(11);
    const one = await check('asset.type.name==textur;asset.type.name==textur');
    expect(one.Warnings).toHaveLength(1);
    const long = await check(`asset.parameter.name==category and asset.parameter.value==${'x'.repeat(5000)}`);
    expect(long.Warnings[0]?.Message.length).toBeLessThan(400);
  });
});

describe('the lookups', () => {
  it('are driven by indexes and take a bounded number of values', () => {
    const db = cluster.server.store.database;
    const seen: Array<{ sql: string; params: unknown }> = [];
    const recording = {
      all: (sql: string, params: never) => (seen.push({ sql, params }), db.all(sql, params)),
      get: (sql: string, params: never) => (seen.push({ sql, params }), db.get(sql, params)),
    } as unknown as sqlite.Database;
    const branchIds = cluster.server.store.repositories().flatMap((r) => cluster.server.store.branches(r.id).map((b) => b.id));
    for (const all of [true, false]) {
      const known = new KnownValues(recording, branchIds, all);
      known.presentAssetIds(['A', 'B']);
      known.hasMetadataName('shot');
      known.hasMetadataValue('shot', 'shot_0001');
      expect(known.metadataNamesAround('s').length).toBeGreaterThan(0);
      const values = known.metadataValuesAround('shot', 'shot_0700');
      expect(values).toHaveLength(1000);
      // Nearest in index order first, from both sides (the value itself is asked about only when unknown).
      expect(values.slice(0, 4)).toEqual(['shot_0701', 'shot_0699', 'shot_0702', 'shot_0698']);
      known.hasUri('FileSystem:/hero.fbx');
      expect(known.urisAround('FileSystem:/shots/s0700.mov').length).toBeLessThanOrEqual(1000);
    }
    for (const { sql, params } of seen) {
      const plan = db.all(`EXPLAIN QUERY PLAN ${sql}`, params as never).map((r) => String(r.detail)).join(' | ');
      expect(plan, sql).not.toMatch(/SCAN (f|m)\b|TEMP B-TREE/);
      expect(plan, sql).toMatch(/USING (COVERING )?INDEX (files_asset|files_current|asset_metadata_by_value)/);
    }
  });
});
