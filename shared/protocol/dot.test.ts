import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKey, decodeNamePath, decodeValueKeys, encodeKey, encodeNamePath, encodeValueKeys } from './dot.ts';

const ALPHA = '%SYNCED_STORAGE%\\Projects\\Project.Alpha';

describe('[dot] codec', () => {
  it('encodes a repository name with a dot the way Pixotope does, and back', () => {
    expect(encodeKey(ALPHA)).toBe('%SYNCED_STORAGE%\\Projects\\Project[dot]Alpha');
    expect(decodeKey('%SYNCED_STORAGE%\\Projects\\Project[dot]Alpha')).toBe(ALPHA);
  });

  it('round-trips the name inside a Name path', () => {
    const name = encodeNamePath(['State', 'Repositories', ALPHA, 'AutoPull']);
    expect(name).toBe('State.Repositories.%SYNCED_STORAGE%\\Projects\\Project[dot]Alpha.AutoPull');
    expect(decodeNamePath(name)).toEqual(['State', 'Repositories', ALPHA, 'AutoPull']);
  });

  it('round-trips the name as a key of a marked map, for a whole state and for the map itself', () => {
    const state = { Repositories: { [ALPHA]: { AutoPull: true } }, Other: { 'a.b': 1 } };
    const wire = encodeValueKeys(['State'], state) as { Repositories: Record<string, unknown>; Other: unknown };
    expect(Object.keys(wire.Repositories)).toEqual(['%SYNCED_STORAGE%\\Projects\\Project[dot]Alpha']);
    expect(wire.Other).toEqual({ 'a.b': 1 });
    expect(decodeValueKeys(['State'], wire)).toEqual(state);
    const map = encodeValueKeys(['State', 'Repositories'], state.Repositories);
    expect(Object.keys(map as object)).toEqual(['%SYNCED_STORAGE%\\Projects\\Project[dot]Alpha']);
    expect(decodeValueKeys(['State', 'Repositories'], map)).toEqual(state.Repositories);
    // An entry of the map holds no marked map: left alone.
    expect(encodeValueKeys(['State', 'Repositories', ALPHA], { 'x.y': 1 })).toEqual({ 'x.y': 1 });
  });

  it('keeps names that already contain the text [dot] (escaped as [lbr]dot])', () => {
    expect(encodeKey('odd[dot]name.v2')).toBe('odd[lbr]dot]name[dot]v2');
    expect(decodeKey('odd[lbr]dot]name[dot]v2')).toBe('odd[dot]name.v2');
    expect(encodeKey('a[lbr]b')).toBe('a[lbr]lbr]b');
    expect(decodeKey(encodeKey('a[lbr]b'))).toBe('a[lbr]b');
    expect(encodeKey('array[0].x')).toBe('array[0][dot]x');
  });

  it('round-trips every string, and encodes dot-free text without [ exactly as the plain rule does', () => {
    const pieces = fc.constantFrom('.', '[', ']', 'dot', 'lbr', '[dot]', '[lbr]', 'a', '\\', '%');
    const text = fc.oneof(fc.string(), fc.array(pieces).map((p) => p.join('')));
    fc.assert(
      fc.property(text, (s) => {
        const encoded = encodeKey(s);
        expect(decodeKey(encoded)).toBe(s);
        expect(encoded).not.toContain('.');
        if (!s.includes('[')) expect(encoded).toBe(s.replaceAll('.', '[dot]'));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes the same after many distinct keys went through its cache (bounded: it is emptied when full)', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `Project[dot]${i}[lbr]dot]x`);
    for (const k of keys) decodeKey(k);
    expect(keys.map(decodeKey)).toEqual(keys.map((_, i) => `Project.${i}[dot]x`));
  });

  it('round-trips Name paths of arbitrary segments', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 6 }), (segments) => {
        expect(decodeNamePath(encodeNamePath(segments))).toEqual(segments);
      }),
    );
  });
});
