import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContentRange, parseLength, parseRange } from './range.ts';

describe('parseRange (GET)', () => {
  it('answers the single-range forms, clamped to the chunk', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=90-1000', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('Bytes=5-5', 100)).toEqual({ kind: 'partial', start: 5, end: 5 });
  });

  it('is unsatisfiable only for a well-formed range past the end', () => {
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=100-200', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange(`bytes=${'9'.repeat(400)}-`, 100)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores what it does not understand and sends the whole chunk', () => {
    for (const header of ['', 'bytes=', 'bytes=-', 'bytes=5-1', 'bytes=0-1,5-6', 'items=0-1', 'bytes=a-b', 'bytes=1.5-2', 'bytes 0-1']) {
      expect(parseRange(header, 100)).toEqual({ kind: 'full' });
    }
  });

  it('always answers a range inside the chunk', () => {
    fc.assert(fc.property(fc.string(), fc.nat(1 << 24), (tail, size) => {
      const answer = parseRange(`bytes=${tail}`, size);
      if (answer.kind === 'partial') expect(0 <= answer.start && answer.start <= answer.end && answer.end < size).toBe(true);
    }));
    fc.assert(fc.property(fc.nat(1000), fc.option(fc.nat(1000)), fc.nat(1000), (a, b, size) => {
      const answer = parseRange(`bytes=${a}-${b ?? ''}`, size);
      if (b !== null && b < a) expect(answer).toEqual({ kind: 'full' });
      else if (a >= size) expect(answer).toEqual({ kind: 'unsatisfiable' });
      else expect(answer).toEqual({ kind: 'partial', start: a, end: Math.min(b ?? size - 1, size - 1) });
    }));
  });
});

describe('parseContentRange (PUT)', () => {
  it('reads bytes a-b/t and bytes */t', () => {
    expect(parseContentRange('bytes 0-9/10')).toEqual({ start: 0, end: 9, total: 10 });
    expect(parseContentRange('bytes 5-9/100')).toEqual({ start: 5, end: 9, total: 100 });
    expect(parseContentRange('bytes */10')).toEqual({ start: 10, end: undefined, total: 10 });
  });

  it('refuses malformed or inconsistent ranges', () => {
    for (const header of ['', 'bytes 0-9', 'bytes 0-10/10', 'bytes 9-0/10', 'bytes 0-9/*', 'bytes=0-9/10', 'bytes -1-9/10', 'bytes 0-9/10, 1-2/10', `bytes 0-1/${'9'.repeat(20)}`]) {
      expect(parseContentRange(header)).toBeUndefined();
    }
  });
});

describe('parseLength', () => {
  it('reads plain decimals only', () => {
    expect([parseLength('0'), parseLength('8388608'), parseLength(' 12 ')]).toEqual([0, 8388608, 12]);
    for (const v of [undefined, '', '-1', '1e3', '0x10', '1.0', '9'.repeat(17)]) expect(parseLength(v)).toBeUndefined();
  });
});
