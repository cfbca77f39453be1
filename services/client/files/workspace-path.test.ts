import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkWorkspacePath, workspacePathProblem, workspaceRules, type WorkspacePathRules } from './workspace-path.ts';

describe('workspacePathProblem (POSIX)', () => {
  const rules: WorkspacePathRules = { roots: ['/srv/storage', '/srv/storage/Projects', '/mnt/show'], home: '/home/op', path: path.posix };
  const check = (requested: string, real = requested) => workspacePathProblem(requested, real, rules);

  it.each(['/srv/storage/Projects/Alpha', '/srv/storage/Common', '/mnt/show', '/mnt/show/stage 1'])('accepts %j', (requested) => {
    expect(check(requested)).toBeNull();
  });

  it.each([
    ['/', /filesystem root/],
    ['/home/op', /is or contains the home folder/],
    ['/home', /is or contains the home folder/],
    ['/home/someone', /is a home folder/],
    ['/etc', /outside the synced storage and the allowed roots/],
    ['/srv', /outside/],
    ['/srv/storage-evil/x', /outside/],
    ['/srv/storage/../../etc', /contains "\.\."/],
    ['/srv/storage/Projects/..', /contains "\.\."/],
    ['/srv/storage/a\0b', /NUL/],
    ['srv/storage/x', /must be absolute/],
    ['', /must be absolute/],
    ['/srv/storage//x', /normalised \(\/srv\/storage\/x\)/],
    ['/srv/storage/x/', /normalised/],
    ['/srv/storage/./x', /normalised/],
  ])('refuses %j', (requested, rule) => {
    expect(check(requested)).toMatch(rule);
  });

  it('judges the real path too: a link inside storage that leads to /, home or elsewhere is refused', () => {
    expect(check('/srv/storage/link', '/')).toMatch(/^\/ is a filesystem root/);
    expect(check('/srv/storage/link/ws', '/home/op')).toMatch(/home folder/);
    expect(check('/srv/storage/link/ws', '/etc/ws')).toMatch(/\/srv\/storage\/link\/ws \(really \/etc\/ws\) is outside/);
    expect(check('/srv/storage/link/ws', '/mnt/show/ws')).toBeNull();
  });

  it('without allowed roots, only the synced storage is open', () => {
    expect(workspacePathProblem('/mnt/show/x', '/mnt/show/x', { ...rules, roots: ['/srv/storage'] })).toMatch(/outside/);
  });

  it('a home folder at the top (/root) does not make every top folder a home folder', () => {
    expect(workspacePathProblem('/mnt/show', '/mnt/show', { ...rules, home: '/root' })).toBeNull();
    expect(workspacePathProblem('/root', '/root', { ...rules, roots: ['/'], home: '/root' })).toMatch(/home folder/);
  });
});

describe('workspacePathProblem (Windows)', () => {
  const rules: WorkspacePathRules = { roots: ['C:\\Synced Storage', 'D:\\Shows'], home: 'C:\\Users\\op', path: path.win32 };
  const check = (requested: string) => workspacePathProblem(requested, requested, rules);

  it.each(['C:\\Synced Storage\\Projects\\Alpha', 'c:\\synced storage\\Common', 'D:\\Shows\\Gala'])('accepts %j', (requested) => {
    expect(check(requested)).toBeNull();
  });

  it.each([
    ['C:\\', /filesystem root/],
    ['D:\\', /filesystem root/],
    ['C:\\Users\\op', /home folder/],
    ['C:\\Users', /home folder/],
    ['C:\\Users\\Public', /is a home folder/],
    ['C:\\Windows\\System32', /outside/],
    ['E:\\Synced Storage\\x', /outside/],
    ['C:Synced Storage\\x', /must be absolute/],
    ['\\Synced Storage\\x', /must be absolute/],
    ['\\\\?\\C:\\Synced Storage\\x', /device path/],
    ['\\\\.\\PhysicalDrive0', /device path/],
    ['C:\\Synced Storage\\..\\Windows', /contains "\.\."/],
    ['C:\\Synced Storage\\x\\..', /contains "\.\."/],
    ['C:/Synced Storage/x', /normalised/],
    ['C:\\Synced Storage\\x:stream', /data stream or another drive/],
    ['C:\\Synced Storage\\D:\\x', /data stream or another drive/],
  ])('refuses %j', (requested, rule) => {
    expect(check(requested)).toMatch(rule);
  });
});

describe('checkWorkspacePath on disk', () => {
  let dir = '';
  let storage = '';
  let rules: WorkspacePathRules;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'workspace-path-'));
    storage = path.join(dir, 'Synced Storage');
    await mkdir(path.join(storage, 'Projects'), { recursive: true });
    await mkdir(path.join(dir, 'outside'));
    rules = await workspaceRules([storage, path.join(storage, 'Projects'), path.join(dir, 'allowed')]);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a new or existing folder inside synced storage or an allowed root (which need not exist yet)', async () => {
    for (const ok of [path.join(storage, 'Projects', 'New', 'Deeper'), path.join(storage, 'Projects'), path.join(dir, 'allowed', 'Show')]) {
      expect(await checkWorkspacePath(ok, rules)).toEqual({ ok: true, value: ok });
    }
  });

  it('refuses a symlink inside synced storage that leads to /, to the home folder or outside, and one that leads nowhere', async () => {
    await symlink('/', path.join(storage, 'Projects', 'to-root'));
    await symlink(os.homedir(), path.join(storage, 'Projects', 'to-home'));
    await symlink(path.join(dir, 'outside'), path.join(storage, 'Projects', 'to-outside'));
    await symlink(path.join(dir, 'nowhere'), path.join(storage, 'Projects', 'dangling'));
    expect(await checkWorkspacePath(path.join(storage, 'Projects', 'to-root'), rules)).toMatchObject({ ok: false, error: expect.stringMatching(/^\/ is a filesystem root/) });
    expect(await checkWorkspacePath(path.join(storage, 'Projects', 'to-root', 'etc', 'new'), rules)).toMatchObject({ ok: false, error: expect.stringMatching(/really \/etc\/new\) is outside/) });
    expect(await checkWorkspacePath(path.join(storage, 'Projects', 'to-home', 'ws'), rules)).toMatchObject({ ok: false });
    expect(await checkWorkspacePath(path.join(storage, 'Projects', 'to-outside', 'ws'), rules)).toMatchObject({ ok: false, error: expect.stringMatching(/outside/) });
    expect(await checkWorkspacePath(path.join(storage, 'Projects', 'dangling', 'ws'), rules)).toMatchObject({ ok: false, error: expect.stringMatching(/leads nowhere/) });
  });

  it('refuses /, the home folder and a folder outside, with no allowed root configured', async () => {
    const bare = await workspaceRules([storage]);
    expect(await checkWorkspacePath('/', bare)).toMatchObject({ ok: false, error: expect.stringMatching(/filesystem root/) });
    expect(await checkWorkspacePath(os.homedir(), bare)).toMatchObject({ ok: false, error: expect.stringMatching(/home folder/) });
    expect(await checkWorkspacePath(path.join(dir, 'outside'), bare)).toMatchObject({ ok: false, error: expect.stringMatching(/outside/) });
    expect(await checkWorkspacePath(path.join(dir, 'allowed', 'Show'), bare)).toMatchObject({ ok: false, error: expect.stringMatching(/outside/) });
  });
});
