import { describe, expect, it } from 'vitest';
import { NO_HOST_INFO, type Snapshot } from '../../../../shared/panel/api.ts';
import { fromSnapshot } from '../../store/panel.ts';
import { claimRows } from './model.ts';

describe('claimRows', () => {
  it('lists every claim by repository, branch and URI, searchable by its words', () => {
    const claim = (URI: string, Owner: string) => ({ URI, Owner, CreatedAt: '2026-12-07T00:00:00Z' });
    const data = fromSnapshot({
      connection: { state: 'connected', hubUrl: 'ws://127.0.0.1:1', panelName: 'P', since: 1 },
      host: NO_HOST_INFO,
      services: [],
      states: {
        AssetHubServer: {
          AssetInfo: {
            Repositories: {
              B: { Name: 'B', Branches: [{ Name: 'Main', Claims: [claim('FileSystem:/z.png', 'STAGE-A')] }] },
              A: { Name: 'A', Branches: [{ Name: 'Main', Claims: [claim('FileSystem:/y.png', 'STAGE-B'), claim('FileSystem:/x.png', 'STAGE-A')] }] },
            },
          },
        },
      },
      operations: [],
      seq: 1,
    } as Snapshot);
    const rows = claimRows(data);
    expect(rows.map((r) => [r.repository, r.uri, r.owner])).toEqual([['A', 'FileSystem:/x.png', 'STAGE-A'], ['A', 'FileSystem:/y.png', 'STAGE-B'], ['B', 'FileSystem:/z.png', 'STAGE-A']]);
    expect(rows[1]?.search).toContain('stage-b');
    expect(claimRows(null)).toEqual([]);
  });
});
