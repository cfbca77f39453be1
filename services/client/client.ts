/**
 * The AssetHubClient service `<Machine>-AssetHubClient`: workspaces on this machine kept in step with the server.
 * It follows the server's broadcasts (commits, claims, AutoPull defaults), pulls automatically where AutoPull is on
 * (at start, on a new commit on the branch, after its State changes), and publishes its four states (docs/PROTOCOL.md
 * §4).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { effectiveAutoPull } from '../../shared/assethub/auto-pull.ts';
import { CALLS } from '../../shared/assethub/calls.ts';
import { storageFolders } from '../../shared/assethub/paths.ts';
import { STATE_SCHEMAS, type ClientStates, type ServerStates, type TClaim } from '../../shared/assethub/states.ts';
import { BROADCAST, CLIENT_SERVICE, SERVER_NAME, decodeValueKeys, formatServiceName, type Envelope, type MessageBodies } from '../../shared/protocol/index.ts';
import { assetUriSegments } from '../../shared/assethub/uri.ts';
import { dict } from '../../shared/dict.ts';
import { lockDataDir } from '../lib/data-lock.ts';
import { fail } from '../lib/failure.ts';
import type { Logger } from '../lib/log.ts';
import type { OfferOptions } from '../lib/offer.ts';
import { ServiceHost } from '../lib/service-host.ts';
import { valueAt } from '../../shared/protocol/value-path.ts';
import { cleanStaleTemp } from './files/index.ts';
import { isInside } from './files/paths.ts';
import { checkWorkspacePath, realPathOfExisting, workspaceRules } from './files/workspace-path.ts';
import { buildAssetInfo, buildPersistentState, buildWorkspaceInfo, displayPath } from './states.ts';
import { ClientStore } from './store.ts';
import { Workspace, type ServerLink } from './workspace.ts';
import { CLIENT_SUBSCRIPTIONS } from './subscriptions.ts';
import { stateAfterSet } from './state-set.ts';

export const CLIENT_VERSION = '0.1.0';
const STATUS_EVERY_MS = 250;
const ASSETS_EVERY_MS = 500;

export interface ClientOptions extends OfferOptions {
  machine: string;
  /** Where this client keeps its database. */
  dataDir: string;
  /** SyncedStoragePath: workspaces of repositories named `%SYNCED_STORAGE%\…` live below it. */
  storageDir: string;
  /** Folders besides the synced storage where CreateWorkspace may place a workspace (`--allow-root`). */
  allowedRoots?: readonly string[];
  configDir?: string;
  hubUrl: string;
  token?: string;
  logger: Logger;
}

export interface RunningClient {
  name: string;
  host: ServiceHost;
  workspaces: Map<string, Workspace>;
  /** Waits until no workspace is busy (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

type P<M extends keyof (typeof CALLS)['client']> = ReturnType<(typeof CALLS)['client'][M]['params']['parse']>;

export async function startClient(options: ClientOptions): Promise<RunningClient> {
  const { logger, machine } = options;
  const name = formatServiceName(machine, CLIENT_SERVICE);
  await mkdir(options.dataDir, { recursive: true });
  await mkdir(options.storageDir, { recursive: true });
  const dbFile = path.join(options.dataDir, 'client.sqlite');
  const unlock = lockDataDir(options.dataDir, [dbFile]);
  const store = new ClientStore(dbFile);
  const paths = {
    SyncedConfigPath: options.configDir ?? path.join(options.dataDir, 'Synced Config'),
    SyncedStoragePath: options.storageDir,
    SyncedCommonPath: path.join(options.storageDir, 'Common'),
    SyncedProjectsPath: path.join(options.storageDir, 'Projects'),
  };
  const rules = await workspaceRules([paths.SyncedStoragePath, paths.SyncedProjectsPath, paths.SyncedCommonPath, ...(options.allowedRoots ?? [])]);

  // What the client knows of the server, from its Updates.
  const server: { persistent: ServerStates['PersistentState'] | null; state: ServerStates['State'] | null; assets: ServerStates['AssetInfo'] | null; storageUrl: string | null } = {
    persistent: null, state: null, assets: null, storageUrl: null,
  };

  const branchOf = (repository: string, branch: string) => server.persistent?.Repositories[repository]?.Branches.find((b) => b.Name === branch);
  const link: ServerLink = {
    machine,
    token: options.token,
    storageUrl: () => server.storageUrl ?? fail('SERVER_UNAVAILABLE', 'the server has not said where its data plane is'),
    call: (method, params, timeoutMs) => host.call(SERVER_NAME, method, params, timeoutMs),
    commits: (repository, branch) => branchOf(repository, branch)?.Commits.map((c) => c.ID) ?? null,
    claims: (repository, branch): TClaim[] => server.assets?.Repositories[repository]?.Branches.find((b) => b.Name === branch)?.Claims ?? [],
    log: (level, message) => host.log(level, message),
  };

  /** URIs in Params that could resolve outside a workspace are refused with a Failure and a Log; nothing is touched. */
  const checkUris = (uris: readonly string[] | undefined) => {
    for (const uri of uris ?? []) {
      const safe = assetUriSegments(uri);
      if (!safe.ok) {
        host.log('Warning', `${name} refused an unsafe URI: ${safe.error}`);
        fail('UNSAFE_PATH', `${uri}: ${safe.error}`);
      }
    }
  };

  // ---- publishing, throttled; an operation's start and end at once (a panel follows it by them) ----
  const timers: Partial<Record<'status' | 'assets' | 'persistent', NodeJS.Timeout>> = {};
  const publish = (what: 'status' | 'assets' | 'persistent', now = false) => {
    if (now) {
      clearTimeout(timers[what]);
      delete timers[what];
      host.broadcastState(what === 'status' ? 'WorkspaceInfo' : what === 'assets' ? 'AssetInfo' : 'PersistentState');
      return;
    }
    if (timers[what]) return;
    timers[what] = setTimeout(() => {
      delete timers[what];
      host.broadcastState(what === 'status' ? 'WorkspaceInfo' : what === 'assets' ? 'AssetInfo' : 'PersistentState');
      if (what === 'assets') publish('status');
    }, what === 'status' ? STATUS_EVERY_MS : ASSETS_EVERY_MS);
  };

  const workspaces = new Map<string, Workspace>();
  const open = (row: ReturnType<ClientStore['workspaces']>[number], blocked: string | null = null) => {
    const ws = new Workspace(row, store, link, logger.child({ workspace: row.path }), publish, blocked);
    workspaces.set(row.path, ws);
    ws.watch();
    return ws;
  };
  // A store written before the workspace rules may name `/` or a home folder: such a workspace stays listed, with
  // why in its Status, but is never scanned, pulled, pushed or reverted; its record is kept as it is.
  for (const row of store.workspaces()) {
    const allowed = await checkWorkspacePath(row.path, rules);
    if (!allowed.ok) {
      logger.warn({ workspace: row.path, reason: allowed.error }, 'workspace not opened');
      open(row, allowed.error);
      continue;
    }
    await cleanStaleTemp(row.path).catch(() => undefined);
    open(row);
  }

  /** AutoPull in effect (shared/assethub/auto-pull.ts); off while neither the workspace nor the server's State says. */
  const autoPullOn = (ws: Workspace): boolean => effectiveAutoPull(ws.row.autoPull, ws.row.repository, server.state) ?? false;
  const workspace = (key: string): Workspace => workspaces.get(key) ?? fail('UNKNOWN_WORKSPACE', `${name} has no workspace "${key}"`);
  /** Claim and ReleaseClaim on a workspace pass through to the server, for its repository and branch, as this machine. */
  const claimOnServer = (method: 'Claim' | 'ReleaseClaim', p: { Workspace: string; URI: string; Force?: boolean }) => {
    checkUris([p.URI]);
    const ws = workspace(p.Workspace);
    return host.call(SERVER_NAME, method, { Repository: ws.row.repository, Branch: ws.row.branch, URI: p.URI, Owner: machine, Force: p.Force ?? false });
  };

  const clientState = (): ClientStates['State'] => ({
    Workspaces: Object.fromEntries([...workspaces.values()].filter((w) => w.row.autoPull !== null).map((w) => [w.path, { AutoPull: w.row.autoPull as boolean }])),
  });
  // Looked up by a Get's state name: no prototype, so `constructor` or `__proto__` is simply no state.
  const states = Object.assign(dict<() => unknown>(), {
    State: clientState,
    WorkspaceInfo: () => buildWorkspaceInfo([...workspaces.values()]),
    PersistentState: () => buildPersistentState(paths, [...workspaces.values()], (r, b) => branchOf(r, b)?.Commits ?? null),
    AssetInfo: () => buildAssetInfo([...workspaces.values()], link.claims),
  });

  /** Pulls every workspace whose AutoPull is on and which is behind its branch head. */
  const autoPullAll = (only?: (ws: Workspace) => boolean) => {
    for (const ws of workspaces.values()) {
      if (ws.blocked || !autoPullOn(ws) || (only && !only(ws))) continue;
      const head = link.commits(ws.row.repository, ws.row.branch)?.at(-1);
      if (head && head !== ws.row.commit) ws.autoPull();
    }
  };

  const refreshAll = async () => {
    for (const ws of workspaces.values()) await ws.refreshRemote().catch((e: unknown) => logger.warn({ err: String(e) }, 'could not read remote changes'));
    publish('assets');
    publish('persistent');
  };

  /**
   * Broadcasts seen per server state. A Get answer is applied only if no broadcast of that state came after the Get
   * was sent: otherwise the answer may be older than what the client already knows.
   */
  const generation = { State: 0, PersistentState: 0, AssetInfo: 0 };
  const apply = {
    State: (v: unknown) => (server.state = STATE_SCHEMAS.server.State.parse(v)),
    PersistentState: (v: unknown) => (server.persistent = STATE_SCHEMAS.server.PersistentState.parse(v)),
    AssetInfo: (v: unknown) => (server.assets = STATE_SCHEMAS.server.AssetInfo.parse(v)),
  };

  /** Reads the server's states and data-plane address; then AutoPull runs where it should. */
  const syncWithServer = async () => {
    try {
      await Promise.all([
        ...(['State', 'PersistentState', 'AssetInfo'] as const).map(async (state) => {
          const seen = generation[state];
          const value = await host.get(SERVER_NAME, [state]);
          if (generation[state] === seen) apply[state](value);
        }),
        host.call(SERVER_NAME, 'GetStorage', {}).then((r) => (server.storageUrl = (r as { Url: string }).Url)),
      ]);
      await refreshAll();
      autoPullAll();
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'the server is not answering yet');
    }
  };

  function onMessage(message: Envelope): void {
    const { topic } = message;
    if (topic.Type === 'Startup' && topic.Source === SERVER_NAME) {
      void syncWithServer();
      return;
    }
    if (topic.Type !== 'Update' || topic.Source !== SERVER_NAME || topic.Target !== BROADCAST) return;
    const value = (message.message as MessageBodies['Update']).Value;
    if (topic.Name === 'PersistentState') {
      const parsed = STATE_SCHEMAS.server.PersistentState.safeParse(decodeValueKeys(['PersistentState'], value));
      if (!parsed.success) return;
      generation.PersistentState++;
      const heads = (p: ServerStates['PersistentState'] | null, ws: Workspace) => p?.Repositories[ws.row.repository]?.Branches.find((b) => b.Name === ws.row.branch)?.Commits.at(-1)?.ID;
      const moved = new Set([...workspaces.values()].filter((ws) => heads(server.persistent, ws) !== heads(parsed.data, ws)));
      server.persistent = parsed.data;
      void refreshAll().then(() => autoPullAll((ws) => moved.has(ws)));
    } else if (topic.Name === 'State') {
      const parsed = STATE_SCHEMAS.server.State.safeParse(decodeValueKeys(['State'], value));
      if (!parsed.success) return;
      generation.State++;
      const before = new Map([...workspaces.values()].map((ws) => [ws, autoPullOn(ws)]));
      server.state = parsed.data;
      publish('status');
      autoPullAll((ws) => !before.get(ws) && autoPullOn(ws));
    } else if (topic.Name === 'AssetInfo') {
      const parsed = STATE_SCHEMAS.server.AssetInfo.safeParse(decodeValueKeys(['AssetInfo'], value));
      if (!parsed.success) return;
      generation.AssetInfo++;
      server.assets = parsed.data;
      publish('assets');
    }
  }

  const started = { Started: true as const };
  const calls = {
    CreateWorkspace: {
      params: CALLS.client.CreateWorkspace.params,
      handler: async (p: P<'CreateWorkspace'>) => {
        if (!server.persistent) await syncWithServer();
        if (!server.persistent) fail('SERVER_UNAVAILABLE', `${name} has not been able to read the server's repositories yet`);
        if (!branchOf(p.Repository, p.Branch)) {
          if (!server.persistent?.Repositories[p.Repository]) fail('UNKNOWN_REPOSITORY', `the server has no repository "${p.Repository}"`);
          fail('UNKNOWN_BRANCH', `repository "${p.Repository}" has no branch "${p.Branch}"`);
        }
        const target = p.Path ?? defaultWorkspacePath(p.Repository, paths.SyncedStoragePath);
        const allowed = await checkWorkspacePath(target, rules);
        if (!allowed.ok) {
          host.log('Warning', `${name} refused workspace path "${target}": ${allowed.error}`);
          fail('UNSAFE_PATH', `workspace path "${target}": ${allowed.error}`);
        }
        // Compared as real paths, so a symlink cannot make two workspaces share files; a workspace that was not opened
        // never touches its folder and does not count.
        const real = await realPathOfExisting(target);
        for (const [other, ws] of workspaces) {
          if (other === target) fail('INVALID_PARAMS', `"${target}" is already a workspace`);
          const otherReal = ws.blocked ? null : await realPathOfExisting(other).catch(() => other);
          if (otherReal && (isInside(otherReal, real) || isInside(real, otherReal))) fail('INVALID_PARAMS', `"${target}" would nest with workspace "${other}"`);
        }
        await mkdir(target, { recursive: true });
        const row = { path: target, repository: p.Repository, branch: p.Branch, commit: null, autoPull: null };
        store.addWorkspace(row);
        const ws = open(row);
        await ws.rescan();
        await ws.refreshRemote();
        publish('persistent');
        publish('assets');
        host.broadcastState('State');
        if (autoPullOn(ws)) ws.autoPull();
        return { Workspace: target };
      },
    },
    Pull: {
      params: CALLS.client.Pull.params,
      handler: (p: P<'Pull'>) => (workspace(p.Workspace).pull({ upTo: p.UpTo, force: p.Force }), started),
    },
    Push: {
      params: CALLS.client.Push.params,
      handler: (p: P<'Push'>) => (checkUris(p.URIs), workspace(p.Workspace).push(p.Comment, p.URIs), started),
    },
    Scan: { params: CALLS.client.Scan.params, handler: (p: P<'Scan'>) => (workspace(p.Workspace).scanNow(), started) },
    RevertLocalChanges: {
      params: CALLS.client.RevertLocalChanges.params,
      handler: (p: P<'RevertLocalChanges'>) => (checkUris(p.URIs), workspace(p.Workspace).revert(p.URIs), started),
    },
    ResolveConflict: {
      params: CALLS.client.ResolveConflict.params,
      handler: async (p: P<'ResolveConflict'>) => {
        checkUris([p.URI]);
        await workspace(p.Workspace).resolve(p.URI, p.Keep);
        publish('assets');
        return {};
      },
    },
    Claim: { params: CALLS.client.Claim.params, handler: (p: P<'Claim'>) => claimOnServer('Claim', p) },
    ReleaseClaim: { params: CALLS.client.ReleaseClaim.params, handler: (p: P<'ReleaseClaim'>) => claimOnServer('ReleaseClaim', p) },
  };

  const host: ServiceHost = new ServiceHost(
    {
      name,
      version: CLIENT_VERSION,
      states: Object.keys(states),
      get: (p) => {
        const build = p[0] === undefined ? undefined : states[p[0]];
        return build ? valueAt(build(), p.slice(1)) : undefined;
      },
      set: (p, value) => {
        const next = stateAfterSet(p, value, clientState(), (key) => workspaces.has(key));
        applyAutoPull(new Map([...workspaces.keys()].map((k) => [k, next.Workspaces[k]?.AutoPull ?? null])));
        return ['State', 'WorkspaceInfo'];
      },
      reset: () => {
        applyAutoPull(new Map([...workspaces.keys()].map((k) => [k, null])));
        return ['State', 'WorkspaceInfo'];
      },
      calls,
      subscriptions: [...CLIENT_SUBSCRIPTIONS],
      onMessage,
      onConnected: () => {
        void syncWithServer();
        // Let the server (and any panel) see this client at once.
        setTimeout(() => host.broadcastState('WorkspaceInfo'), 0);
      },
      // The hub dropped messages for this client: a new commit (and its AutoPull) may be among them; read the server again.
      onGap: () => void syncWithServer(),
    },
    { hubUrl: options.hubUrl, token: options.token, logger, offer: options.offer, internalPeers: options.internalPeers },
  );

  /** Stores own AutoPull settings; then, as documented, pulls the workspaces whose AutoPull is on. */
  function applyAutoPull(settings: Map<string, boolean | null>): void {
    store.setAutoPull(settings);
    for (const [key, on] of settings) {
      const ws = workspaces.get(key);
      if (ws) ws.row = { ...ws.row, autoPull: on };
    }
    setTimeout(() => autoPullAll(), 0);
  }

  for (const ws of workspaces.values()) {
    if (!ws.blocked) void ws.rescan().catch((e: unknown) => logger.warn({ err: String(e) }, 'initial scan failed'));
  }
  await host.start();
  for (const ws of workspaces.values()) if (ws.blocked) host.log('Warning', `${name} did not open workspace "${ws.path}": ${ws.blocked}`);
  logger.info({ name, hub: options.hubUrl, storage: options.storageDir }, 'AssetHubClient started');

  return {
    name,
    host,
    workspaces,
    async idle() {
      for (const ws of workspaces.values()) await ws.idle();
    },
    async close() {
      for (const t of Object.values(timers)) clearTimeout(t);
      for (const ws of workspaces.values()) ws.close();
      await host.close();
      for (const ws of workspaces.values()) await ws.idle().catch(() => undefined);
      store.close();
      unlock();
    },
  };
}

/** `%SYNCED_STORAGE%\Projects\Project Alpha` → `<SyncedStoragePath>/Projects/Project Alpha`. */
export function defaultWorkspacePath(repository: string, storageDir: string): string {
  return path.join(storageDir, ...storageFolders(repository).filter((s) => s !== '.' && s !== '..'));
}

export { displayPath };
