/** The Conflicts view's rows: each workspace with conflicts, both sides of each conflicting URI, and words for them. */
import type { TAssetChange } from '../../../../shared/assethub/states.ts';
import { own } from '../../../../shared/dict.ts';
import { clientEntries, clientOf } from '../../lib/selectors.ts';
import { workspaceIdentity, type WorkspaceIdentity } from '../../lib/workspace.ts';
import type { PanelData } from '../../store/panel.ts';

export interface ConflictWorkspace extends WorkspaceIdentity {
  uris: string[];
  local: Map<string, TAssetChange>;
  remote: Map<string, TAssetChange>;
}

export function conflictWorkspaces(data: PanelData | null, machines: readonly string[]): ConflictWorkspace[] {
  const out: ConflictWorkspace[] = [];
  for (const entry of clientEntries(data, machines)) {
    const client = clientOf(data, entry.name);
    for (const [name, assets] of Object.entries(client.AssetInfo?.Workspaces ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      if (assets.ConflictURIs.length === 0) continue;
      const wanted = new Set(assets.ConflictURIs);
      // Only the conflicting URIs are indexed: LocalChanges may hold 100,000 entries.
      const pick = (changes: TAssetChange[]) => new Map(changes.filter((c) => wanted.has(c.URI)).map((c) => [c.URI, c]));
      const p = own(client.PersistentState?.Workspaces, name);
      out.push({
        ...workspaceIdentity(entry, name, p),
        uris: assets.ConflictURIs,
        local: pick(assets.LocalChanges),
        remote: pick(assets.RemoteChanges),
      });
    }
  }
  return out;
}

export function describeChange(change: TAssetChange | undefined, side: 'local' | 'remote'): string {
  if (!change) return side === 'local' ? 'changed on this machine' : 'a different version is on the server';
  if (change.Type === 'Delete') return side === 'local' ? 'deleted here' : 'deleted on the server';
  const what = change.Type === 'PutDirectory' ? 'folder' : 'file';
  if (change.New) return side === 'local' ? `new ${what} here` : `new ${what} on the server`;
  return side === 'local' ? `${what} edited here` : `${what} changed on the server`;
}
