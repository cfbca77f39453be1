import { lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  IntegrityError, PathConflictError, UnsafePathError, cleanStaleTemp, ensureDirectory, removeAsset, workspaceTempDir, writeFileAtomically,
} from './index.ts';
import { makeSandbox, sha256, snapshot } from './testing/store-server.ts';

let sandbox: Awaited<ReturnType<typeof makeSandbox>>;
beforeEach(async () => {
  sandbox = await makeSandbox();
});
afterEach(async () => {
  await sandbox.cleanup();
});

const at = (...names: string[]) => path.join(sandbox.ws, ...names);
const exists = (file: string) => lstat(file).then(() => true, () => false);

describe('removeAsset', () => {
  it('unlinks a file; a missing one is no error', async () => {
    await mkdir(at('a'));
    await writeFile(at('a', 'x.txt'), 'x');
    expect(await removeAsset(sandbox.ws, 'FileSystem:/a/x.txt', 'file')).toEqual({ removed: true });
    expect(await exists(at('a', 'x.txt'))).toBe(false);
    expect(await removeAsset(sandbox.ws, 'FileSystem:/a/x.txt', 'file')).toEqual({ removed: true });
    expect(await removeAsset(sandbox.ws, 'FileSystem:/nowhere/x.txt', 'file')).toEqual({ removed: true });
  });

  it('removes an empty folder and leaves a non-empty one with what it holds', async () => {
    await mkdir(at('empty'));
    expect(await removeAsset(sandbox.ws, 'FileSystem:/empty', 'directory')).toEqual({ removed: true });
    expect(await exists(at('empty'))).toBe(false);
    await mkdir(at('full', 'sub'), { recursive: true });
    await writeFile(at('full', 'untracked.txt'), 'mine');
    expect(await removeAsset(sandbox.ws, 'FileSystem:/full', 'directory')).toEqual({ removed: false });
    expect(await readFile(at('full', 'untracked.txt'), 'utf8')).toBe('mine');
    expect(await removeAsset(sandbox.ws, 'FileSystem:/full/sub', 'directory')).toEqual({ removed: true });
    expect(await removeAsset(sandbox.ws, 'FileSystem:/gone', 'directory')).toEqual({ removed: true });
  });

  it('refuses the other kind: a folder is not unlinked as a file, a file not removed as a folder', async () => {
    await mkdir(at('dir'));
    await writeFile(at('file'), 'x');
    await expect(removeAsset(sandbox.ws, 'FileSystem:/dir', 'file')).rejects.toBeInstanceOf(PathConflictError);
    await expect(removeAsset(sandbox.ws, 'FileSystem:/file', 'directory')).rejects.toBeInstanceOf(PathConflictError);
    expect(await exists(at('dir'))).toBe(true);
    expect(await exists(at('file'))).toBe(true);
  });

  it('never follows a symlink: neither at the target nor on the way, even one pointing inside', async () => {
    await mkdir(at('real'));
    await writeFile(at('real', 'x.txt'), 'x');
    await symlink(at('real'), at('alias'));
    await symlink(sandbox.outside, at('out'));
    await symlink(at('real', 'x.txt'), at('x-link'));
    const before = await snapshot(sandbox.base);
    for (const [uri, kind] of [
      ['FileSystem:/alias/x.txt', 'file'], ['FileSystem:/out/keep.txt', 'file'], ['FileSystem:/out', 'directory'],
      ['FileSystem:/alias', 'directory'], ['FileSystem:/x-link', 'file'], ['FileSystem:/out', 'file'],
    ] as const) {
      await expect(removeAsset(sandbox.ws, uri, kind), uri).rejects.toBeInstanceOf(UnsafePathError);
    }
    expect(await snapshot(sandbox.base)).toEqual(before);
  });
});

describe('ensureDirectory', () => {
  it('creates missing folders and is idempotent', async () => {
    await ensureDirectory(sandbox.ws, 'FileSystem:/a/b/c');
    expect((await stat(at('a', 'b', 'c'))).isDirectory()).toBe(true);
    await ensureDirectory(sandbox.ws, 'FileSystem:/a/b/c');
    await ensureDirectory(sandbox.ws, 'FileSystem:/a');
    expect(await readdir(at('a', 'b', 'c'))).toEqual([]);
  });

  it('refuses a file on the way or at the end', async () => {
    await mkdir(at('a'));
    await writeFile(at('a', 'f'), 'x');
    await expect(ensureDirectory(sandbox.ws, 'FileSystem:/a/f/g')).rejects.toBeInstanceOf(PathConflictError);
    await expect(ensureDirectory(sandbox.ws, 'FileSystem:/a/f')).rejects.toBeInstanceOf(PathConflictError);
    expect(await readFile(at('a', 'f'), 'utf8')).toBe('x');
  });

  it('refuses a symlink on the way or at the end, creating nothing through it', async () => {
    await mkdir(at('real'));
    await symlink(at('real'), at('alias'));
    await symlink(sandbox.outside, at('out'));
    const before = await snapshot(sandbox.base);
    for (const uri of ['FileSystem:/alias/new', 'FileSystem:/alias', 'FileSystem:/out/new/deeper', 'FileSystem:/out']) {
      await expect(ensureDirectory(sandbox.ws, uri), uri).rejects.toBeInstanceOf(UnsafePathError);
    }
    expect(await snapshot(sandbox.base)).toEqual(before);
  });
});

describe('writeFileAtomically', () => {
  it('writes a stream into place, creating folders, and reports size and hash', async () => {
    const data = Buffer.from('kept copy');
    const result = await writeFileAtomically(sandbox.ws, 'FileSystem:/a/b.txt', Readable.from([data]), sha256(data));
    expect(result).toEqual({ path: at('a', 'b.txt'), size: data.length, hash: sha256(data) });
    expect(await readFile(at('a', 'b.txt'), 'utf8')).toBe('kept copy');
    expect(await readdir(await workspaceTempDir(sandbox.ws))).toEqual([]);
  });

  it('on a hash mismatch throws IntegrityError, leaves the old file and no temp file', async () => {
    await writeFile(at('b.txt'), 'old');
    const run = writeFileAtomically(sandbox.ws, 'FileSystem:/b.txt', Readable.from([Buffer.from('new')]), sha256(Buffer.from('other')));
    await expect(run).rejects.toBeInstanceOf(IntegrityError);
    expect(await readFile(at('b.txt'), 'utf8')).toBe('old');
    expect(await readdir(await workspaceTempDir(sandbox.ws))).toEqual([]);
  });

  it('on a failing source leaves the old file and no temp file', async () => {
    await writeFile(at('b.txt'), 'old');
    const failing = new Readable({ read() {
      this.push(Buffer.from('partial'));
      this.destroy(new Error('disk gone'));
    } });
    await expect(writeFileAtomically(sandbox.ws, 'FileSystem:/b.txt', failing)).rejects.toThrow('disk gone');
    expect(await readFile(at('b.txt'), 'utf8')).toBe('old');
    expect(await readdir(await workspaceTempDir(sandbox.ws))).toEqual([]);
  });

  it('refuses to replace a folder', async () => {
    await mkdir(at('dir'));
    await expect(writeFileAtomically(sandbox.ws, 'FileSystem:/dir', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(PathConflictError);
  });
});

describe('cleanStaleTemp', () => {
  it('empties .assethub/tmp, keeps partials and drops sidecars without a partial', async () => {
    const temp = await workspaceTempDir(sandbox.ws);
    await writeFile(path.join(temp, 'stale'), 'x');
    await mkdir(path.join(temp, 'dir'));
    await writeFile(path.join(temp, 'dir', 'y'), 'y');
    await symlink(sandbox.outside, path.join(temp, 'link-out'));
    const partials = at('.assethub', 'partial');
    await mkdir(partials);
    const [kept, orphan] = [sha256(Buffer.from('a')), sha256(Buffer.from('b'))];
    await writeFile(path.join(partials, kept), 'prefix');
    await writeFile(path.join(partials, `${kept}.json`), '{}');
    await writeFile(path.join(partials, `${orphan}.json`), '{}');

    expect(await cleanStaleTemp(sandbox.ws)).toBe(4);
    expect(await readdir(temp)).toEqual([]);
    expect((await readdir(partials)).sort()).toEqual([kept, `${kept}.json`].sort());
    expect(await readdir(sandbox.outside)).toEqual(['keep.txt']); // the link went, not what it points to
    expect(await cleanStaleTemp(sandbox.ws)).toBe(0);
  });
});
