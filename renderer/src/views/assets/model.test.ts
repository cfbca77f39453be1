import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../../shared/rsql/index.ts';
import { DEFAULT_EXAMPLES, filterProblem, insertExample } from '../../components/RsqlFilterInput.tsx';
import { composeFilters, entryLabel, exportFileName, filterRevisions, findClause, loadFromStart, loadMore, parseImportProblems, rsqlValue, splitList, withFind, type FetchPage } from './model.ts';

describe('the Filters sent', () => {
  it('adds the pickers as exchange.snapshot revisions after the operator’s filter', () => {
    expect(composeFilters('', { snapshot: 'latest', compareFrom: null })).toBe('exchange.snapshot.toRevision==latest');
    expect(composeFilters('asset.type.name==texture; ', { snapshot: 'latest', compareFrom: 'latest-1' }))
      .toBe('asset.type.name==texture;exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest');
    const sent = composeFilters('asset.parameter.name==category and asset.parameter.value==Hero', { snapshot: 'abc123', compareFrom: null });
    const compiled = compileFilter(sent, 'assets');
    expect(compiled.ok && compiled.value.toRevision).toBe('abc123');
  });

  it('leaves a filter that names its own revisions as it is', () => {
    const own = 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest';
    expect(filterRevisions(own)).toEqual({ from: 'latest-1', to: 'latest' });
    expect(composeFilters(own, { snapshot: 'x', compareFrom: 'y' })).toBe(own);
    expect(filterRevisions('asset.type.name==mesh')).toBeNull();
  });

  it('quotes values that are not plain', () => {
    expect(rsqlValue('a1B2_c-3.d')).toBe('a1B2_c-3.d');
    expect(rsqlValue('two words')).toBe('"two words"');
    expect(compileFilter(`assetId==${rsqlValue('x"y z')}`, 'assets').ok).toBe(true);
  });
});

describe('the filter input', () => {
  it('names the bad part', () => {
    expect(filterProblem('asset.type.name==texture', 'assets')).toBeNull();
    expect(filterProblem('', 'assets')).toBeNull();
    expect(filterProblem('asset.colour==red', 'assets')).toMatchObject({ part: 'asset.colour' });
    expect(filterProblem('asset.type.name!=mesh', 'assets')).toMatchObject({ part: '!=' });
    expect(filterProblem('from.asset.id==x', 'assets')).not.toBeNull();
    expect(filterProblem('from.asset.id==x', 'relationships')).toBeNull();
  });

  it('offers only valid examples, finding by name and by path among them', () => {
    for (const target of ['assets', 'relationships'] as const) {
      for (const e of DEFAULT_EXAMPLES[target]) expect(filterProblem(e.text, target), e.text).toBeNull();
    }
    expect(DEFAULT_EXAMPLES.assets.map((e) => e.text)).toEqual(expect.arrayContaining(['asset.name==*sky*', 'asset.uri==Textures/*']));
  });

  it('inserts an example alone or as one more clause', () => {
    expect(insertExample('', 'a==b')).toBe('a==b');
    expect(insertExample('x==y; ', 'a==b')).toBe('x==y;a==b');
  });
});

describe('paging', () => {
  /** A server of `total` numbered rows whose cursors expire when told. */
  function server(total: number, size: number) {
    const issued = new Set<string>();
    let calls = 0;
    const fetch: FetchPage<number> = async (cursor) => {
      calls++;
      if (cursor !== null && !issued.has(cursor)) throw Object.assign(new Error('cursor expired'), { code: 'CURSOR_EXPIRED' });
      const start = cursor === null ? 0 : Number(cursor);
      const results = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i);
      const next = start + size < total ? String(start + size) : null;
      if (next) issued.add(next);
      return { results, nextCursor: next };
    };
    return { fetch, expireAll: () => issued.clear(), calls: () => calls };
  }

  it('loads by cursor until nothing more exists', async () => {
    const s = server(450, 200);
    let loaded = await loadFromStart(s.fetch, 200);
    expect(loaded.rows).toHaveLength(200);
    while (loaded.nextCursor) loaded = await loadMore(s.fetch, loaded.rows, loaded.nextCursor);
    expect(loaded.rows).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(loaded.restarted).toBe(false);
  });

  it('runs the query again from the start when the cursor expired, up to one page more than was loaded', async () => {
    const s = server(1000, 200);
    const first = await loadFromStart(s.fetch, 400);
    expect(first.rows).toHaveLength(400);
    s.expireAll();
    const again = await loadMore(s.fetch, first.rows, first.nextCursor as string);
    expect(again.restarted).toBe(true);
    expect(again.rows).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(again.nextCursor).toBe('600');
  });

  it('passes any other failure on', async () => {
    const fetch: FetchPage<number> = async () => {
      throw Object.assign(new Error('no'), { code: 'INVALID_FILTER' });
    };
    await expect(loadMore(fetch, [], 'c')).rejects.toMatchObject({ code: 'INVALID_FILTER' });
  });
});

describe('a refused import', () => {
  it('lists every problem line with its entry, field and message', () => {
    const message = ['3 problems in the document; nothing was imported', '#-1 format: must be "assethub.assets"', '#0 tags[1]: must not be empty', '#4 uri: no asset FileSystem:/x.png on Main', 'in this branch'].join('\n');
    const { summary, problems } = parseImportProblems(message);
    expect(summary).toBe('3 problems in the document; nothing was imported');
    expect(problems).toEqual([
      { index: -1, field: 'format', message: 'must be "assethub.assets"' },
      { index: 0, field: 'tags[1]', message: 'must not be empty' },
      { index: 4, field: 'uri', message: 'no asset FileSystem:/x.png on Main\nin this branch' },
    ]);
  });

  it('names an entry by what the file says about it', () => {
    const doc = { assets: [{ assetId: 'id0' }, { uri: 'FileSystem:/a.png', assetId: 'id1' }, 5] };
    expect(entryLabel(doc, 0)).toBe('id0');
    expect(entryLabel(doc, 1)).toBe('FileSystem:/a.png');
    expect(entryLabel(doc, 2)).toBe('');
    expect(entryLabel(doc, -1)).toBe('the document');
  });
});

describe('words', () => {
  it('splits lists and names export files', () => {
    expect(splitList(' a, b ,,a\nc ')).toEqual(['a', 'b', 'c']);
    expect(exportFileName('%SYNCED_STORAGE%\\Projects\\Show.2026', 'Main', new Date(2026, 0, 2, 3, 4, 5))).toBe('assets-Show.2026-Main-20260102-030405.json');
  });
});

describe('the Find box', () => {
  it('looks for a name anywhere, a path when the text has a /, and places a * of the operator\'s own', () => {
    expect(findClause('')).toBe('');
    expect(findClause('  sky ')).toBe('asset.name=="*sky*"');
    expect(findClause('Textures/')).toBe('asset.uri=="*Textures/*"');
    expect(findClause('T_*.png')).toBe('asset.name=="T_*.png"');
    expect(findClause('say "hi"')).toBe('asset.name=="*say \\"hi\\"*"');
  });
  it('joins the filter, and the result compiles and finds what it says', () => {
    const text = withFind('asset.type.name==texture;', 'sky');
    expect(text).toBe('asset.name=="*sky*";asset.type.name==texture');
    const compiled = compileFilter(text, 'assets');
    expect(compiled.ok).toBe(true);
    expect(withFind('', '')).toBe('');
  });
});
