import { randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  UnsafePathError, ensureDirectory, materializeFile, removeAsset, resolveInWorkspace, workspaceTempDir, writeFileAtomically,
} from './index.ts';
import { isInside } from './paths.ts';
import { makeSandbox, snapshot, startStoreServer, type StoreServer, type StoredFile } from './testing/store-server.ts';

let server: StoreServer;
let file: StoredFile;
beforeAll(async () => {
  server = await startStoreServer();
  file = await server.putFile(randomBytes(5000), [2000, 3000]);
});
afterAll(async () => {
  await server?.close();
});

let sandbox: Awaited<ReturnType<typeof makeSandbox>>;
beforeEach(async () => {
  sandbox = await makeSandbox();
  server.requests.length = 0;
});
afterEach(async () => {
  await sandbox.cleanup();
});

const materialize = (uri: string) => materializeFile({
  root: sandbox.ws, uri, size: file.size, hash: file.hash, chunks: file.chunks, storageUrl: server.url, token: server.token,
});

/** Every way this module writes or deletes, for one URI. */
const writers: Array<[string, (uri: string) => Promise<unknown>]> = [
  ['materializeFile', materialize],
  ['writeFileAtomically', (uri) => writeFileAtomically(sandbox.ws, uri, Readable.from([Buffer.from('evil')]))],
  ['ensureDirectory', (uri) => ensureDirectory(sandbox.ws, uri)],
  ['removeAsset file', (uri) => removeAsset(sandbox.ws, uri, 'file')],
  ['removeAsset directory', (uri) => removeAsset(sandbox.ws, uri, 'directory')],
];

/** Asserts that every writer refuses `uri` with UnsafePathError and that nothing changed anywhere in the sandbox. */
async function expectRefusedEverywhere(uri: string): Promise<void> {
  const before = await snapshot(sandbox.base);
  for (const [name, write] of writers) {
    await expect(write(uri), `${name} ${JSON.stringify(uri)}`).rejects.toBeInstanceOf(UnsafePathError);
  }
  expect(await snapshot(sandbox.base)).toEqual(before);
  expect(server.requests).toEqual([]);
}

describe('resolveInWorkspace', () => {
  it('maps a URI to the path under the workspace', async () => {
    expect(await resolveInWorkspace(sandbox.ws, 'FileSystem:/Textures/sky.png')).toEqual({ ok: true, value: path.join(sandbox.ws, 'Textures', 'sky.png') });
    expect(await resolveInWorkspace(sandbox.ws, 'FileSystem:/.hidden/x')).toMatchObject({ ok: true });
  });

  it.each([
    'FileSystem:/../x', 'FileSystem:/a/../../x', 'FileSystem:/a/./b', 'FileSystem://etc/passwd', 'FileSystem:/C:/Windows/x',
    'FileSystem:/c:x', 'FileSystem:/a\\..\\..\\x', 'FileSystem:/a\u0000b', 'FileSystem:/a//b', 'FileSystem:/', 'file:///etc/passwd',
    '/etc/passwd', '../x', 'FileSystem:/.assethub/partial/x', 'FileSystem:/.AssetHub/tmp',
  ])('refuses %j without writing or deleting anything anywhere', async (uri) => {
    const resolved = await resolveInWorkspace(sandbox.ws, uri);
    expect(resolved.ok).toBe(false);
    await expectRefusedEverywhere(uri);
  });

  it('refuses a path through a symlink that leads outside the workspace', async () => {
    await symlink(sandbox.outside, path.join(sandbox.ws, 'link'));
    expect(await resolveInWorkspace(sandbox.ws, 'FileSystem:/link/evil.txt')).toMatchObject({ ok: false });
    expect(await resolveInWorkspace(sandbox.ws, 'FileSystem:/link/deeper/evil.txt')).toMatchObject({ ok: false });
    await expectRefusedEverywhere('FileSystem:/link/evil.txt');
    await expectRefusedEverywhere('FileSystem:/link/keep.txt'); // an existing file out there is not removed either
    await expectRefusedEverywhere('FileSystem:/link/new/evil.txt');
  });

  it('refuses a path through a chain of symlinks and through a dangling one', async () => {
    await mkdir(path.join(sandbox.ws, 'real'));
    await symlink(sandbox.outside, path.join(sandbox.ws, 'real', 'out'));
    await symlink(path.join(sandbox.ws, 'real'), path.join(sandbox.ws, 'hop'));
    await expectRefusedEverywhere('FileSystem:/hop/out/evil.txt');
    await symlink(path.join(sandbox.base, 'nowhere'), path.join(sandbox.ws, 'dangling'));
    await expectRefusedEverywhere('FileSystem:/dangling/evil.txt');
  });

  it('refuses a target that is itself a symlink, wherever it points', async () => {
    await symlink(path.join(sandbox.outside, 'keep.txt'), path.join(sandbox.ws, 'out-file'));
    await symlink(path.join(sandbox.outside, 'new.txt'), path.join(sandbox.ws, 'out-dangling'));
    await writeFile(path.join(sandbox.ws, 'real.txt'), 'real');
    await symlink(path.join(sandbox.ws, 'real.txt'), path.join(sandbox.ws, 'in-file'));
    await symlink(sandbox.outside, path.join(sandbox.ws, 'out-dir'));
    for (const name of ['out-file', 'out-dangling', 'in-file', 'out-dir']) {
      expect(await resolveInWorkspace(sandbox.ws, `FileSystem:/${name}`)).toMatchObject({ ok: false });
      await expectRefusedEverywhere(`FileSystem:/${name}`);
    }
  });

  it('accepts a path through a symlink that stays inside, but nothing writes through it', async () => {
    await mkdir(path.join(sandbox.ws, 'real'));
    await symlink(path.join(sandbox.ws, 'real'), path.join(sandbox.ws, 'alias'));
    expect(await resolveInWorkspace(sandbox.ws, 'FileSystem:/alias/x.txt')).toEqual({ ok: true, value: path.join(sandbox.ws, 'alias', 'x.txt') });
    await expectRefusedEverywhere('FileSystem:/alias/x.txt');
  });

  it('works when the workspace path itself goes through a symlink', async () => {
    await symlink(sandbox.ws, path.join(sandbox.base, 'ws-link'));
    const root = path.join(sandbox.base, 'ws-link');
    expect(await resolveInWorkspace(root, 'FileSystem:/a/b.txt')).toEqual({ ok: true, value: path.join(root, 'a', 'b.txt') });
    await materializeFile({ root, uri: 'FileSystem:/a/b.txt', size: file.size, hash: file.hash, chunks: file.chunks, storageUrl: server.url, token: server.token });
    expect((await stat(path.join(sandbox.ws, 'a', 'b.txt'))).size).toBe(file.size);
  });

  it('refuses everything when the workspace folder does not exist', async () => {
    expect(await resolveInWorkspace(path.join(sandbox.base, 'missing'), 'FileSystem:/a.txt')).toMatchObject({ ok: false });
  });

  it('either refuses a random URI or returns a path inside the workspace that does not go through the symlink out', async () => {
    await symlink(sandbox.outside, path.join(sandbox.ws, 'out'));
    await mkdir(path.join(sandbox.ws, 'a'));
    const realWs = await realpath(sandbox.ws);
    const piece = fc.constantFrom('..', '.', '/', '\\', ':', '\u0000', 'a', 'b.txt', 'out', 'C:', '', ' ', '.assethub', '%2e%2e', '\u0085', 'é');
    const uri = fc.tuple(fc.constantFrom('FileSystem:/', 'FileSystem:', 'filesystem:/', ''), fc.array(piece, { maxLength: 8 }))
      .map(([scheme, pieces]) => scheme + pieces.join(''));
    await fc.assert(fc.asyncProperty(uri, async (candidate) => {
      const resolved = await resolveInWorkspace(sandbox.ws, candidate);
      if (!resolved.ok) return;
      const relative = path.relative(sandbox.ws, resolved.value);
      expect(relative !== '' && isInside(sandbox.ws, resolved.value)).toBe(true);
      expect(relative.split(path.sep)[0]).not.toBe('out');
      expect(relative.split(path.sep)[0]?.toLowerCase()).not.toBe('.assethub');
      // Whatever of it exists really lives inside the workspace.
      let existing = resolved.value;
      while (!(await stat(existing).then(() => true, () => false))) existing = path.dirname(existing);
      expect(isInside(realWs, await realpath(existing))).toBe(true);
    }), { numRuns: 500 });
    expect(await readdir(sandbox.outside)).toEqual(['keep.txt']);
  });
});

describe('workspaceTempDir', () => {
  it('creates <root>/.assethub/tmp on demand', async () => {
    const dir = await workspaceTempDir(sandbox.ws);
    expect(dir).toBe(path.join(sandbox.ws, '.assethub', 'tmp'));
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect(await workspaceTempDir(sandbox.ws)).toBe(dir);
  });

  it('refuses a private folder that is a symlink', async () => {
    await symlink(sandbox.outside, path.join(sandbox.ws, '.assethub'));
    await expect(workspaceTempDir(sandbox.ws)).rejects.toThrow(/symlink/);
    expect(await readdir(sandbox.outside)).toEqual(['keep.txt']);
  });
});
