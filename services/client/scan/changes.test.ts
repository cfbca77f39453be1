import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localChanges, type BaseEntry } from './changes.ts';
import type { LocalChange } from './types.ts';

const file = (hash: string): BaseEntry => ({ kind: 'file', hash });
const dir: BaseEntry = { kind: 'directory', hash: null };
const u = (p: string): string => `FileSystem:/${p}`;
const tree = (entries: Record<string, BaseEntry>): Map<string, BaseEntry> => new Map(Object.entries(entries).map(([k, v]) => [u(k), v]));

describe('localChanges', () => {
  it('is empty when nothing changed', () => {
    const same = tree({ a: file('1'), d: dir, 'd/b': file('2') });
    expect(localChanges(same, new Map(same))).toEqual([]);
  });

  it('reports new and modified files and new folders, New only for new ones', () => {
    const base = tree({ a: file('1'), d: dir });
    const disk = tree({ a: file('1b'), d: dir, 'd/new': file('2'), e: dir, 'e/f': dir });
    expect(localChanges(base, disk)).toEqual([
      { Type: 'PutFile', URI: u('a'), New: false },
      { Type: 'PutFile', URI: u('d/new'), New: true },
      { Type: 'PutDirectory', URI: u('e'), New: true },
      { Type: 'PutDirectory', URI: u('e/f'), New: true },
    ]);
  });

  it('deletes a folder with everything in it, deepest first, before any put', () => {
    const base = tree({ keep: file('k'), m: dir, 'm/a': file('1'), 'm/s': dir, 'm/s/b': file('2'), 'm/s/c': file('3'), z: file('z') });
    const disk = tree({ keep: file('k'), n: file('n') });
    expect(localChanges(base, disk)).toEqual([
      { Type: 'Delete', URI: u('m/s/b') },
      { Type: 'Delete', URI: u('m/s/c') },
      { Type: 'Delete', URI: u('m/a') },
      { Type: 'Delete', URI: u('m/s') },
      { Type: 'Delete', URI: u('m') },
      { Type: 'Delete', URI: u('z') },
      { Type: 'PutFile', URI: u('n'), New: true },
    ]);
  });

  it('turns a file that became a folder (and back) into a Delete plus a Put', () => {
    expect(localChanges(tree({ x: file('1') }), tree({ x: dir, 'x/in': file('2') }))).toEqual([
      { Type: 'Delete', URI: u('x') },
      { Type: 'PutDirectory', URI: u('x'), New: true },
      { Type: 'PutFile', URI: u('x/in'), New: true },
    ]);
    expect(localChanges(tree({ x: dir, 'x/in': file('2') }), tree({ x: file('1') }))).toEqual([
      { Type: 'Delete', URI: u('x/in') },
      { Type: 'Delete', URI: u('x') },
      { Type: 'PutFile', URI: u('x'), New: true },
    ]);
  });

  // Model check: applying the changes to the base, in order, gives the disk; every Delete names something that still
  // exists when it runs and comes before any Put; the order does not depend on the maps' insertion order.
  it('applied in order, turns the base into the disk', () => {
    const names = fc.constantFrom('a', 'b', 'c');
    const path = fc.array(names, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    const snapshot = fc.dictionary(path, fc.oneof(fc.constant('dir'), fc.constantFrom('h1', 'h2'))).map((d) => {
      // A consistent tree: every parent of an entry is a folder.
      const out = new Map<string, BaseEntry>();
      for (const [p, v] of Object.entries(d)) out.set(u(p), v === 'dir' ? dir : file(v));
      for (const p of Object.keys(d)) {
        const parts = p.split('/');
        for (let i = 1; i < parts.length; i++) out.set(u(parts.slice(0, i).join('/')), dir);
      }
      return out;
    });
    fc.assert(
      fc.property(snapshot, snapshot, (base, disk) => {
        const changes = localChanges(base, disk);
        const state = new Map(base);
        let putSeen = false;
        for (const c of changes) {
          if (c.Type === 'Delete') {
            expect(putSeen).toBe(false);
            expect(state.has(c.URI)).toBe(true);
            expect([...state.keys()].some((k) => k.startsWith(`${c.URI}/`))).toBe(false); // emptied first
            state.delete(c.URI);
          } else {
            putSeen = true;
            expect(c.New).toBe(!state.has(c.URI));
            state.set(c.URI, disk.get(c.URI) as BaseEntry);
          }
        }
        expect(new Map([...state].sort())).toEqual(new Map([...disk].sort()));
        const reversed = (m: Map<string, BaseEntry>): Map<string, BaseEntry> => new Map([...m].reverse());
        expect(localChanges(reversed(base), reversed(disk))).toEqual<LocalChange[]>(changes);
      }),
    );
  });
});
