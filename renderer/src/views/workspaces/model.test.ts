import { describe, expect, it } from 'vitest';
import { displayInPathStyle } from './model.ts';
import { claimedElsewhere } from './dialogs.tsx';

describe('displayInPathStyle', () => {
  it('gives a Windows workspace one form of separators', () => {
    expect(displayInPathStyle('%SYNCED_STORAGE%/Projects\\Show', 'C:\\Users\\op\\Synced Storage\\Projects\\Show')).toBe('%SYNCED_STORAGE%\\Projects\\Show');
    expect(displayInPathStyle('%SYNCED_STORAGE%/Projects/Show', 'C:/Users/op/Synced Storage/Projects/Show')).toBe('%SYNCED_STORAGE%\\Projects\\Show');
    expect(displayInPathStyle('\\\\nas/show', '\\\\nas\\show')).toBe('\\\\nas\\show');
  });

  it('leaves a POSIX display as it is: a backslash there is part of a name', () => {
    expect(displayInPathStyle('%SYNCED_STORAGE%/Projects/a\\b', '/home/op/Synced Storage/Projects/a\\b')).toBe('%SYNCED_STORAGE%/Projects/a\\b');
  });
});

describe('claimedElsewhere', () => {
  it('lists the pushed files another machine holds, not this machine\'s own claims or files not pushed', () => {
    const changes = [{ Type: 'PutFile' as const, URI: 'FileSystem:/a' }, { Type: 'Delete' as const, URI: 'FileSystem:/b' }];
    const claims = [
      { URI: 'FileSystem:/a', Owner: 'STAGE-B', CreatedAt: '' },
      { URI: 'FileSystem:/b', Owner: 'STAGE-A', CreatedAt: '' },
      { URI: 'FileSystem:/c', Owner: 'STAGE-B', CreatedAt: '' },
    ];
    expect(claimedElsewhere(changes, claims, 'STAGE-A').map((c) => c.URI)).toEqual(['FileSystem:/a']);
  });
});
