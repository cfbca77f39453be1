import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SYNCED_STORAGE, endsWithDotOrSpace, isNetworkOrDevicePath, isSyncedStorageName, isWindowsAbsolutePath, isWindowsDevicePath, isWithin,
  storageDisplayPath, storageFolders, windowsForbiddenCharacter,
} from './paths.ts';

describe('%SYNCED_STORAGE% repository names', () => {
  it('a repository name lives in the synced storage when it starts with the token', () => {
    expect(SYNCED_STORAGE).toBe('%SYNCED_STORAGE%');
    expect(isSyncedStorageName('%SYNCED_STORAGE%\\Projects\\Show')).toBe(true);
    expect(isSyncedStorageName('%SYNCED_STORAGE%')).toBe(true);
    expect(isSyncedStorageName('Projects\\Show')).toBe(false);
    expect(isSyncedStorageName('%synced_storage%\\Show')).toBe(false);
    expect(isSyncedStorageName(' %SYNCED_STORAGE%\\Show')).toBe(false);
  });

  it.each([
    ['%SYNCED_STORAGE%\\Projects\\Project Alpha', ['Projects', 'Project Alpha']],
    ['%SYNCED_STORAGE%/Projects/Show.2026', ['Projects', 'Show.2026']],
    ['%SYNCED_STORAGE%\\\\Mixed//seps\\/x\\', ['Mixed', 'seps', 'x']],
    ['%SYNCED_STORAGE%', []],
    ['%SYNCED_STORAGE%\\..\\x', ['..', 'x']],
    ['Plain\\Name', ['Plain', 'Name']],
    ['a%SYNCED_STORAGE%\\b', ['a%SYNCED_STORAGE%', 'b']],
  ])('the folders of %j are %j', (name, folders) => {
    expect(storageFolders(name)).toEqual(folders);
  });
});

describe('isWithin', () => {
  it.each([
    [path.posix, '/srv/storage', '/srv/storage', true],
    [path.posix, '/srv/storage', '/srv/storage/Projects/x', true],
    [path.posix, '/srv/storage', '/srv/storage-evil/x', false],
    [path.posix, '/srv/storage', '/srv', false],
    [path.posix, '/srv/storage', '/srv/storage/..x', true],
    [path.posix, '/srv/storage/a', '/srv/storage/b', false],
    [path.win32, 'C:\\Storage', 'c:\\storage\\Show', true],
    [path.win32, 'C:\\Storage', 'D:\\Storage\\Show', false],
    [path.win32, 'C:\\Storage', 'C:\\Storage2', false],
    [path.win32, 'C:\\Storage\\x', 'C:\\Storage', false],
  ] as const)('%#: %s within %s: %s', (p, parent, child, inside) => {
    expect(isWithin(p, parent, child)).toBe(inside);
  });
});

describe('storageDisplayPath', () => {
  it('below the synced storage: the token and the rest, with the platform separator', () => {
    expect(storageDisplayPath('/srv/storage/Projects/Show', '/srv/storage', path.posix)).toBe('%SYNCED_STORAGE%/Projects/Show');
    expect(storageDisplayPath('C:\\Synced\\Projects\\Show', 'C:\\Synced', path.win32)).toBe('%SYNCED_STORAGE%\\Projects\\Show');
    expect(storageDisplayPath('c:\\synced\\Show', 'C:\\Synced', path.win32)).toBe('%SYNCED_STORAGE%\\Show');
    expect(storageDisplayPath('/srv/storage/..x', '/srv/storage', path.posix)).toBe('/srv/storage/..x');
  });

  it('elsewhere, and the storage folder itself: the absolute path', () => {
    expect(storageDisplayPath('/mnt/show/ws', '/srv/storage', path.posix)).toBe('/mnt/show/ws');
    expect(storageDisplayPath('/srv/storage', '/srv/storage', path.posix)).toBe('/srv/storage');
    expect(storageDisplayPath('/srv/storage-evil', '/srv/storage', path.posix)).toBe('/srv/storage-evil');
    expect(storageDisplayPath('D:\\Shows\\Gala', 'C:\\Synced', path.win32)).toBe('D:\\Shows\\Gala');
  });
});

describe('Windows path forms', () => {
  it.each([
    ['\\\\?\\C:\\x', true, true, true],
    ['\\\\.\\PhysicalDrive0', true, true, true],
    ['//?/C:/x', true, true, true],
    ['\\\\host\\share', false, true, true],
    ['\\\\.host\\share', false, true, true],
    ['//host/share', false, true, true],
    ['\\\\\\x', false, true, false],
    ['C:\\Show', false, false, true],
    ['c:/Show', false, false, true],
    ['C:Show', false, false, false],
    ['\\Show', false, false, false],
    ['/srv/show', false, false, false],
    ['Show', false, false, false],
  ])('%j: device %s, network or device %s, absolute on Windows %s', (p, device, networkOrDevice, absolute) => {
    expect(isWindowsDevicePath(p)).toBe(device);
    expect(isNetworkOrDevicePath(p)).toBe(networkOrDevice);
    expect(isWindowsAbsolutePath(p)).toBe(absolute);
  });
});

describe('Windows names', () => {
  it('finds the first character Windows forbids', () => {
    for (const c of '<>:"|?*') expect(windowsForbiddenCharacter(`a${c}b`)).toBe(c);
    expect(windowsForbiddenCharacter('a\u0001b?')).toBe('\u0001');
    expect(windowsForbiddenCharacter('a\u001fb')).toBe('\u001f');
    expect(windowsForbiddenCharacter('Level 01 (final) [v2] #3 +é.umap')).toBeUndefined();
    expect(windowsForbiddenCharacter('a\u007fb')).toBeUndefined();
  });

  it('a trailing dot or space is dropped by Windows', () => {
    expect(['a.', 'a ', '..', '.', 'a. '].map(endsWithDotOrSpace)).toEqual([true, true, true, true, true]);
    expect(['a', '.hidden', 'a.b', ' a', 'a\t'].map(endsWithDotOrSpace)).toEqual([false, false, false, false, false]);
  });
});
