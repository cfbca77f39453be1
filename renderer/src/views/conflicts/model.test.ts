import { describe, expect, it } from 'vitest';
import { NO_HOST_INFO, type Snapshot } from '../../../../shared/panel/api.ts';
import { fromSnapshot } from '../../store/panel.ts';
import { conflictWorkspaces, describeChange } from './model.ts';

const client = 'STAGE-B-AssetHubClient';
const ws = 'C:\\Synced\\Projects\\Show';
const data = (conflicts: string[]) => fromSnapshot({
  connection: { state: 'connected', hubUrl: 'ws://127.0.0.1:1', panelName: 'P', since: 1 },
  host: NO_HOST_INFO,
  services: [{ name: client, kind: 'client', machine: 'STAGE-B', online: true, lastSeen: 1, version: '1', startedAt: null, error: null, offer: null }],
  states: {
    [client]: {
      PersistentState: { Workspaces: { [ws]: { Name: ws, DisplayPath: '%SYNCED_STORAGE%/Projects/Show', Repository: 'R', Branch: 'Main', Commit: 'c1', Commits: [] } } },
      AssetInfo: {
        Workspaces: {
          [ws]: {
            Name: ws, Scan: false, IgnoredURIs: [], Claims: [], ConflictURIs: conflicts,
            LocalChanges: [{ Type: 'PutFile', URI: 'FileSystem:/a.png' }, { Type: 'PutFile', URI: 'FileSystem:/other.png' }],
            RemoteChanges: [{ Type: 'Delete', URI: 'FileSystem:/a.png' }],
          },
        },
      },
    },
  },
  operations: [],
  seq: 1,
} as Snapshot);

describe('conflictWorkspaces', () => {
  it('lists a workspace with conflicts, both sides of each conflicting URI only, and its path in its own separators', () => {
    const [row, ...rest] = conflictWorkspaces(data(['FileSystem:/a.png']), []);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ machine: 'STAGE-B', displayPath: '%SYNCED_STORAGE%\\Projects\\Show', repository: 'R', branch: 'Main', uris: ['FileSystem:/a.png'] });
    expect([...(row?.local.keys() ?? [])]).toEqual(['FileSystem:/a.png']);
    expect(row?.remote.get('FileSystem:/a.png')?.Type).toBe('Delete');
  });
  it('leaves out workspaces without conflicts, and machines not chosen', () => {
    expect(conflictWorkspaces(data([]), [])).toEqual([]);
    expect(conflictWorkspaces(data(['FileSystem:/a.png']), ['STAGE-A'])).toEqual([]);
  });
});

describe('describeChange', () => {
  it('says what happened on each side', () => {
    expect(describeChange({ Type: 'Delete', URI: 'x' }, 'remote')).toBe('deleted on the server');
    expect(describeChange({ Type: 'PutFile', URI: 'x', New: true }, 'local')).toBe('new file here');
    expect(describeChange(undefined, 'local')).toBe('changed on this machine');
  });
});
