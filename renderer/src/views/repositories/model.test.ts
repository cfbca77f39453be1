import { describe, expect, it } from 'vitest';
import { NO_HOST_INFO, type Snapshot } from '../../../../shared/panel/api.ts';
import { fromSnapshot } from '../../store/panel.ts';
import { machinesAtCommits } from './model.ts';

describe('machinesAtCommits', () => {
  it('lists per commit the machines whose workspace of that repository and branch stands there', () => {
    const entry = (name: string) => ({ name, kind: 'client', machine: null, online: true, lastSeen: 1, version: '1', startedAt: null, error: null, offer: null });
    const ws = (Name: string, Repository: string, Branch: string, Commit: string | null) => ({ Name, DisplayPath: Name, Repository, Branch, Commit, Commits: [] });
    const data = fromSnapshot({
      connection: { state: 'connected', hubUrl: 'ws://127.0.0.1:1', panelName: 'P', since: 1 },
      host: NO_HOST_INFO,
      services: [entry('STAGE-A-AssetHubClient'), entry('STAGE-B-AssetHubClient')],
      states: {
        'STAGE-A-AssetHubClient': { PersistentState: { Workspaces: { a1: ws('a1', 'R', 'Main', 'c2'), a2: ws('a2', 'R', 'Other', 'c2') } } },
        'STAGE-B-AssetHubClient': { PersistentState: { Workspaces: { b1: ws('b1', 'R', 'Main', 'c2'), b2: ws('b2', 'R', 'Main', null) } } },
      },
      operations: [],
      seq: 1,
    } as Snapshot);
    expect([...machinesAtCommits(data, 'R', 'Main')]).toEqual([['c2', [{ machine: 'STAGE-A', workspace: 'a1' }, { machine: 'STAGE-B', workspace: 'b1' }]]]);
    expect(machinesAtCommits(data, 'R', 'Nope').size).toBe(0);
  });
});
