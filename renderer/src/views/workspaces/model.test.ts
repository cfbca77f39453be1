import { describe, expect, it } from 'vitest';
import { NO_HOST_INFO, type Snapshot } from '../../../../shared/panel/api.ts';
import { fromSnapshot } from '../../store/panel.ts';
import { displayInPathStyle } from '../../lib/workspace.ts';
import { branchCommits, workspaceRows } from './model.ts';
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

describe('names from the wire that Object.prototype also has', () => {
  it('a workspace of repository "constructor" or named "toString" reads as unknown, not as a function (no crash)', () => {
    const client = 'STAGE-A-AssetHubClient';
    const wire = JSON.parse(JSON.stringify({
      connection: { state: 'connected', hubUrl: 'ws://127.0.0.1:1', panelName: 'P', since: 1 },
      host: NO_HOST_INFO,
      services: [{ name: client, kind: 'client', machine: 'STAGE-A', online: true, lastSeen: 1, version: '1', startedAt: null, error: null, offer: null }],
      states: {
        AssetHubServer: { State: { Repositories: {} }, PersistentState: { Repositories: {} } },
        [client]: {
          State: { Workspaces: {} },
          PersistentState: { Workspaces: { W: { Name: 'W', DisplayPath: 'W', Repository: 'constructor', Branch: 'Main', Commit: null, Commits: [] } } },
          WorkspaceInfo: { Workspaces: { toString: { Status: { Message: '' } } } },
          AssetInfo: { Workspaces: {} },
        },
      },
      operations: [],
      seq: 1,
    })) as Snapshot;
    const data = fromSnapshot(wire);
    expect(branchCommits(data, 'constructor', 'Main')).toBeNull();
    const rows = workspaceRows(data, []);
    expect(rows.map((r) => [r.workspace, r.repository, r.autoPull, r.assets])).toEqual([['W', 'constructor', null, null], ['toString', null, null, null]]);
  });
});
