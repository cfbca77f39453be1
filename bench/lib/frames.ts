/** The frames the codec and engine benchmarks measure: a small client State Update and a 10,000-entry AssetInfo. */
import { encodeKey, envelope, type Envelope } from '../../shared/protocol/index.ts';

export const BENCH_CLIENT = 'STAGE-A-AssetHubClient';
const workspace = '/srv/Synced Storage/Projects/Project.Alpha';
const wireKey = encodeKey(workspace);

export const smallUpdate: Envelope = envelope<'Update'>(
  { Type: 'Update', Target: 'BROADCAST', Source: BENCH_CLIENT, Name: 'State' },
  { Value: { Workspaces: { [wireKey]: { AutoPull: true } } } },
);

const changes = Array.from({ length: 10_000 }, (_, i) => ({
  Type: i % 3 === 0 ? 'Delete' : 'PutFile',
  URI: `FileSystem:/Content/Textures/T_Asset_${i.toString().padStart(5, '0')}.uasset`,
  ...(i % 3 === 0 ? {} : { New: i % 2 === 0 }),
}));

export const largeAssetInfoUpdate: Envelope = envelope<'Update'>(
  { Type: 'Update', Target: 'BROADCAST', Source: BENCH_CLIENT, Name: 'AssetInfo' },
  {
    Value: {
      Workspaces: {
        [wireKey]: { Name: workspace, Scan: false, IgnoredURIs: [], LocalChanges: changes, RemoteChanges: [], ConflictURIs: [], Claims: [] },
      },
    },
  },
);
