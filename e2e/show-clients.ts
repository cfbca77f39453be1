/**
 * A show's client machines for the e2e specs: each a real hub peer (services/lib/service-host.ts) under a client's
 * name, holding the four client states (validated with the project's own schemas, so the panel takes them), answering
 * Get and Identify, and a State Set the way services/client does: apply it and broadcast State, or refuse it (a Warning
 * Log and State re-broadcast unchanged, as ServiceHost does for a ServiceFailure). A `silent` machine takes a Set and
 * says nothing, like a client that hung. They are test peers using client names, not clients that sync anything.
 */
import { STATE_SCHEMAS, type ClientStates } from '../shared/assethub/states.ts';
import { ServiceHost } from '../services/lib/service-host.ts';
import { ServiceFailure } from '../services/lib/failure.ts';
import { silentLogger } from '../services/lib/log.ts';

export type Behaviour = 'confirm' | 'refuse' | 'silent';

export interface ShowMachine {
  machine: string;
  service: string;
  /** What it answers to a State Set. */
  behaviour: Behaviour;
  /** The machine's own Status: idle and up to date, syncing at a percent, or out of sync; or a conflict. */
  kind: 'uptodate' | 'syncing' | 'outofsync' | 'conflicts';
  /** Local changes in its first workspace (a few machines have thousands). */
  localChanges: number;
}

export const REPOSITORY = (w: number): string => `%SYNCED_STORAGE%\\Projects\\Show${w}`;
const workspaceName = (machine: string, w: number): string => `D:\\Synced Storage\\${machine}\\Projects\\Show${w}`;

const status = (kind: ShowMachine['kind'], progress: number) => ({
  Incoming: kind === 'outofsync',
  Outcoming: false,
  Activity: kind === 'syncing' ? ('Sync' as const) : ('Idle' as const),
  Stage: kind === 'syncing' ? ('InProgress' as const) : ('Initiating' as const),
  Current: kind === 'syncing' ? Math.round(progress * 1000) : 0,
  Total: kind === 'syncing' ? 1000 : 0,
  Progress: kind === 'syncing' ? progress : 0,
});

/** The four states of a machine with `perMachine` workspaces, parsed by the schemas the panel checks them with. */
export function machineStates(m: ShowMachine, perMachine: number, progress = 0.4): ClientStates {
  const names = Array.from({ length: perMachine }, (_, w) => workspaceName(m.machine, w));
  const map = <T>(f: (name: string, w: number) => T): Record<string, T> => Object.fromEntries(names.map((n, w) => [n, f(n, w)]));
  const wsStatus = (w: number) => ({ ...status(w === 0 ? m.kind === 'conflicts' ? 'uptodate' : m.kind : 'uptodate', progress), Activity: w === 0 && m.kind === 'syncing' ? ('Pull' as const) : ('Idle' as const), Attached: true, Auto: false, Message: '' });
  const raw = {
    State: { Workspaces: map(() => ({ AutoPull: false })) },
    WorkspaceInfo: { Status: status(m.kind === 'conflicts' ? 'uptodate' : m.kind, progress), Engine: { Running: false }, Workspaces: map((n, w) => ({ Name: n, Active: true, Status: wsStatus(w) })) },
    PersistentState: {
      SyncedStoragePath: 'D:\\Synced Storage',
      SyncedCommonPath: 'D:\\Synced Storage\\Common',
      SyncedProjectsPath: 'D:\\Synced Storage\\Projects',
      Workspaces: map((n, w) => ({ Name: n, AbsolutePath: n, DisplayPath: `${REPOSITORY(w)}`, Repository: REPOSITORY(w), Branch: 'Main', Commit: null, Commits: [] })),
    },
    AssetInfo: {
      Workspaces: map((n, w) => ({
        Name: n,
        Scan: false,
        IgnoredURIs: [],
        LocalChanges: Array.from({ length: w === 0 ? m.localChanges : 0 }, (_, i) => ({ Type: 'PutFile' as const, URI: `FileSystem:/Content/Local/Asset_${i}.uasset` })),
        RemoteChanges: [],
        ConflictURIs: w === 0 && m.kind === 'conflicts' ? ['FileSystem:/Content/Levels/Main.umap'] : [],
        Claims: [],
      })),
    },
  };
  const s = STATE_SCHEMAS.client;
  return { State: s.State.parse(raw.State), WorkspaceInfo: s.WorkspaceInfo.parse(raw.WorkspaceInfo), PersistentState: s.PersistentState.parse(raw.PersistentState), AssetInfo: s.AssetInfo.parse(raw.AssetInfo) };
}

export interface ShowClient {
  machine: ShowMachine;
  host: ServiceHost;
  states: ClientStates;
  /** Replaces WorkspaceInfo (a status tick; optionally syncing or out of sync now) and broadcasts it. */
  tick(progress: number, kind?: 'syncing' | 'outofsync'): void;
}

const valueAt = (value: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((v, key) => (typeof v === 'object' && v !== null && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined), value);

export async function startShowClient(hubUrl: string, m: ShowMachine, perMachine: number): Promise<ShowClient> {
  let states = machineStates(m, perMachine);
  const host: ServiceHost = new ServiceHost(
    {
      name: m.service,
      version: 'show-test',
      states: ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'],
      get: (path) => valueAt(states, path),
      set: (path, value) => {
        const [state, group, workspace, field] = path;
        if (state !== 'State' || group !== 'Workspaces' || workspace === undefined || field !== 'AutoPull' || typeof value !== 'boolean') {
          throw new ServiceFailure('INVALID_PARAMS', `only State.Workspaces.<workspace>.AutoPull can be Set here, not ${path.join('.')}`);
        }
        if (m.behaviour === 'silent') return [];
        if (m.behaviour === 'refuse' || !Object.hasOwn(states.State.Workspaces, workspace)) throw new ServiceFailure('UNKNOWN_WORKSPACE', `no workspace "${workspace}"`);
        states = { ...states, State: STATE_SCHEMAS.client.State.parse({ Workspaces: { ...states.State.Workspaces, [workspace]: { AutoPull: value } } }) };
        return ['State'];
      },
      calls: {},
      onConnected: () => {
        for (const name of ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo']) host.broadcastState(name);
      },
    },
    { hubUrl, logger: silentLogger() },
  );
  await host.start();
  return {
    machine: m,
    host,
    get states() {
      return states;
    },
    tick(progress: number, kind?: 'syncing' | 'outofsync') {
      states = { ...states, WorkspaceInfo: machineStates(kind ? { ...m, kind } : m, perMachine, progress).WorkspaceInfo };
      host.broadcastState('WorkspaceInfo');
    },
  };
}
