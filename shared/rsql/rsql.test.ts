// The filter examples of the asset-sync and relationship-sync documentation (scripts/testing/fixtures/), parsed and
// evaluated on sample data.
import { describe, expect, it } from 'vitest';
import { assetFilterExamples, relationshipFilterExamples } from '../../scripts/testing/fixtures.ts';
import {
  compileFilter, matchesAsset, matchesRelationship, normalizeRsql, queryHistory, type CompiledFilter, type FilterableAsset,
  type FilterableRelationship,
} from './index.ts';

const W1 = 'FmY4KxRfdqQmjMMAgCPfFo_aga';
const REV = 'YRc2mxEFc1KvVPVmkFQhnX';
const REL_ID = '626e1a881f2447ad93eed68a3c684f25';

const wall: FilterableAsset = {
  id: W1,
  type: 'autodesk.design:assets.instance-1.0.0',
  parameters: [
    { name: 'category', value: 'Windows' },
    { name: 'family', value: 'Basic Wall' },
    { name: 'type', value: 'Generic-8' },
    { name: 'typeId', value: 'autodesk.revit.parameter:wallAttrRoomBounding-1.0.0' },
    { name: 'Cross-Section', value: '1' },
  ],
  refParameters: [
    { name: 'Base Constraint', value: '92F5BE62F9DA0107E98E3B44DEA46648817E89D1' },
    { name: 'Cover', typeId: 'autodesk.revit.parameter:clearCoverExterior-1.0.0', value: 'AF2ACFCED97EE03F9C3531E78A240122C8034E58' },
  ],
};
/** Has a Cross-Section parameter, but with another value, and a value 1 on a different parameter. */
const door: FilterableAsset = {
  id: 'MYAyVLrjPhUg4xvb6fOUV6_aga',
  type: 'autodesk.design:assets.design-1.0.0',
  parameters: [{ name: 'category', value: 'Doors' }, { name: 'Cross-Section', value: '2' }, { name: 'Height', value: '1' }],
  refParameters: [{ name: 'Base Constraint', value: 'AF2ACFCED97EE03F9C3531E78A240122C8034E58' }],
};
const bare: FilterableAsset = { id: 'bare', type: 'texture', parameters: [] };
const assets = [wall, door, bare];

/** For each non-revision asset filter example: the ids of the sample assets it must select. */
const EXPECTED_ASSETS: Record<string, string[]> = {
  [`assetId=in=(${W1}, MYAyVLrjPhUg4xvb6fOUV6_aga)`]: [W1, door.id],
  'asset.type.name==autodesk.design:assets.instance-1.0.0': [W1],
  'asset.parameter.category==Windows': [W1],
  'asset.parameter.family==Basic Wall': [W1],
  'asset.parameter.type==Generic-8': [W1],
  'asset.parameter.typeId==autodesk.revit.parameter:wallAttrRoomBounding-1.0.0': [W1],
  'asset.parameter.name==”Cross-Section”': [W1, door.id],
  'asset.parameter.name==”Cross-Section” and asset.parameter.value==1': [W1],
  'asset.refParameter.name==”Base Constraint” and asset.refParameter.value==92F5BE62F9DA0107E98E3B44DEA46648817E89D1': [W1],
  'asset.refParameter.typeId==autodesk.revit.parameter:clearCoverExterior-1.0.0 and asset.refParameter.value==AF2ACFCED97EE03F9C3531E78A240122C8034E58': [W1],
};

/** A three-commit history: a@1 | a@2 b@1 | b@1 c@1. */
interface Versioned { id: string; v: number }
const history = {
  commits: ['c1', REV, 'c3'],
  snapshotAt: (i: number): Versioned[] =>
    [[], [{ id: 'a', v: 1 }], [{ id: 'a', v: 2 }, { id: 'b', v: 1 }], [{ id: 'b', v: 1 }, { id: 'c', v: 1 }]][i + 1] ?? [],
};

const compile = (text: string, target: 'assets' | 'relationships' = 'assets'): CompiledFilter => {
  const result = compileFilter(text, target);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return result.value;
};

const query = (text: string) => {
  const result = queryHistory(compile(text), history, (x) => x.id, (x) => String(x.v), () => true);
  if (!result.ok) throw new Error(result.error.message);
  return result.value.map((r) => `${r.operation ?? 'AT'} ${r.item.id}@${r.item.v}`);
};

describe('the asset filter examples', () => {
  const examples = assetFilterExamples();

  it('are all here and all parse', () => {
    expect(examples).toHaveLength(12);
    for (const example of examples) expect(compileFilter(example).ok, example).toBe(true);
  });

  it.each(examples.filter((e) => !e.startsWith('exchange.')))('%s selects the right sample assets', (example) => {
    expect(EXPECTED_ASSETS[example], 'an expectation for this example').toBeDefined();
    const filter = compile(example);
    expect(assets.filter((a) => matchesAsset(filter, a)).map((a) => a.id)).toEqual(EXPECTED_ASSETS[example]);
  });

  it('revision examples: from == to is an empty delta; latest-1..latest is the last commit\'s delta', () => {
    expect(examples).toContain(`exchange.snapshot.fromRevision==${REV};exchange.snapshot.toRevision==${REV}`);
    expect(query(`exchange.snapshot.fromRevision==${REV};exchange.snapshot.toRevision==${REV}`)).toEqual([]);
    expect(query('exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest')).toEqual(['REMOVE a@2', 'INSERT c@1']);
    expect(query(`exchange.snapshot.fromRevision==c1;exchange.snapshot.toRevision==${REV}`)).toEqual(['MODIFY a@2', 'INSERT b@1']);
    expect(query(`exchange.snapshot.toRevision==${REV}`)).toEqual(['AT a@2', 'AT b@1']);
    expect(query('')).toEqual(['AT b@1', 'AT c@1']);
    expect(query('exchange.snapshot.fromRevision==latest-3')).toEqual(['INSERT b@1', 'INSERT c@1']);
  });
});

describe('the relationship filter examples', () => {
  const examples = relationshipFilterExamples();
  const rels: FilterableRelationship[] = [
    { fromAssetId: REL_ID, toAssetId: 'child' },
    { fromAssetId: 'parent', toAssetId: REL_ID },
  ];

  it('all parse for relationships, and the asset-id ones select the right relationships', () => {
    expect(examples).toHaveLength(4);
    for (const example of examples) expect(compileFilter(example, 'relationships').ok, example).toBe(true);
    expect(rels.filter((r) => matchesRelationship(compile(`from.asset.id==${REL_ID}`, 'relationships'), r))).toEqual([rels[0]]);
    expect(rels.filter((r) => matchesRelationship(compile(`to.asset.id==${REL_ID}`, 'relationships'), r))).toEqual([rels[1]]);
  });
});

describe('unsupported filters', () => {
  it.each([
    ['assetId!=x', '!='],
    ['asset.type.name=in=(a,b)', '=in='],
    ['asset.name!=x', '!='],
    ['asset.uri=out=(x)', '=out='],
    ['asset.colour==red', 'asset.colour'],
    ['assetId==a,assetId==b', ','],
    ['assetId==a or assetId==b', 'or'],
    ['asset.parameter.value==1', 'asset.parameter.value'],
    ['from.asset.id==x', 'from.asset.id'],
    ['assetId==', 'assetId=='],
  ])('%s fails with INVALID_FILTER naming %s', (text, part) => {
    const result = compileFilter(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_FILTER');
      expect(result.error.part).toBe(part);
      expect(result.error.message).toContain(part);
    }
  });

  it('revision references that do not exist are refused', () => {
    const filter = compile('exchange.snapshot.fromRevision==nope');
    const result = queryHistory(filter, history, (x) => x.id, (x) => String(x.v), () => true);
    expect(result.ok ? 'ok' : result.error.part).toBe('nope');
  });
});

describe('normalisation of the examples\' loose syntax', () => {
  it('quotes unquoted values with spaces and straightens typographic quotes, leaving valid RSQL alone', () => {
    expect(normalizeRsql('asset.parameter.family==Basic Wall')).toBe('asset.parameter.family=="Basic Wall"');
    expect(normalizeRsql('a==”x y” and b==c d;e==f')).toBe('a=="x y" and b=="c d";e==f');
    expect(normalizeRsql('assetId=in=(a, b);x=="q;r"')).toBe('assetId=in=(a, b);x=="q;r"');
  });
});

describe('asset.name and asset.uri patterns', () => {
  const at = (uri: string): FilterableAsset => ({ id: uri, type: 'texture', name: uri.slice(uri.lastIndexOf('/') + 1), uri, parameters: [] });
  const files = [
    at('FileSystem:/Textures'), at('FileSystem:/Textures/T_Sky.png'), at('FileSystem:/Textures/Sub/sky_box.PNG'),
    at('FileSystem:/Textures/a_b.png'), at('FileSystem:/Textures/axb.png'), at('FileSystem:/100%.png'), at('FileSystem:/1000.png'),
    at('FileSystem:/Misc/Été.png'), at('FileSystem:/Misc/été.png'), at('FileSystem:/TexturesOld/T_Sky.png'),
    // A metadata entry named `name` is not the asset's name.
    { ...at('FileSystem:/Misc/other.png'), parameters: [{ name: 'name', value: 'T_Sky.png' }, { name: 'uri', value: 'FileSystem:/Textures/T_Sky.png' }] },
    { ...bare, id: 'no name or uri' },
  ];
  const selected = (text: string) => files.filter((a) => matchesAsset(compile(text), a)).map((a) => a.id.replace('FileSystem:/', ''));

  it('compile to lists of patterns, one list per clause; a uri pattern gets the FileSystem:/ scheme once', () => {
    expect(compile('asset.name==*sky*;asset.name=in=(a.png,"b c.png")').names).toEqual([['*sky*'], ['a.png', 'b c.png']]);
    expect(compile('asset.uri==Textures/*').uris).toEqual([['FileSystem:/Textures/*']]);
    expect(compile('asset.uri=in=(FileSystem:/Textures/*,filesystem:/x.png,*.png)').uris)
      .toEqual([['FileSystem:/Textures/*', 'FileSystem:/x.png', 'FileSystem:/*.png']]);
    const long = compileFilter(`asset.name==${'x'.repeat(4097)}`);
    expect(long.ok ? null : long.error.part).toBe('asset.name');
    expect(compileFilter(`asset.uri==${'x'.repeat(4096)}`).ok).toBe(true);
    expect(compileFilter('asset.uri==x', 'relationships').ok).toBe(false);
  });

  it('* matches any run of characters, / too; without * the whole value must match', () => {
    expect(selected('asset.name==*sky*')).toEqual(['Textures/T_Sky.png', 'Textures/Sub/sky_box.PNG', 'TexturesOld/T_Sky.png']);
    expect(selected('asset.name==sky')).toEqual([]);
    expect(selected('asset.name==T_Sky.png*')).toEqual(['Textures/T_Sky.png', 'TexturesOld/T_Sky.png']);
    expect(selected('asset.name==*')).toHaveLength(files.length - 1);
    expect(selected('asset.uri==Textures/*')).toEqual(['Textures/T_Sky.png', 'Textures/Sub/sky_box.PNG', 'Textures/a_b.png', 'Textures/axb.png']);
    expect(selected('asset.uri==Textures')).toEqual(['Textures']);
    expect(selected('asset.uri==Textures*')).toEqual(['Textures', 'Textures/T_Sky.png', 'Textures/Sub/sky_box.PNG', 'Textures/a_b.png', 'Textures/axb.png', 'TexturesOld/T_Sky.png']);
    expect(selected('asset.uri==*/T_Sky.png')).toEqual(['Textures/T_Sky.png', 'TexturesOld/T_Sky.png']);
    expect(selected('asset.uri==*T*S*y*')).toEqual(['Textures/T_Sky.png', 'Textures/Sub/sky_box.PNG', 'TexturesOld/T_Sky.png']);
    expect(selected('asset.uri==FileSystem:/Textures/T_Sky.png')).toEqual(['Textures/T_Sky.png']);
  });

  it('ignores the case of ASCII letters only', () => {
    expect(selected('asset.name==t_sky.PNG')).toEqual(['Textures/T_Sky.png', 'TexturesOld/T_Sky.png']);
    expect(selected('asset.uri==fileSYSTEM:/textures/sub/*.png')).toEqual(['Textures/Sub/sky_box.PNG']);
    expect(selected('asset.name==été.png')).toEqual(['Misc/été.png']);
    expect(selected('asset.name==ÉTé.png')).toEqual(['Misc/Été.png']);
    expect(selected('asset.name==ÉTÉ.png')).toEqual([]);
  });

  it('%, _ and \\ are plain characters', () => {
    expect(selected('asset.name==a_b.png')).toEqual(['Textures/a_b.png']);
    expect(selected('asset.name==a%b.png')).toEqual([]);
    expect(selected('asset.name==100%.png')).toEqual(['100%.png']);
    expect(selected('asset.name==100_.png')).toEqual([]);
    expect(selected('asset.name==*_*')).toEqual(['Textures/T_Sky.png', 'Textures/Sub/sky_box.PNG', 'Textures/a_b.png', 'TexturesOld/T_Sky.png']);
    expect(selected('asset.name==*%*')).toEqual(['100%.png']);
  });

  it('=in= is any of the patterns; several clauses must all hold, with each other and with the other selectors', () => {
    expect(selected('asset.name=in=(a_b.png,*.PNG)')).toHaveLength(10);
    expect(selected('asset.name=in=(a_b.png,*.fbx)')).toEqual(['Textures/a_b.png']);
    expect(selected('asset.name=in=(a_b.png,axb.png)')).toEqual(['Textures/a_b.png', 'Textures/axb.png']);
    expect(selected('asset.name==*sky*;asset.uri==Textures/*')).toEqual(['Textures/T_Sky.png', 'Textures/Sub/sky_box.PNG']);
    expect(selected('asset.name==*sky*;asset.name==t*')).toEqual(['Textures/T_Sky.png', 'TexturesOld/T_Sky.png']);
    expect(selected('asset.name==*sky* and asset.uri==*/sub/*')).toEqual(['Textures/Sub/sky_box.PNG']);
    expect(selected(`asset.name==*sky*;assetId==FileSystem:/TexturesOld/T_Sky.png`)).toEqual(['TexturesOld/T_Sky.png']);
  });
});
