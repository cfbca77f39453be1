import { describe, expect, it } from 'vitest';
import { changedPaths, jsonEqual } from './value-diff.ts';
import { withValueAt } from './value-path.ts';

const limits = { depth: 3, paths: 64 };
const assets = (local: string[], remote: string[] = []) => ({
  Workspaces: {
    'D:\\Show\\A': { Name: 'A', LocalChanges: local.map((URI) => ({ Type: 'PutFile', URI })), RemoteChanges: remote.map((URI) => ({ Type: 'PutFile', URI })), ConflictURIs: [] },
    'D:\\Show\\B': { Name: 'B', LocalChanges: [], RemoteChanges: [], ConflictURIs: [] },
  },
});
/** What a holder of `before` has after putting each path's value of `after` in. */
const applied = (before: unknown, after: unknown, paths: string[][]) =>
  paths.reduce((v, p) => withValueAt(v, p, p.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], after)), before);

describe('changedPaths', () => {
  it('is empty for the same value again, whatever the key order', () => {
    const a = assets(['x', 'y']);
    const b = JSON.parse(JSON.stringify(a)) as typeof a;
    expect(changedPaths(a, b, limits)).toEqual([]);
    expect(changedPaths({ p: 1, q: { r: [1, { s: 2 }] } }, { q: { r: [1, { s: 2 }] }, p: 1 }, limits)).toEqual([]);
  });

  it('names the changed places as deep as the limit, and putting them in gives the new value', () => {
    const a = assets(['x'], ['r']);
    const b = assets(['x', 'y'], ['r']);
    expect(changedPaths(a, b, limits)).toEqual([['Workspaces', 'D:\\Show\\A', 'LocalChanges']]);
    expect(changedPaths(a, b, { depth: 2, paths: 64 })).toEqual([['Workspaces', 'D:\\Show\\A']]);
    const c = { ...assets(['x']), Workspaces: { ...assets(['x']).Workspaces, 'D:\\Show\\C': { Name: 'C', LocalChanges: [], RemoteChanges: [], ConflictURIs: [] } } };
    const paths = changedPaths(b, c, limits) ?? [];
    expect(paths).toEqual([['Workspaces', 'D:\\Show\\A', 'LocalChanges'], ['Workspaces', 'D:\\Show\\A', 'RemoteChanges'], ['Workspaces', 'D:\\Show\\C']]);
    expect(jsonEqual(applied(b, c, paths), c)).toBe(true);
    // An object that became a list (or a number) is one place.
    expect(changedPaths({ a: { b: 1 } }, { a: [1] }, limits)).toEqual([['a']]);
    expect(changedPaths({ a: { b: 1 } }, { a: { b: 2 } }, limits)).toEqual([['a', 'b']]);
  });

  it('gives up (null: the whole state) on a key gone, on more places than the limit, on a top level that is no object', () => {
    expect(changedPaths(assets([]), { Workspaces: { 'D:\\Show\\A': assets([]).Workspaces['D:\\Show\\A'] } }, limits)).toBeNull();
    const many = (n: number) => Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, i < n ? 1 : 0]));
    expect(changedPaths(many(0), many(64), limits)).toHaveLength(64);
    expect(changedPaths(many(0), many(65), limits)).toBeNull();
    expect(changedPaths([1], [2], limits)).toBeNull();
    expect(changedPaths(5, 5, limits)).toEqual([]);
  });

  it('reads own keys only: a key named __proto__ is a place like any other', () => {
    const a = JSON.parse('{"m":{"__proto__":{"x":1}}}') as unknown;
    const b = JSON.parse('{"m":{"__proto__":{"x":2}}}') as unknown;
    expect(changedPaths(a, b, limits)).toEqual([['m', '__proto__', 'x']]);
    expect(changedPaths({ m: {} }, a, limits)).toEqual([['m', '__proto__']]);
    expect(changedPaths(a, { m: {} }, limits)).toBeNull();
  });
});
