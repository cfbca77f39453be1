/** The server's four states (seed 002), built from the store and the clients it has heard from. */
import type { ServerStates, TClientSummary } from '../../shared/assethub/states.ts';
import type { ServerStore } from './store.ts';

export function serverState(store: ServerStore): ServerStates['State'] {
  const Repositories: ServerStates['State']['Repositories'] = {};
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
    Clients: Object.fromEntries(list.map((c) => [c.Name, c])),
  };
}

export function serverPersistentState(store: ServerStore): ServerStates['PersistentState'] {
  const Repositories: ServerStates['PersistentState']['Repositories'] = {};
  for (const repo of store.repositories()) {
    Repositories[repo.name] = {
      Name: repo.name,
      Branches: store.branches(repo.id).map((b) => ({ Name: b.name, Commits: store.commits(b.id) })),
    };
  }
  return { Repositories };
}

export function serverAssetInfo(store: ServerStore): ServerStates['AssetInfo'] {
  const Repositories: ServerStates['AssetInfo']['Repositories'] = {};
  for (const repo of store.repositories()) {
    Repositories[repo.name] = {
      Name: repo.name,
      Branches: store.branches(repo.id).map((b) => ({ Name: b.name, Claims: store.claims(repo.id, b.name) })),
    };
  }
  return { Repositories };
}

/** The value at a path below a state, through objects only; undefined when absent. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A copy of `root` with `value` put at `path` (creating objects on the way). */
export function withValueAt(root: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string, ...string[]];
  const base = typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as Record<string, unknown>) : {};
  return { ...base, [key]: withValueAt(base[key], rest, value) };
}
