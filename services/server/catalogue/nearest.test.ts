// The nearest known value for CheckFilter's "did you mean": edit distance with swaps, case ignored, bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASSET_KINDS } from '../../../shared/assethub/catalogue.ts';
import { editDistance, likeValues, maxDistance, nearestValue, NEAREST_MAX_LENGTH } from './nearest.ts';

/** The plain OSA table, unbounded: what the bounded one must agree with. */
function reference(a: string, b: string): number {
  const x = Array.from(a.toLowerCase());
  const y = Array.from(b.toLowerCase());
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min(up[j] as number + 1, row[j - 1] as number + 1, up[j - 1] as number + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) row[j] = Math.min(row[j] as number, (d[i - 2] as number[])[j - 2] as number + 1);
    }
  }
  return (d[x.length] as number[])[y.length] as number;
}

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and swaps of neighbours; case does not count', () => {
    expect(editDistance('textur', 'texture', 5)).toBe(1);
    expect(editDistance('txeture', 'texture', 5)).toBe(1);
    expect(editDistance('tekstur', 'texture', 5)).toBe(3);
    expect(editDistance('Texture', 'texture', 5)).toBe(0);
    expect(editDistance('', 'mesh', 5)).toBe(4);
  });

  it('stops at its bound: anything farther is max + 1', () => {
    expect(editDistance('folder', 'texture', 2)).toBe(3);
    expect(editDistance('a', 'abcdefgh', 3)).toBe(4);
  });

  it('agrees with the plain table within the bound (property)', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'é'), maxLength: 9 });
    fc.assert(fc.property(word, word, fc.integer({ min: 0, max: 6 }), (a, b, max) => {
      const d = reference(a, b);
      expect(editDistance(a, b, max)).toBe(d > max ? max + 1 : d);
    }), { numRuns: 2000 });
  });
});

describe('nearestValue', () => {
  it('names the nearest kind for a typo, and the same value in its known case', () => {
    expect(nearestValue('textur', ASSET_KINDS)).toBe('texture');
    expect(nearestValue('mseh', ASSET_KINDS)).toBe('mesh');
    expect(nearestValue('Audio', ASSET_KINDS)).toBe('audio');
    expect(nearestValue('vidoes', ASSET_KINDS)).toBe('video');
  });

  it('suggests nothing beyond a sensible distance, or for a value that is itself known', () => {
    expect(nearestValue('xyz', ASSET_KINDS)).toBeNull();
    expect(nearestValue('tex', ASSET_KINDS)).toBeNull();
    expect(nearestValue('ab', ['ax'])).toBeNull(); // 2 characters: only a difference of case
    expect(nearestValue('AB', ['ab'])).toBe('ab');
    expect(nearestValue('mesh', ['mesh'])).toBeNull();
    expect(nearestValue('x'.repeat(NEAREST_MAX_LENGTH + 1), ['x'.repeat(NEAREST_MAX_LENGTH)])).toBeNull();
  });

  it('prefers the nearer candidate, then the first listed', () => {
    expect(nearestValue('Hero1', ['Heroes', 'Hero'])).toBe('Hero');
    expect(nearestValue('categry', ['category', 'categries'])).toBe('category');
    expect(nearestValue('cat', ['bat', 'cab'])).toBe('bat');
  });

  it('grows its allowance with the length', () => {
    expect([1, 2, 3, 5, 6, 10, 11, 200].map(maxDistance)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(nearestValue('FileSystem:/Content/Textrues/T_Sky.png', ['FileSystem:/Content/Textures/T_Sky.png'])).toBe('FileSystem:/Content/Textures/T_Sky.png');
  });

  it('is cheap over a thousand long candidates', () => {
    const candidates = Array.from({ length: 1000 }, (_, i) => `FileSystem:/Content/Show/${'Folder'.repeat(20)}/Asset_${String(i).padStart(4, '0')}.png`);
    const started = performance.now();
    expect(nearestValue(`${(candidates[500] as string).slice(0, -4)}.pgn`, candidates)).toBe(candidates[500]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('likeValues', () => {
  it('lists up to n values sharing the longest beginning, in the given order otherwise', () => {
    expect(likeValues('cat', ['dog', 'category', 'Cart', 'cab', 'x', 'y', 'z'])).toEqual(['category', 'Cart', 'cab', 'dog', 'x']);
    expect(likeValues('q', ['b', 'a'], 5)).toEqual(['b', 'a']);
  });
});
