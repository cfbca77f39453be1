/** The server's four states (docs/PROTOCOL.md §4), built from the store and the clients it has heard from. */
import type { ServerStates, TClientSummary } from '../../shared/assethub/states.ts';
import { dict, dictFrom } from '../../shared/dict.ts';
import type { ServerStore } from './store.ts';

export function serverState(store: ServerStore): ServerStates['State'] {
  const Repositories = dict<ServerStates['State']['Repositories'][string]>();
  for (const repo of store.repositories()) Repositories[repo.name] = { AutoPull: repo.autoPull };
  return { Repositories };
}

export function serverWorkspaceInfo(clients: ReadonlyMap<string, TClientSummary>): ServerStates['WorkspaceInfo'] {
  const list = [...clients.values()];
  const syncing = list.filter((c) => c.Status.Activity === 'Sync');
  const Current = syncing.reduce((n, c) => n + c.Status.Current, 0);
  const Total = syncing.reduce((n, c) => n + c.Status.Total, 0);
  return {
    Status: {
      Incoming: list.some((c) => c.Status.Incoming),
      Outcoming: list.some((c) => c.Status.Outcoming),
      Activity: syncing.length > 0 ? 'Sync' : 'Idle',
      Stage: syncing.length > 0 ? 'InProgress' : 'Finalizing',
      Current,
      Total,
      Progress: Total > 0 ? Current / Total : 1,
    },
    Clients: dictFrom(list.map((c) => [c.Name, c] as const)),
  };
}

export function serverPersistentState(store: ServerStore): ServerStates['PersistentState'] {
  const Repositories = dict<ServerStates['PersistentState']['Repositories'][string]>();
  for (const repo of store.repositories()) {
    Repositories[repo.name] = {
      Name: repo.name,
      Branches: store.branches(repo.id).map((b) => ({ Name: b.name, Commits: store.commits(b.id) })),
    };
  }
  return { Repositories };
}

export function serverAssetInfo(store: ServerStore): ServerStates['AssetInfo'] {
  const Repositories = dict<ServerStates['AssetInfo']['Repositories'][string]>();
  for (const repo of store.repositories()) {
    Repositories[repo.name] = {
      Name: repo.name,
      Branches: store.branches(repo.id).map((b) => ({ Name: b.name, Claims: store.claims(repo.id, b.name) })),
    };
  }
  return { Repositories };
}

/** The value at a Name path, and a copy with one put in: shared/protocol/value-path.ts (linear in the path). */
export { valueAt, withValueAt } from '../../shared/protocol/value-path.ts';
