// The values of a filter's clauses: read as the parser reads them, found where they sit in the text as typed, and one
// of them replaced without touching anything else.
import { describe, expect, it } from 'vitest';
import { assetFilterExamples } from '../../scripts/testing/fixtures.ts';
import { compileFilter } from './filter.ts';
import { filterComparisons, replaceFilterValue, rsqlValue, valueSpans } from './values.ts';

const TEXTS = [
  ...assetFilterExamples(),
  'asset.type.name==textur',
  'asset.type.name == textur ; assetId=in=( A , "B,C" ,\'D\')',
  '(asset.type.name==mesh;asset.parameter.name==category) and asset.parameter.value=="He said \\"hi\\""',
  'asset.parameter.family==Basic Wall and asset.type.name==other',
];

describe('filterComparisons', () => {
  it('reads every clause in text order, as the parser does', () => {
    expect(filterComparisons('asset.type.name==textur;assetId=in=(a, b) and asset.parameter.name==”Cross-Section”')).toEqual([
      { selector: 'asset.type.name', operator: '==', values: ['textur'] },
      { selector: 'assetId', operator: '=in=', values: ['a', 'b'] },
      { selector: 'asset.parameter.name', operator: '==', values: ['Cross-Section'] },
    ]);
  });

  it('keeps selectors it does not know (the caller decides) and is empty for a blank or broken filter', () => {
    expect(filterComparisons('asset.colour==red')).toEqual([{ selector: 'asset.colour', operator: '==', values: ['red'] }]);
    expect(filterComparisons('  ')).toEqual([]);
    expect(filterComparisons('asset.type.name==')).toEqual([]);
  });
});

describe('valueSpans', () => {
  it.each(TEXTS)('finds the values the parser reads, where they sit: %s', (text) => {
    const spans = valueSpans(text);
    const parsed = filterComparisons(text).flatMap((c) => c.values.map((value) => ({ selector: c.selector, value })));
    expect(spans.map((s) => ({ selector: s.selector, value: s.value }))).toEqual(parsed);
    for (const s of spans) {
      const raw = text.slice(s.start, s.end);
      if (s.quoted) expect(raw.length).toBeGreaterThanOrEqual(s.value.length + 2);
      else expect(raw).toBe(s.value);
    }
  });
});

describe('replaceFilterValue', () => {
  it('replaces the value of that selector only, leaving every other character as typed', () => {
    expect(replaceFilterValue('asset.type.name==textur', 'asset.type.name', 'textur', 'texture')).toBe('asset.type.name==texture');
    expect(replaceFilterValue('asset.type.name == textur ; asset.parameter.name==textur', 'asset.type.name', 'textur', 'texture'))
      .toBe('asset.type.name == texture ; asset.parameter.name==textur');
    expect(replaceFilterValue('assetId=in=(a, bb ,c)', 'assetId', 'bb', 'B')).toBe('assetId=in=(a, B ,c)');
  });

  it('quotes when the value was quoted or must be, and the result reads back as the replacement', () => {
    const quoted = replaceFilterValue('asset.parameter.name==”Cros-Section”', 'asset.parameter.name', 'Cros-Section', 'Cross-Section');
    expect(quoted).toBe('asset.parameter.name=="Cross-Section"');
    const spaced = replaceFilterValue('asset.parameter.family==Basic Wal;asset.type.name==mesh', 'asset.parameter.family', 'Basic Wal', 'Basic "Wall"; (1)');
    expect(filterComparisons(spaced)[0]?.values).toEqual(['Basic "Wall"; (1)']);
    expect(filterComparisons(spaced)[1]?.values).toEqual(['mesh']);
    expect(compileFilter(spaced).ok).toBe(true);
  });

  it('leaves the text alone when the value is not there', () => {
    expect(replaceFilterValue('asset.type.name==mesh', 'asset.type.name', 'textur', 'texture')).toBe('asset.type.name==mesh');
  });

  it('writes a value bare only when RSQL reads it so', () => {
    expect(rsqlValue('assethub:texture-1.0.0')).toBe('assethub:texture-1.0.0');
    expect(rsqlValue('FileSystem:/a b.png')).toBe('"FileSystem:/a b.png"');
    expect(rsqlValue('and')).toBe('"and"');
    expect(rsqlValue('')).toBe('""');
    expect(rsqlValue('a\\b')).toBe('"a\\\\b"');
  });
});
