import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkspaceScanner } from './scanner.ts';
import { age, removeTree, tempRoot, writeTree } from './testing/tree.ts';

// Every read of a file goes through hashFile: counting its calls proves which files a scan read, independently of
// the scanner's own stats. `before` lets a test change the disk at the exact moment a file is about to be read.
const hashing = vi.hoisted(() => ({ files: [] as string[], before: undefined as ((file: string) => void) | undefined }));
vi.mock('./hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('./hash.ts')>();
  return {
    ...original,
    hashFile: (file: string, buffer: Buffer) => {
      hashing.files.push(file);
      hashing.before?.(file);
      return original.hashFile(file, buffer);
    },
  };
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let root = '';
let outside = '';
let db: sqlite.Database;
const scanner = (key = 'ws'): WorkspaceScanner => new WorkspaceScanner({ root, db, workspaceKey: key });
const read = (): string[] => hashing.files.map((f) => path.relative(root, f).split(path.sep).join('/')).sort();
const indexRows = (key = 'ws'): Array<Record<string, unknown>> =>
  db.all('SELECT uri, hash FROM scan_index WHERE workspace = ? ORDER BY uri', [key]);

beforeEach(() => {
  root = tempRoot();
  outside = tempRoot('scan-outside-');
  db = new sqlite.Database();
  hashing.files = [];
  hashing.before = undefined;
});
afterEach(async () => {
  db.close();
  await removeTree(root);
  await removeTree(outside);
});

describe('hashing and the stat index', () => {
  const files = { 'a.txt': 'alpha', 'dir/b.bin': 'bravo!', 'dir/sub/c': '', 'empty/': '' };

  it('hashes every file on the first scan, with the right hashes, sizes and kinds', async () => {
    writeTree(root, files);
    const result = await scanner().scan();
    expect([...result.entries.keys()].sort()).toEqual([
      'FileSystem:/a.txt', 'FileSystem:/dir', 'FileSystem:/dir/b.bin', 'FileSystem:/dir/sub', 'FileSystem:/dir/sub/c', 'FileSystem:/empty',
    ]);
    expect(result.entries.get('FileSystem:/a.txt')).toEqual({ kind: 'file', size: 5, hash: sha256('alpha') });
    expect(result.entries.get('FileSystem:/dir/b.bin')).toEqual({ kind: 'file', size: 6, hash: sha256('bravo!') });
    expect(result.entries.get('FileSystem:/dir/sub/c')).toEqual({ kind: 'file', size: 0, hash: sha256('') });
    expect(result.entries.get('FileSystem:/dir')).toEqual({ kind: 'directory', size: 0, hash: null });
    expect(result.stats).toMatchObject({ files: 3, directories: 3, hashed: 3, bytesHashed: 11 });
    expect(read()).toEqual(['a.txt', 'dir/b.bin', 'dir/sub/c']);
    expect(result.ignored).toEqual([]);
    expect(result.skipped).toEqual([]);
  });

  it('hashes large files piece by piece', async () => {
    const big = 'x'.repeat(1024 * 1024 + 7);
    writeTree(root, { 'big.bin': big, 'small.txt': 's' });
    const result = await scanner().scan();
    expect(result.entries.get('FileSystem:/big.bin')).toEqual({ kind: 'file', size: big.length, hash: sha256(big) });
    expect(result.stats.bytesHashed).toBe(big.length + 1);
  });

  it('reads nothing on a second scan of an unchanged tree', async () => {
    writeTree(root, files);
    age(root);
    const s = scanner();
    const first = await s.scan();
    hashing.files = [];
    const second = await s.scan();
    expect(read()).toEqual([]);
    expect(second.stats.hashed).toBe(0);
    expect(second.entries).toEqual(first.entries);
    // A new scanner on the same database trusts the index too: it survives restarts.
    const third = await scanner().scan();
    expect(read()).toEqual([]);
    expect(third.entries).toEqual(first.entries);
  });

  it('re-reads only the file that was modified, or merely touched', async () => {
    writeTree(root, files);
    age(root);
    const s = scanner();
    await s.scan();

    hashing.files = [];
    writeFileSync(path.join(root, 'dir/b.bin'), 'BRAVO!'); // same size
    age(root, 30);
    const modified = await s.scan();
    expect(read()).toEqual(['a.txt', 'dir/b.bin', 'dir/sub/c']); // age() touched every file: all stats changed
    hashing.files = [];
    expect(modified.entries.get('FileSystem:/dir/b.bin')?.hash).toBe(sha256('BRAVO!'));

    writeFileSync(path.join(root, 'a.txt'), 'ALPHA');
    const old = new Date(Date.now() - 90_000);
    utimesSync(path.join(root, 'a.txt'), old, old);
    const one = await s.scan();
    expect(read()).toEqual(['a.txt']);
    expect(one.stats.hashed).toBe(1);
    expect(one.entries.get('FileSystem:/a.txt')?.hash).toBe(sha256('ALPHA'));

    hashing.files = [];
    const older = new Date(Date.now() - 120_000);
    utimesSync(path.join(root, 'dir/sub/c'), older, older); // content unchanged, stat changed
    const touched = await s.scan();
    expect(read()).toEqual(['dir/sub/c']);
    expect(touched.entries).toEqual(one.entries);
  });

  it('re-reads a racy file (modified within 2 s of the scan) until it is old enough', async () => {
    writeTree(root, { 'fresh.txt': 'new' });
    const s = scanner();
    await s.scan();
    await s.scan();
    expect(read()).toEqual(['fresh.txt', 'fresh.txt']);
    expect(indexRows()).toEqual([{ uri: 'FileSystem:/fresh.txt', hash: null }]);
    age(root);
    hashing.files = [];
    await s.scan();
    await s.scan();
    expect(read()).toEqual(['fresh.txt']);
    expect(indexRows()).toEqual([{ uri: 'FileSystem:/fresh.txt', hash: sha256('new') }]);
  });

  it('with deferReads lists changed files with no hash and reads none of them, leaving their rows as they were', async () => {
    writeTree(root, { 'kept.txt': 'kept', 'edited.txt': 'one' });
    age(root);
    const s = scanner();
    await s.scan();
    writeTree(root, { 'edited.txt': 'two', 'new.txt': 'new' });
    hashing.files = [];
    const deferred = await s.scan({ deferReads: true });
    expect(read()).toEqual([]);
    expect(deferred.entries.get('FileSystem:/edited.txt')).toEqual({ kind: 'file', size: 3, hash: null });
    expect(deferred.entries.get('FileSystem:/new.txt')).toEqual({ kind: 'file', size: 3, hash: null });
    expect(deferred.entries.get('FileSystem:/kept.txt')).toEqual({ kind: 'file', size: 4, hash: sha256('kept') });
    expect(indexRows()).toEqual([{ uri: 'FileSystem:/edited.txt', hash: sha256('one') }, { uri: 'FileSystem:/kept.txt', hash: sha256('kept') }]);
    const next = await s.scan();
    expect(read()).toEqual(['edited.txt', 'new.txt']);
    expect(next.entries.get('FileSystem:/edited.txt')?.hash).toBe(sha256('two'));
  });

  it('takes what a caller remembered for a file instead of reading it, until the file changes or while it is racy', async () => {
    writeTree(root, { 'pulled.bin': 'pulled' });
    age(root);
    writeTree(root, { 'fresh.bin': 'fresh' });
    const s = scanner();
    const statOf = (name: string) => lstatSync(path.join(root, name), { bigint: true });
    // A hash no read could give: a scan that returns it did not read the file.
    const told = 'a'.repeat(64);
    await s.remember([{ uri: 'FileSystem:/pulled.bin', stat: statOf('pulled.bin'), hash: told }, { uri: 'FileSystem:/fresh.bin', stat: statOf('fresh.bin'), hash: told }]);
    const first = await s.scan();
    expect(first.entries.get('FileSystem:/pulled.bin')?.hash).toBe(told);
    expect(read()).toEqual(['fresh.bin']); // racy when remembered: read, as a racy read of the scan's own would be
    expect(first.entries.get('FileSystem:/fresh.bin')?.hash).toBe(sha256('fresh'));
    writeFileSync(path.join(root, 'pulled.bin'), 'edited');
    hashing.files = [];
    expect((await s.scan()).entries.get('FileSystem:/pulled.bin')?.hash).toBe(sha256('edited'));
    expect(read()).toEqual(expect.arrayContaining(['pulled.bin']));
  });

  it('drops index rows of files that disappeared, and keeps workspaces apart', async () => {
    writeTree(root, { 'a.txt': 'a', 'gone/b.txt': 'b' });
    age(root);
    await scanner('one').scan();
    await scanner('two').scan();
    rmSync(path.join(root, 'gone'), { recursive: true });
    const result = await scanner('one').scan();
    expect([...result.entries.keys()]).toEqual(['FileSystem:/a.txt']);
    expect(indexRows('one').map((r) => r.uri)).toEqual(['FileSystem:/a.txt']);
    expect(indexRows('two').map((r) => r.uri)).toEqual(['FileSystem:/a.txt', 'FileSystem:/gone/b.txt']);
  });

  it('walks deep trees without recursion', async () => {
    const deep = Array.from({ length: 300 }, () => 'd').join('/');
    writeTree(root, { [`${deep}/leaf.txt`]: 'leaf' });
    const result = await scanner().scan();
    expect(result.entries.get(`FileSystem:/${deep}/leaf.txt`)?.hash).toBe(sha256('leaf'));
    expect(result.stats.directories).toBe(300);
  });

  it('stops on abort with the signal reason, keeping what it hashed', async () => {
    writeTree(root, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    age(root);
    const controller = new AbortController();
    hashing.before = () => controller.abort(new Error('stop'));
    await expect(new WorkspaceScanner({ root, db, workspaceKey: 'ws', hashConcurrency: 1 }).scan({ signal: controller.signal })).rejects.toThrow('stop');
    expect(indexRows()).toEqual([{ uri: 'FileSystem:/a.txt', hash: sha256('a') }]);
    await expect(scanner().scan({ signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('reports progress, ending with the number of files', async () => {
    writeTree(root, { 'a.txt': 'a', 'b/c.txt': 'c' });
    const seen: number[] = [];
    await scanner().scan({ onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(2);
  });

  it('refuses a relative root and fails on a missing one', async () => {
    expect(() => new WorkspaceScanner({ root: 'relative/path', db, workspaceKey: 'ws' })).toThrow('absolute');
    await expect(new WorkspaceScanner({ root: path.join(root, 'missing'), db, workspaceKey: 'ws' }).scan()).rejects.toThrow();
  });
});

describe('ignore rules', () => {
  it('ignores the Unreal folders anywhere, listing their contents as the documented states do', async () => {
    writeTree(root, {
      'Saved/Settings.ini': 's',
      'Saved/Logs/x.log': 'l',
      'Game/Intermediate/obj.o': 'o',
      'DerivedDataCache/ddc.bin': 'd',
      'Content/Map.umap': 'm',
      'Content/Saved': 'a file named Saved is not the folder',
    });
    const result = await scanner().scan();
    expect(result.ignored).toEqual([
      'FileSystem:/DerivedDataCache',
      'FileSystem:/DerivedDataCache/ddc.bin',
      'FileSystem:/Game/Intermediate',
      'FileSystem:/Game/Intermediate/obj.o',
      'FileSystem:/Saved',
      'FileSystem:/Saved/Logs',
      'FileSystem:/Saved/Logs/x.log',
      'FileSystem:/Saved/Settings.ini',
    ]);
    expect([...result.entries.keys()].sort()).toEqual(['FileSystem:/Content', 'FileSystem:/Content/Map.umap', 'FileSystem:/Content/Saved', 'FileSystem:/Game']);
    expect(read()).toEqual(['Content/Map.umap', 'Content/Saved']);
  });

  it('applies .pxignore with negation, re-reads it every scan, and syncs it as an asset', async () => {
    writeTree(root, {
      '.pxignore': '*.log\n!keep.log\nbuild/\n!Saved/\n',
      'a.log': 'a',
      'keep.log': 'k',
      'build/out.bin': 'o',
      'Saved/Settings.ini': 's',
      'src/b.log': 'b',
    });
    const s = scanner();
    const first = await s.scan();
    expect(first.ignored).toEqual(['FileSystem:/a.log', 'FileSystem:/build', 'FileSystem:/build/out.bin', 'FileSystem:/src/b.log']);
    expect([...first.entries.keys()].sort()).toEqual([
      'FileSystem:/.pxignore', 'FileSystem:/Saved', 'FileSystem:/Saved/Settings.ini', 'FileSystem:/keep.log', 'FileSystem:/src',
    ]);

    writeFileSync(path.join(root, '.pxignore'), 'src/\n');
    const second = await s.scan();
    expect(second.ignored).toEqual([
      'FileSystem:/Saved', 'FileSystem:/Saved/Settings.ini', 'FileSystem:/src', 'FileSystem:/src/b.log',
    ]);
    expect(second.entries.has('FileSystem:/a.log')).toBe(true);
    expect(second.entries.has('FileSystem:/build/out.bin')).toBe(true);
  });

  it('caps the ignored list at 5,000 entries', async () => {
    mkdirSync(path.join(root, 'Saved'));
    for (let i = 0; i < 5_100; i++) writeFileSync(path.join(root, 'Saved', `f${i}`), '');
    writeTree(root, { 'Intermediate/x': 'x' });
    const result = await scanner().scan();
    expect(result.ignored).toHaveLength(5_000);
    expect(result.entries.size).toBe(0);
  });

  it('never shows the client’s own files: .assethub/ at the root and *.assethub-tmp anywhere', async () => {
    writeTree(root, {
      '.assethub/state.db': 'x',
      '.assethub/tmp/y': 'y',
      'a.txt.assethub-tmp': 't',
      'dir/b.assethub-tmp': 't',
      'dir/c.txt': 'c',
      'dir.assethub-tmp/inner.txt': 't',
      'Saved/d.assethub-tmp': 't',
    });
    age(root);
    const result = await scanner().scan();
    const everything = [...result.entries.keys(), ...result.ignored, ...result.skipped, ...indexRows().map((r) => String(r.uri))];
    expect(everything.filter((u) => u.includes('assethub'))).toEqual([]);
    expect([...result.entries.keys()].sort()).toEqual(['FileSystem:/dir', 'FileSystem:/dir/c.txt']);
    expect(result.ignored).toEqual(['FileSystem:/Saved']);
    expect(read()).toEqual(['dir/c.txt']);
  });

  it('syncs a nested folder named .assethub: only the root one is the client’s', async () => {
    writeTree(root, { 'sub/.assethub/x': 'x' });
    const result = await scanner().scan();
    expect(result.entries.has('FileSystem:/sub/.assethub/x')).toBe(true);
  });

  it('reports non-portable names as ignored and does not walk into them', async () => {
    writeTree(root, { 'bad:name.txt': 'x', 'trailing./inside.txt': 'y', 'back\\slash': 'z', 'ok.txt': 'ok' });
    const result = await scanner().scan();
    expect(result.ignored).toEqual(['FileSystem:/back\\slash', 'FileSystem:/bad:name.txt', 'FileSystem:/trailing.', 'FileSystem:/trailing./inside.txt']);
    expect([...result.entries.keys()]).toEqual(['FileSystem:/ok.txt']);
  });
});

describe('symlinks and a changing tree', () => {
  it('reports symlinks as ignored and never follows them, even out of the workspace', async () => {
    writeTree(outside, { 'secret.txt': 'secret', 'nested/deeper.txt': 'deeper' });
    writeTree(root, { 'real.txt': 'real', 'dir/x.txt': 'x' });
    symlinkSync(outside, path.join(root, 'out-dir'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'dir/out-file'));
    symlinkSync(path.join(root, 'real.txt'), path.join(root, 'inside-link'));
    symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling'));
    writeFileSync(path.join(root, '.pxignore'), '!*\n');
    symlinkSync(outside, path.join(root, 'Saved')); // an "ignored folder" that is a link: not listed into either
    const result = await scanner().scan();
    expect(result.ignored).toEqual([
      'FileSystem:/Saved', 'FileSystem:/dangling', 'FileSystem:/dir/out-file', 'FileSystem:/inside-link', 'FileSystem:/out-dir',
    ]);
    expect([...result.entries.keys()].sort()).toEqual(['FileSystem:/.pxignore', 'FileSystem:/dir', 'FileSystem:/dir/x.txt', 'FileSystem:/real.txt']);
    const leaked = [...result.entries.keys(), ...result.ignored].filter((u) => /secret|nested|deeper/.test(u));
    expect(leaked).toEqual([]);
    expect(hashing.files.every((f) => f.startsWith(root + path.sep))).toBe(true);
  });

  it('does not follow a .pxignore that is a symlink', async () => {
    writeTree(outside, { rules: 'a.txt\n' });
    writeTree(root, { 'a.txt': 'a' });
    symlinkSync(path.join(outside, 'rules'), path.join(root, '.pxignore'));
    const result = await scanner().scan();
    expect(result.entries.has('FileSystem:/a.txt')).toBe(true);
    expect(result.ignored).toEqual(['FileSystem:/.pxignore']);
  });

  it('does not throw when a file vanishes mid-scan; the file is simply absent', async () => {
    writeTree(root, { 'a.txt': 'a', 'vanishing.txt': 'v', 'z/gone-with-folder.txt': 'g' });
    hashing.before = (file) => {
      if (file.endsWith('vanishing.txt')) unlinkSync(file);
      if (file.endsWith('gone-with-folder.txt')) rmSync(path.join(root, 'z'), { recursive: true });
    };
    const result = await scanner().scan();
    expect([...result.entries.keys()].sort()).toEqual(['FileSystem:/a.txt', 'FileSystem:/z']);
    expect(result.skipped).toEqual([]);
  });

  it('skips, without throwing, a file it cannot read, and keeps its index row', async () => {
    writeTree(root, { 'a.txt': 'a', 'locked.txt': 'l' });
    age(root);
    const s = scanner();
    await s.scan();
    writeFileSync(path.join(root, 'locked.txt'), 'L');
    age(root, 30);
    hashing.before = (file) => {
      if (file.endsWith('locked.txt')) throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
    };
    const result = await s.scan();
    expect(result.skipped).toEqual(['FileSystem:/locked.txt']);
    expect(result.entries.has('FileSystem:/locked.txt')).toBe(false);
    expect(indexRows().map((r) => r.uri)).toEqual(['FileSystem:/a.txt', 'FileSystem:/locked.txt']);
    hashing.before = undefined;
    const later = await s.scan();
    expect(later.entries.get('FileSystem:/locked.txt')?.hash).toBe(sha256('L'));
  });

  it('skips a file replaced by something else between the walk and the read', async () => {
    writeTree(outside, { 'secret.txt': 'secret' });
    writeTree(root, { 'swap.txt': 'x' });
    hashing.before = (file) => {
      unlinkSync(file);
      symlinkSync(path.join(outside, 'secret.txt'), file);
    };
    const result = await scanner().scan();
    expect(result.entries.has('FileSystem:/swap.txt')).toBe(false);
    expect(result.skipped).toEqual(['FileSystem:/swap.txt']);
  });
});
