import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueAt, withValueAt, withValuesAt, withoutValueAt } from './value-path.ts';

/** What the functions mean, written the plain recursive way (quadratic: only for small paths). */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function putRef(root: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string, ...string[]];
  const base = isObject(root) ? root : {};
  const below = Object.prototype.hasOwnProperty.call(base, key) ? base[key] : undefined;
  const out = { ...base };
  Object.defineProperty(out, key, { value: putRef(below, rest, value), writable: true, enumerable: true, configurable: true });
  return out;
}

const keys = fc.constantFrom('a', 'b', '__proto__', 'constructor', 'toString', '');
const tree = fc.letrec((tie) => ({ node: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.dictionary(keys, tie('node'), { maxKeys: 3 })) })).node;

describe('values at Name paths', () => {
  it('puts a value exactly as the plain recursive definition, sharing what is off the path', () => {
    fc.assert(fc.property(tree, fc.array(keys, { maxLength: 5 }), fc.jsonValue(), (root, path, value) => {
      const put = withValueAt(root, path, value);
      expect(put).toEqual(putRef(root, path, value));
      expect(valueAt(put, path)).toEqual(value);
      // A copy keeps its original's prototype: none for a map keyed by wire names, Object's otherwise.
      const isObj = typeof root === 'object' && root !== null && !Array.isArray(root);
      if (path.length > 0) expect(Object.getPrototypeOf(put)).toBe(isObj && Object.getPrototypeOf(root) === null ? null : Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }), { numRuns: 2000 });
  });

  it('puts several values as putting them one after the other would, leaving the originals and the values put as they were', () => {
    const value = fc.oneof(fc.jsonValue(), tree);
    fc.assert(fc.property(tree, fc.array(fc.tuple(fc.array(keys, { maxLength: 4 }), value), { maxLength: 6 }), (root, puts) => {
      const before = JSON.stringify([root, puts]);
      const all = withValuesAt(root, puts);
      expect(all).toEqual(puts.reduce<unknown>((v, [path, x]) => putRef(v, path, x), root));
      // Nothing that came in was written: not the root, not a value put and then put below.
      expect(JSON.stringify([root, puts])).toBe(before);
    }), { numRuns: 2000 });
    // Fifty entries of one map: the map is copied once, and everything off the paths is shared.
    const clients = Object.assign(Object.create(null) as Record<string, unknown>, Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`C${i}`, { n: i }])));
    const root = { Clients: clients, Status: { a: 1 } };
    const out = withValuesAt(root, Array.from({ length: 50 }, (_, i) => [['Clients', `C${i}`], { n: -i }] as const)) as typeof root;
    expect(out.Status).toBe(root.Status);
    expect(Object.getPrototypeOf(out.Clients)).toBeNull();
    expect(out.Clients['C49']).toEqual({ n: -49 });
    expect(out.Clients['C50']).toBe(clients['C50']);
    expect(clients['C49']).toEqual({ n: 49 });
  });

  it('takes a key out, leaving the original as it was', () => {
    const root = { a: { b: 1, c: 2 }, d: 3 };
    const out = withoutValueAt(root, ['a', 'b']);
    expect(out).toEqual({ a: { c: 2 }, d: 3 });
    expect(root).toEqual({ a: { b: 1, c: 2 }, d: 3 });
    expect(withoutValueAt(root, ['x', 'y'])).toBe(root);
    expect(withoutValueAt({ ['__proto__']: 1, k: 2 } as Record<string, unknown>, ['k'])).toEqual(JSON.parse('{"__proto__":1}'));
  });

  it('keeps maps without a prototype without one, so a name like `constructor` is never found on Object', () => {
    const clients = Object.assign(Object.create(null) as Record<string, unknown>, { A: 1 });
    const put = withValueAt({ Clients: clients }, ['Clients', 'B'], 2) as { Clients: Record<string, unknown> };
    expect(Object.getPrototypeOf(put.Clients)).toBeNull();
    expect(put.Clients.constructor).toBeUndefined();
    const out = withoutValueAt({ Clients: clients }, ['Clients', 'A']) as { Clients: Record<string, unknown> };
    expect(Object.getPrototypeOf(out.Clients)).toBeNull();
  });

  it('handles a path of 200,000 segments (a hostile Name) without overflowing the stack', () => {
    const path = Array.from({ length: 200_000 }, (_, i) => `s${i % 7}`);
    const put = withValueAt({}, path, true);
    expect(valueAt(put, path)).toBe(true);
    expect(valueAt(withoutValueAt(put, path), path)).toBeUndefined();
  });
});
