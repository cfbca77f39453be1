/**
 * A simulated AssetHubClient for the show simulator: a real ServiceHost (the services' own, on the real hub peer)
 * whose states are made up instead of read from disk, but have the real client's shapes, sizes and rhythm:
 * - State, WorkspaceInfo, PersistentState and AssetInfo, each validated with shared/assethub/states.ts before it is
 *   first sent, answered to Get, broadcast whole like services/client does;
 * - a Set of State (a workspace's AutoPull) applied and confirmed exactly as services/client/client.ts does (State and
 *   WorkspaceInfo broadcast after applying; an invalid one refused by the host with the same Warning and re-broadcast);
 * - subscribed to the server's broadcasts like the real client: a commit on a workspace's branch with AutoPull on
 *   (its own, else the repository's) starts a pull;
 * - a pull sends its WorkspaceInfo every 250 ms (the client's STATUS_EVERY_MS) with its progress, then its new
 *   commit in PersistentState and AssetInfo.
 */
import { CLIENT_SUBSCRIPTIONS } from '../../services/client/subscriptions.ts';
import { stateAfterSet } from '../../services/client/state-set.ts';
import { ServiceHost } from '../../services/lib/service-host.ts';
import type { Logger } from '../../services/lib/log.ts';
import { STATE_SCHEMAS, type ClientStates, type ServerStates, type TAssetChange, type TWorkspaceStatus } from '../../shared/assethub/states.ts';
import { BROADCAST, CLIENT_SERVICE, decodeValueKeys, formatServiceName, SERVER_NAME, type Envelope } from '../../shared/protocol/index.ts';
import { valueAt } from '../../shared/protocol/value-path.ts';

export interface SimWorkspaceSpec { repository: string; branch: string; localChanges: number; autoPull: boolean | null }
export interface SimMachineSpec { machine: string; workspaces: SimWorkspaceSpec[] }

const STATUS_EVERY_MS = 250;
const STORAGE = 'C:\\Pixotope\\Synced Storage';

interface SimWorkspace {
  path: string;
  spec: SimWorkspaceSpec;
  autoPull: boolean | null;
  commit: string | null;
  status: TWorkspaceStatus;
  local: TAssetChange[];
  remote: TAssetChange[];
  pulling: NodeJS.Timeout | null;
}

const idle = (message: string): TWorkspaceStatus => ({
  Attached: true, Incoming: false, Outcoming: false, Activity: 'Idle', Stage: 'Finalizing', Auto: false, Current: 0, Total: 0, Progress: 1, Message: message,
});

/** `n` local changes of an artist's session: new and edited files under a few folders. */
function localChanges(n: number, seed: number): TAssetChange[] {
  return Array.from({ length: n }, (_, i) => (i % 7 === 0
    ? { Type: 'PutFile', URI: `FileSystem:/Content/Set${seed % 10}/Level${i % 40}/NewMesh_${i}.uasset`, New: true }
    : { Type: 'PutFile', URI: `FileSystem:/Content/Set${seed % 10}/Level${i % 40}/Texture_${i}.png`, New: false }));
}

export class SimClient {
  readonly name: string;
  readonly host: ServiceHost;
  private readonly workspaces = new Map<string, SimWorkspace>();
  private server: { state: ServerStates['State'] | null; persistent: ServerStates['PersistentState'] | null } = { state: null, persistent: null };
  /** Updates sent, by state name (what this machine put on the hub). */
  readonly sent: Record<string, number> = { State: 0, WorkspaceInfo: 0, PersistentState: 0, AssetInfo: 0 };
  pulls = 0;
  /** Sets of State applied (each confirmed by the host's State and WorkspaceInfo broadcasts). */
  sets = 0;

  constructor(spec: SimMachineSpec, hubUrl: string, logger: Logger, seed: number) {
    this.name = formatServiceName(spec.machine, CLIENT_SERVICE);
    spec.workspaces.forEach((w, i) => {
      const path = `${STORAGE}\\Workspaces\\${w.repository.replace(/^%SYNCED_STORAGE%\\/, '').replace(/\\/g, '.')}${i ? `-${i}` : ''}`;
      this.workspaces.set(path, {
        path, spec: w, autoPull: w.autoPull, commit: null, status: idle(''), local: localChanges(w.localChanges, seed + i), remote: [], pulling: null,
      });
    });
    const states: Record<string, () => unknown> = {
      State: () => this.state(),
      WorkspaceInfo: () => this.workspaceInfo(),
      PersistentState: () => this.persistentState(),
      AssetInfo: () => this.assetInfo(),
    };
    for (const [name, build] of Object.entries(states)) STATE_SCHEMAS.client[name as keyof typeof STATE_SCHEMAS.client].parse(build());
    this.host = new ServiceHost({
      name: this.name,
      version: '0.1.0',
      states: Object.keys(states),
      get: (p) => {
        const build = p[0] === undefined ? undefined : states[p[0]];
        return build ? valueAt(build(), p.slice(1)) : undefined;
      },
      // The real client's check (services/client/state-set.ts).
      set: (p, value) => {
        const next = stateAfterSet(p, value, this.state(), (key) => this.workspaces.has(key));
        for (const ws of this.workspaces.values()) ws.autoPull = next.Workspaces[ws.path]?.AutoPull ?? null;
        this.sets++;
        setTimeout(() => this.autoPullAll(), 0);
        return ['State', 'WorkspaceInfo'];
      },
      reset: () => {
        for (const ws of this.workspaces.values()) ws.autoPull = null;
        return ['State', 'WorkspaceInfo'];
      },
      calls: {},
      subscriptions: [...CLIENT_SUBSCRIPTIONS],
      onMessage: (m) => this.onMessage(m),
      onConnected: () => {
        void this.syncWithServer();
        setTimeout(() => this.broadcast('WorkspaceInfo'), 0);
      },
      onGap: () => void this.syncWithServer(),
    }, { hubUrl, logger });
  }

  start(): Promise<void> {
    return this.host.start();
  }

  close(): Promise<void> {
    for (const ws of this.workspaces.values()) if (ws.pulling) clearInterval(ws.pulling);
    return this.host.close();
  }

  get busy(): boolean {
    return [...this.workspaces.values()].some((w) => w.pulling !== null);
  }

  /** A pull of one workspace (the first idle one by default): progress for `seconds`, then the branch head. */
  pull(seconds: number, auto = false, only?: SimWorkspace): void {
    const ws = only ?? [...this.workspaces.values()].find((w) => !w.pulling);
    if (!ws || ws.pulling) return;
    this.pulls++;
    const total = 40 + Math.floor(Math.random() * 400);
    const ticks = Math.max(2, Math.round((seconds * 1000) / STATUS_EVERY_MS));
    let tick = 0;
    ws.status = { ...ws.status, Activity: 'Pull', Stage: 'Initiating', Auto: auto, Current: 0, Total: total, Progress: 0, Message: 'Pulling' };
    this.broadcast('WorkspaceInfo');
    ws.pulling = setInterval(() => {
      tick++;
      if (tick < ticks) {
        const current = Math.round((total * tick) / ticks);
        ws.status = { ...ws.status, Stage: 'InProgress', Current: current, Progress: current / total, Message: `Pulling ${current}/${total} files` };
        this.broadcast('WorkspaceInfo');
        return;
      }
      clearInterval(ws.pulling ?? undefined);
      ws.pulling = null;
      ws.commit = this.head(ws) ?? ws.commit;
      ws.remote = [];
      ws.status = { ...idle(`Pulled ${total} files`), Outcoming: ws.local.length > 0 };
      this.broadcast('PersistentState');
      this.broadcast('AssetInfo');
      this.broadcast('WorkspaceInfo');
    }, STATUS_EVERY_MS);
  }

  /** An artist at work on a machine with many local changes: one more, and the AssetInfo that says so. */
  edit(): void {
    const ws = [...this.workspaces.values()].find((w) => w.local.length > 0);
    if (!ws) return;
    ws.local.push({ Type: 'PutFile', URI: `FileSystem:/Content/Edits/Edit_${ws.local.length}.uasset`, New: true });
    this.broadcast('AssetInfo');
  }

  private broadcast(state: 'State' | 'WorkspaceInfo' | 'PersistentState' | 'AssetInfo'): void {
    this.sent[state] = (this.sent[state] ?? 0) + 1;
    this.host.broadcastState(state);
  }

  private head(ws: SimWorkspace): string | null {
    return this.server.persistent?.Repositories[ws.spec.repository]?.Branches.find((b) => b.Name === ws.spec.branch)?.Commits.at(-1)?.ID ?? null;
  }

  private autoPullOn(ws: SimWorkspace): boolean {
    return ws.autoPull ?? this.server.state?.Repositories[ws.spec.repository]?.AutoPull ?? false;
  }

  /** As the real client: every workspace with AutoPull on that is behind its branch head pulls. */
  private autoPullAll(): void {
    for (const ws of this.workspaces.values()) {
      const head = this.head(ws);
      if (!ws.pulling && this.autoPullOn(ws) && head !== null && head !== ws.commit) this.pull(2 + Math.random() * 4, true, ws);
    }
  }

  private async syncWithServer(): Promise<void> {
    try {
      const [state, persistent] = await Promise.all([this.host.get(SERVER_NAME, ['State']), this.host.get(SERVER_NAME, ['PersistentState'])]);
      this.server = { state: STATE_SCHEMAS.server.State.parse(state), persistent: STATE_SCHEMAS.server.PersistentState.parse(persistent) };
      // A machine of the show starts where its branches are.
      for (const ws of this.workspaces.values()) ws.commit ??= this.head(ws);
      this.broadcast('PersistentState');
      this.broadcast('AssetInfo');
      this.autoPullAll();
    } catch {
      // The server is not up yet: its Startup brings us back here.
    }
  }

  private onMessage(message: Envelope): void {
    const { topic } = message;
    if (topic.Type === 'Startup' && topic.Source === SERVER_NAME) return void this.syncWithServer();
    if (topic.Type !== 'Update' || topic.Source !== SERVER_NAME || topic.Target !== BROADCAST) return;
    const value = (message.message as { Value: unknown }).Value;
    if (topic.Name === 'PersistentState') {
      const parsed = STATE_SCHEMAS.server.PersistentState.safeParse(decodeValueKeys(['PersistentState'], value));
      if (!parsed.success) return;
      this.server.persistent = parsed.data;
      for (const ws of this.workspaces.values()) {
        if (this.head(ws) !== ws.commit) {
          ws.remote = [{ Type: 'PutFile', URI: 'FileSystem:/Content/Incoming/Shot.uasset', New: false }];
          ws.status = { ...ws.status, Incoming: true };
        }
      }
      this.broadcast('PersistentState');
      this.broadcast('AssetInfo');
      this.autoPullAll();
    } else if (topic.Name === 'State') {
      const parsed = STATE_SCHEMAS.server.State.safeParse(decodeValueKeys(['State'], value));
      if (!parsed.success) return;
      this.server.state = parsed.data;
      this.broadcast('WorkspaceInfo');
      this.autoPullAll();
    }
  }

  private state(): ClientStates['State'] {
    return { Workspaces: Object.fromEntries([...this.workspaces.values()].filter((w) => w.autoPull !== null).map((w) => [w.path, { AutoPull: w.autoPull as boolean }])) };
  }

  private workspaceInfo(): ClientStates['WorkspaceInfo'] {
    const all = [...this.workspaces.values()];
    const working = all.filter((w) => w.status.Activity !== 'Idle').map((w) => w.status);
    const Current = working.reduce((n, s) => n + s.Current, 0);
    const Total = working.reduce((n, s) => n + s.Total, 0);
    return {
      Status: {
        Incoming: all.some((w) => w.remote.length > 0),
        Outcoming: all.some((w) => w.local.length > 0),
        Activity: working.length ? 'Sync' : 'Idle',
        Stage: working.length ? (working.some((s) => s.Stage === 'Initiating') ? 'Initiating' : 'InProgress') : 'Finalizing',
        Current, Total, Progress: Total ? Current / Total : working.length ? 0 : 1,
      },
      Engine: { Running: false },
      Workspaces: Object.fromEntries(all.map((w) => [w.path, {
        Name: w.path, Active: true, Status: { ...w.status, Incoming: w.remote.length > 0, Outcoming: w.local.length > 0 },
      }])),
    };
  }

  private persistentState(): ClientStates['PersistentState'] {
    return {
      SyncedConfigPath: `${STORAGE}\\Config`,
      SyncedStoragePath: STORAGE,
      SyncedCommonPath: `${STORAGE}\\Common`,
      SyncedProjectsPath: `${STORAGE}\\Projects`,
      Workspaces: Object.fromEntries([...this.workspaces.values()].map((w) => [w.path, {
        Name: w.path, AbsolutePath: w.path, DisplayPath: w.path.replace(STORAGE, '%SYNCED_STORAGE%'),
        Repository: w.spec.repository, Branch: w.spec.branch, Commit: w.commit,
        Commits: this.server.persistent?.Repositories[w.spec.repository]?.Branches.find((b) => b.Name === w.spec.branch)?.Commits ?? null,
      }])),
    };
  }

  private assetInfo(): ClientStates['AssetInfo'] {
    return {
      Workspaces: Object.fromEntries([...this.workspaces.values()].map((w) => [w.path, {
        Name: w.path, Scan: false, IgnoredURIs: [], LocalChanges: w.local, RemoteChanges: w.remote, ConflictURIs: [], Claims: [],
      }])),
    };
  }
}
