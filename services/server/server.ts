/**
 * The AssetHubServer service: its states and Calls on the hub, its SQLite store and its chunk store on HTTP.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CALLS } from '../../shared/assethub/calls.ts';
import { ServerState, type TClientSummary } from '../../shared/assethub/states.ts';
import { branchNameProblem, repositoryNameProblem } from '../../shared/assethub/names.ts';
import { SYNCED_STORAGE, isSyncedStorageName } from '../../shared/assethub/paths.ts';
import { dict } from '../../shared/dict.ts';
import { parseState, serviceKindOf } from '../../shared/assethub/validate.ts';
import { BROADCAST, SERVER_NAME, parseServiceName, topicPrefix, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { ServiceFailure, fail } from '../lib/failure.ts';
import type { Logger } from '../lib/log.ts';
import { lockDataDir } from '../lib/data-lock.ts';
import type { OfferOptions } from '../lib/offer.ts';
import { ServiceHost, type CallContext } from '../lib/service-host.ts';
import { ChunkStore, type CollectResult } from './chunks/index.ts';
import { decodeCursor } from './changes-page.ts';
import { checkChangesAlone, checkChunks } from './commit-checks.ts';
import { Stages } from './stages.ts';
import { startDataPlane } from './storage.ts';
import { serverAssetInfo, serverPersistentState, serverState, serverWorkspaceInfo, valueAt, withValueAt } from './states.ts';
import { WorkspaceInfoBroadcaster } from './workspace-info.ts';
import { ServerStore } from './store.ts';
import { Catalogue } from './catalogue/index.ts';
import { catalogueCalls } from './catalogue/calls.ts';
import { IntegrationEngine, integrationCalls } from './integrations/index.ts';

export const SERVER_VERSION = '0.1.0';
/** Clients that have not been heard from for this long leave WorkspaceInfo.Clients. */
const CLIENT_TTL_MS = 30_000;
/**
 * Clients WorkspaceInfo lists at most: a peer broadcasting WorkspaceInfo under thousands of made-up client names must
 * not grow the server's state (and every panel's list of machines) without end. A show of 500 machines fits.
 */
export const MAX_CLIENTS = 2048;
const IDENTIFY_EVERY_MS = 10_000;

export interface ServerOptions extends OfferOptions {
  dataDir: string;
  hubUrl: string;
  token?: string;
  /** Port of the chunk store's HTTP server (0 = any free port). */
  storagePort?: number;
  /** Where it listens (default 127.0.0.1); beyond loopback only with a token. */
  storageHost?: string;
  /** The host GetStorage names (default: storageHost, or the machine's name when that is 0.0.0.0 or ::). */
  advertiseHost?: string;
  /** Web origins allowed to use the data plane from a browser (default none: such requests get 403). */
  storageOrigins?: readonly string[];
  /** Unreferenced chunks untouched this long are collected (default 1 hour), every chunkCollectEveryMs (15 min). */
  chunkGraceMs?: number;
  chunkCollectEveryMs?: number;
  logger: Logger;
  /** Bytes of a webhook receiver's answer read at most (default 16 MiB, integrations/contract.ts MAX_RESPONSE_BYTES). */
  maxWebhookResponseBytes?: number;
}

export interface RunningServer {
  storageUrl: string;
  store: ServerStore;
  /** The asset catalogue (docs/PROTOCOL.md §6) over `store`. */
  catalogue: Catalogue;
  /** Managed integrations (docs/PROTOCOL.md §5): the `Integrations` state, webhook deliveries and their Calls. */
  integrations: IntegrationEngine;
  chunks: ChunkStore;
  /** Collects unreferenced chunks now (it also runs at start and periodically). */
  collectChunks(): Promise<CollectResult>;
  host: ServiceHost;
  close(): Promise<void>;
}

type P<M extends keyof (typeof CALLS)['server']> = ReturnType<(typeof CALLS)['server'][M]['params']['parse']>;

/** The machine part of a caller's service name, used as Author and Owner. */
const machineOf = (caller: string): string => parseServiceName(caller)?.machine ?? caller;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  await mkdir(options.dataDir, { recursive: true });
  const dbFile = path.join(options.dataDir, 'server.sqlite');
  const integrationsFile = path.join(options.dataDir, 'integrations.sqlite');
  const unlock = lockDataDir(options.dataDir, [dbFile, integrationsFile]);
  const store = new ServerStore(dbFile);
  const catalogue = new Catalogue(store);
  // Live counts and Sync all progress are broadcast by the engine, throttled (host is set up below, before start()).
  const integrations = new IntegrationEngine({
    file: integrationsFile, store, catalogue, logger, onChange: () => host.broadcastState('Integrations'),
    maxResponseBytes: options.maxWebhookResponseBytes,
  });
  const chunks = new ChunkStore(path.join(options.dataDir, 'chunks'));
  await chunks.init();
  const dataPlane = await startDataPlane({
    chunks, referenced: () => store.referencedChunksInPages(), port: options.storagePort ?? 0, host: options.storageHost ?? '127.0.0.1',
    advertise: options.advertiseHost, token: options.token, allowedOrigins: options.storageOrigins,
    graceMs: options.chunkGraceMs, collectEveryMs: options.chunkCollectEveryMs, logger,
  });
  const storageUrl = dataPlane.url;

  const stages = new Stages();
  const clients = new Map<string, TClientSummary & { seen: number }>();
  let refusedClients = 0;
  const summaries = () => new Map([...clients].map(([k, { seen: _seen, ...c }]) => [k, c]));
  const workspaceInfo = new WorkspaceInfoBroadcaster({
    whole: () => host.broadcastState('WorkspaceInfo'),
    at: (path) => host.broadcastAt(['WorkspaceInfo', ...path]),
    status: () => serverWorkspaceInfo(summaries()).Status,
    count: () => clients.size,
    has: (name) => clients.has(name),
  });

  // Looked up by a Get's state name: no prototype, so `constructor` or `__proto__` is simply no state.
  const states = Object.assign(dict<() => unknown>(), {
    State: () => serverState(store),
    WorkspaceInfo: () => serverWorkspaceInfo(summaries()),
    PersistentState: () => serverPersistentState(store),
    AssetInfo: () => serverAssetInfo(store),
    // The state is itself a map of names: whole, its keys are [dot]-encoded; below it, paths are decoded names.
    Integrations: () => integrations.wire(),
  });

  const changed = (...names: string[]) => {
    for (const name of names) host.broadcastState(name);
  };

  const calls = {
    // Answered even while a large commit is being written (they read nothing of the store).
    Health: { params: CALLS.server.Health.params, handler: () => ({}), anytime: true },
    GetStorage: { params: CALLS.server.GetStorage.params, handler: () => ({ Url: storageUrl }), anytime: true },
    GetRepositories: {
      params: CALLS.server.GetRepositories.params,
      handler: () => Object.values(serverPersistentState(store).Repositories),
    },
    CreateRepository: {
      params: CALLS.server.CreateRepository.params,
      handler: (p: P<'CreateRepository'>, ctx: CallContext) => {
        if (!isSyncedStorageName(p.Name)) fail('INVALID_PARAMS', `a repository name starts with ${SYNCED_STORAGE}`);
        checkName('repository', p.Name, repositoryNameProblem(p.Name));
        checkName('branch', p.Branch, branchNameProblem(p.Branch));
        const commit = store.createRepository(p.Name, p.Branch, machineOf(ctx.caller));
        integrations.onCommit(p.Name);
        changed('PersistentState', 'State', 'AssetInfo');
        return { Commit: commit };
      },
    },
    CreateBranch: {
      params: CALLS.server.CreateBranch.params,
      handler: async (p: P<'CreateBranch'>) => {
        checkName('branch', p.Name, branchNameProblem(p.Name));
        const commit = await store.addBranch(p.Repository, p.Name, p.From);
        integrations.onCommit(p.Repository); // the new branch's assets are new assets
        changed('PersistentState', 'AssetInfo');
        return { Commit: commit };
      },
    },
    CreateCommit: {
      params: CALLS.server.CreateCommit.params,
      handler: async (p: P<'CreateCommit'>, ctx: CallContext) => {
        // A push too large for one request was staged a batch at a time (StageChanges; each batch checked as it came).
        const staged = p.Stage === undefined ? null : stages.take(ctx.caller, p.Stage, p.Repository, p.Branch);
        checkChangesAlone(p.Changes, staged?.uris ?? new Set());
        store.branch(p.Repository, p.Branch); // an unknown repository or branch is said before the chunks are looked for
        const changes = staged ? [...staged.changes, ...p.Changes] : p.Changes;
        // No chunk may be collected between finding it present and the commit referring to it.
        const commit = await chunks.keep(async () => {
          await checkChunks(chunks, changes);
          return store.commit({ repository: p.Repository, branch: p.Branch, parent: p.Parent, author: p.Author, comment: p.Comment, changes });
        });
        logger.info({ repository: p.Repository, branch: p.Branch, commit, changes: changes.length }, 'commit');
        // Queued by the integrations from their per-branch cursors: also replayed on start if we die right now.
        integrations.onCommit(p.Repository);
        changed('PersistentState');
        return { Commit: commit };
      },
    },
    StageChanges: {
      params: CALLS.server.StageChanges.params,
      handler: (p: P<'StageChanges'>, ctx: CallContext) => {
        store.branch(p.Repository, p.Branch);
        return stages.add(ctx.caller, p);
      },
    },
    GetChanges: {
      params: CALLS.server.GetChanges.params,
      handler: (p: P<'GetChanges'>) => {
        const branch = store.branch(p.Repository, p.Branch);
        const from = p.From === null ? -1 : store.position(branch, p.From);
        const after = p.After === undefined ? null : decodeCursor(p.After);
        // A later page keeps the first page's To (the head may have moved since).
        const to = after ? after.t : p.To == null ? store.head(branch.id).position : store.position(branch, p.To);
        if (from > to) fail('INVALID_PARAMS', `From ${p.From} comes after To ${p.To}`);
        if (after && (after.f !== from || after.t > store.head(branch.id).position)) fail('INVALID_PARAMS', 'After belongs to another From or branch: start again without it');
        const page = store.changesPage(branch.id, from, to, after);
        return { Changes: page.changes, ...(page.next ? { Next: page.next } : {}) };
      },
    },
    TagCommit: {
      params: CALLS.server.TagCommit.params,
      handler: (p: P<'TagCommit'>) => {
        store.setTag(p.Repository, p.Branch, p.Commit, p.Tag, true);
        changed('PersistentState');
        return {};
      },
    },
    UntagCommit: {
      params: CALLS.server.UntagCommit.params,
      handler: (p: P<'UntagCommit'>) => {
        store.setTag(p.Repository, p.Branch, p.Commit, p.Tag, false);
        changed('PersistentState');
        return {};
      },
    },
    Claim: {
      params: CALLS.server.Claim.params,
      handler: (p: P<'Claim'>) => {
        store.claim(p.Repository, p.Branch, p.URI, p.Owner, p.Force ?? false);
        changed('AssetInfo');
        return { Claims: store.claims(store.repository(p.Repository).id, p.Branch) };
      },
    },
    ReleaseClaim: {
      params: CALLS.server.ReleaseClaim.params,
      handler: (p: P<'ReleaseClaim'>) => {
        store.releaseClaim(p.Repository, p.Branch, p.URI, p.Owner, p.Force ?? false);
        changed('AssetInfo');
        return { Claims: store.claims(store.repository(p.Repository).id, p.Branch) };
      },
    },
    ...catalogueCalls(store, catalogue),
    ...integrationCalls(integrations),
  };

  /** Refuses a name (INVALID_NAME) that would make a folder no operator's machine can hold. */
  function checkName(what: string, name: string, problem: string | null): void {
    if (problem) fail('INVALID_NAME', `${what} name "${name.length > 80 ? `${name.slice(0, 80)}…` : name}": ${problem}`);
  }

  function onMessage(message: Envelope): void {
    const { topic } = message;
    if (topic.Type === 'Self' && serviceKindOf(topic.Source) === 'client') {
      const known = clients.get(topic.Source);
      if (known) known.seen = Date.now();
      else void host.send(envelope<'Get'>({ Type: 'Get', Target: topic.Source, Name: 'WorkspaceInfo', RespondTo: SERVER_NAME }, {}));
      return;
    }
    if (topic.Type !== 'Update' || topic.Name !== 'WorkspaceInfo' || serviceKindOf(topic.Source) !== 'client') return;
    const info = parseState('client', 'WorkspaceInfo', (message.message as { Value: unknown }).Value);
    if (!info.ok) {
      logger.warn({ client: topic.Source, issues: info.error.issues }, 'ignored an invalid client WorkspaceInfo');
      return;
    }
    const value = info.value as { Status: TClientSummary['Status']; Engine: TClientSummary['Engine'] };
    if (!clients.has(topic.Source) && clients.size >= MAX_CLIENTS) {
      refusedClients++;
      return;
    }
    const summary: TClientSummary = { Name: topic.Source, Status: value.Status, ...(value.Engine ? { Engine: value.Engine } : {}) };
    const before = clients.get(topic.Source);
    clients.set(topic.Source, { ...summary, seen: Date.now() });
    // A client re-sending what it said before (its WorkspaceInfo holds more than the summary) changes nothing here.
    if (!before || JSON.stringify({ ...before, seen: 0 }) !== JSON.stringify({ ...summary, seen: 0 })) workspaceInfo.client(topic.Source);
  }

  const host = new ServiceHost(
    {
      name: SERVER_NAME,
      version: SERVER_VERSION,
      states: Object.keys(states),
      get: (p) => {
        if (p[0] === 'Integrations' && p.length > 1) return valueAt(integrations.state(), p.slice(1));
        // One client's entry without building the whole list (the broadcaster sends entries one by one).
        if (p[0] === 'WorkspaceInfo' && p[1] === 'Clients' && p[2] !== undefined) {
          const entry = clients.get(p[2]);
          if (!entry) return undefined;
          const { seen: _seen, ...summary } = entry;
          return valueAt(summary, p.slice(3));
        }
        const build = p[0] === undefined ? undefined : states[p[0]];
        return build ? valueAt(build(), p.slice(1)) : undefined;
      },
      set: (p, value) => {
        if (p[0] === 'Integrations') {
          integrations.set(p.slice(1), value);
          return ['Integrations'];
        }
        if (p[0] !== 'State') throw new ServiceFailure('INVALID_PARAMS', `only State can be Set, not ${p[0] ?? '(nothing)'}`);
        const next = ServerState.safeParse(withValueAt(serverState(store), p.slice(1), value));
        if (!next.success) throw new ServiceFailure('INVALID_PARAMS', next.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const byName = new Map(store.repositories().map((r) => [r.name, r]));
        const updates = new Map<number, boolean>();
        for (const [name, settings] of Object.entries(next.data.Repositories)) {
          const repo = byName.get(name);
          if (!repo) throw new ServiceFailure('UNKNOWN_REPOSITORY', `no repository "${name}"`);
          if (repo.autoPull !== settings.AutoPull) updates.set(repo.id, settings.AutoPull);
        }
        store.setAutoPull(updates);
        return ['State'];
      },
      reset: () => {
        store.setAutoPull(new Map(store.repositories().map((r) => [r.id, false])));
        return ['State'];
      },
      calls,
      // While a large commit is written in slices, requests that read the store wait for it (store-writer.ts).
      busy: () => store.idle(),
      anytimeStates: ['WorkspaceInfo'],
      subscriptions: [topicPrefix('Update', { Target: BROADCAST }), topicPrefix('Self', { Target: SERVER_NAME })],
      // Of the clients' broadcasts, only WorkspaceInfo makes its WorkspaceInfo (onMessage): their AssetInfo, often
      // thousands of changes, is dropped unread.
      reads: (topic) => topic.Type === 'Update' && topic.Name === 'WorkspaceInfo' && serviceKindOf(topic.Source) === 'client',
      onMessage,
      onConnected: () => {
        // Ask every client for its WorkspaceInfo (their Self answers lead to a Get).
        host.send(envelope<'Identify'>({ Type: 'Identify', Source: SERVER_NAME }, {}));
      },
      // The hub dropped messages for the server: read every known client's WorkspaceInfo again, and find new ones.
      onGap: () => {
        for (const name of clients.keys()) host.send(envelope<'Get'>({ Type: 'Get', Target: name, Name: 'WorkspaceInfo', RespondTo: SERVER_NAME }, {}));
        host.send(envelope<'Identify'>({ Type: 'Identify', Source: SERVER_NAME }, {}));
      },
    },
    { hubUrl: options.hubUrl, token: options.token, logger, offer: options.offer, internalPeers: options.internalPeers },
  );

  const sweep = setInterval(() => {
    host.send(envelope<'Identify'>({ Type: 'Identify', Source: SERVER_NAME }, {}));
    const before = clients.size;
    for (const [name, c] of clients) if (Date.now() - c.seen > CLIENT_TTL_MS) clients.delete(name);
    if (refusedClients > 0) {
      logger.warn({ refused: refusedClients, max: MAX_CLIENTS }, 'clients not listed in WorkspaceInfo: it lists as many as it takes');
      refusedClients = 0;
    }
    if (clients.size !== before) workspaceInfo.all();
  }, IDENTIFY_EVERY_MS);
  sweep.unref();

  await host.start();
  integrations.start();
  logger.info({ hub: options.hubUrl, storage: storageUrl, data: options.dataDir }, 'AssetHubServer started');

  return {
    storageUrl,
    store,
    catalogue,
    integrations,
    chunks,
    collectChunks: () => dataPlane.collect(),
    host,
    async close() {
      clearInterval(sweep);
      workspaceInfo.close();
      await host.close();
      await integrations.close();
      await dataPlane.close();
      store.close();
      unlock();
    },
  };
}
