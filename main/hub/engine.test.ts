// The panel engine against the real hub, server and client: discovery, Get coalescing, Set confirmed and refused,
// Call Failures and timeouts, invalid Values, Startup re-reads, patch batching, the message log, and a hub restart.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus, EventData, LogEntry, ServiceEntry } from '../../shared/panel/api.ts';
import { BROADCAST, SERVER_NAME, envelope } from '../../shared/protocol/index.ts';
import * as zmq from 'zeromq';
import { startDataHub, startHub, type Hub } from '../../services/datahub/index.ts';
import { silentLogger } from '../../services/lib/log.ts';
import { startServer, type RunningServer } from '../../services/server/server.ts';
import { startCluster, tempDir, type Cluster } from '../../services/testing/cluster.ts';
import type { Probe } from '../../services/testing/probe.ts';
import { until } from '../../services/testing/wait.ts';
import { createPanelEngine, dispatchCommand, type PanelEngine, type PanelEngineOptions } from './index.ts';

const BETA = '%SYNCED_STORAGE%\\Projects\\Project.Beta';
const CLIENT = 'STAGE-A-AssetHubClient';

const engines: PanelEngine[] = [];
function engine(options: PanelEngineOptions): PanelEngine {
  const e = createPanelEngine({ heartbeatMs: 300, requestTimeoutMs: 3000, ...options });
  engines.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

const service = (e: PanelEngine, name: string): ServiceEntry | undefined => e.snapshot().services.find((s) => s.name === name);
const serverState = (e: PanelEngine) => e.snapshot().states[SERVER_NAME]?.State as { Repositories: Record<string, { AutoPull: boolean }> } | undefined;
const outgoing = (e: PanelEngine, afterSeq: number, pred: (t: Record<string, string>) => boolean): LogEntry[] =>
  e.messageLog().filter((l) => l.seq > afterSeq && l.direction === 'out' && l.topic !== null && pred(l.topic));
const lastSeq = (e: PanelEngine): number => e.messageLog().at(-1)?.seq ?? 0;

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

/** An engine connected to the cluster, with the server's states read. */
async function ready(hubUrl: string): Promise<PanelEngine> {
  const e = engine({ hubUrl });
  await until('the server State read', () => serverState(e)?.Repositories[BETA]);
  return e;
}

describe('panel engine against a real cluster', () => {
  let cluster: Cluster;
  let probe: Probe;

  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.client('STAGE-A');
    probe = await cluster.probe();
    await probe.ok(SERVER_NAME, 'CreateRepository', { Name: BETA, Branch: 'Main' });
  });
  afterAll(async () => cluster?.close());

  it('discovers the server, a client and the hub: online, lastSeen, Self details, states read and decoded', async () => {
    const e = engine({ hubUrl: cluster.hub.url });
    await until('server, client and hub online', () => ['AssetHubServer', CLIENT, 'DataHub'].every((n) => service(e, n)?.online));
    const server = service(e, SERVER_NAME);
    expect(server).toMatchObject({ kind: 'server', online: true, version: '0.1.0', error: null });
    expect(typeof server?.lastSeen).toBe('number');
    expect(typeof server?.startedAt).toBe('string');
    expect(service(e, CLIENT)).toMatchObject({ kind: 'client', machine: 'STAGE-A', online: true });
    expect(service(e, 'DataHub')).toMatchObject({ kind: 'hub', online: true });
    expect(e.snapshot().connection).toMatchObject({ state: 'connected', hubUrl: cluster.hub.url });
    // Every state of the server and the client is read once they are heard; keys arrive decoded.
    await until('all states read', () => {
      const s = e.snapshot().states;
      return ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'].every((n) => s[SERVER_NAME]?.[n] && s[CLIENT]?.[n]) && s.DataHub?.Stats;
    });
    expect(serverState(e)?.Repositories[BETA]).toEqual({ AutoPull: false });
    expect((e.snapshot().states.DataHub?.Stats as { Peers: number }).Peers).toBeGreaterThanOrEqual(3);
  });

  it('shares one Get among concurrent reads of the same value', async () => {
    const e = await ready(cluster.hub.url);
    const from = lastSeq(e);
    const [a, b] = await Promise.all([
      e.invoke('get', { service: SERVER_NAME, path: ['PersistentState'] }),
      e.invoke('get', { service: SERVER_NAME, path: ['PersistentState'] }),
    ]);
    expect(a).toBe(b);
    expect((a as { Repositories: Record<string, unknown> }).Repositories[BETA]).toBeDefined();
    expect(outgoing(e, from, (t) => t.Type === 'Get' && t.Target === SERVER_NAME && t.Name === 'PersistentState')).toHaveLength(1);
    // A path below a state is encoded on the wire and answered decoded.
    expect(await e.invoke('get', { service: SERVER_NAME, path: ['State', 'Repositories', BETA] })).toEqual({ AutoPull: false });
  });

  it('resolves a Set when the Update shows the value, and shows it decoded', async () => {
    const e = await ready(cluster.hub.url);
    const from = lastSeq(e);
    await e.invoke('set', { service: SERVER_NAME, path: ['State', 'Repositories', BETA, 'AutoPull'], value: true });
    expect(serverState(e)?.Repositories[BETA]).toEqual({ AutoPull: true });
    const [set] = outgoing(e, from, (t) => t.Type === 'Set');
    expect(set?.topic?.Name).toBe('State.Repositories.%SYNCED_STORAGE%\\Projects\\Project[dot]Beta.AutoPull');
    // A second panel sees the change through the broadcast.
    const other = await ready(cluster.hub.url);
    expect(serverState(other)?.Repositories[BETA]?.AutoPull).toBe(true);
    await e.invoke('set', { service: SERVER_NAME, path: ['State', 'Repositories', BETA, 'AutoPull'], value: false });
    await until('the other panel sees false', () => serverState(other)?.Repositories[BETA]?.AutoPull === false);
  });

  it('rejects a refused Set with the service’s Log text, and two quick Sets of different paths both resolve', async () => {
    const e = await ready(cluster.hub.url);
    const error = await rejection(e.invoke('set', { service: SERVER_NAME, path: ['State', 'Repositories', '%SYNCED_STORAGE%\\Nope', 'AutoPull'], value: true }));
    expect(error.code).toBe('SET_REFUSED');
    expect(error.message).toContain('no repository "%SYNCED_STORAGE%\\Nope"');
    expect(serverState(e)?.Repositories['%SYNCED_STORAGE%\\Nope']).toBeUndefined();

    const gamma = '%SYNCED_STORAGE%\\Projects\\Gamma';
    await e.invoke('call', { service: SERVER_NAME, method: 'CreateRepository', params: { Name: gamma, Branch: 'Main' } });
    await Promise.all([
      e.invoke('set', { service: SERVER_NAME, path: ['State', 'Repositories', BETA, 'AutoPull'], value: true }),
      e.invoke('set', { service: SERVER_NAME, path: ['State', 'Repositories', gamma, 'AutoPull'], value: true }),
    ]);
    expect(serverState(e)?.Repositories).toMatchObject({ [BETA]: { AutoPull: true }, [gamma]: { AutoPull: true } });
    await e.invoke('reset', { service: SERVER_NAME });
    expect(serverState(e)?.Repositories).toMatchObject({ [BETA]: { AutoPull: false }, [gamma]: { AutoPull: false } });
  });

  it('surfaces a Call Failure with its code, through dispatchCommand too', async () => {
    const e = await ready(cluster.hub.url);
    const error = await rejection(e.invoke('call', { service: SERVER_NAME, method: 'CreateRepository', params: { Name: BETA, Branch: 'Main' } }));
    expect(error.code).toBe('REPOSITORY_ALREADY_EXISTS');
    const response = await dispatchCommand(e, 7, 'call', { service: SERVER_NAME, method: 'CreateRepository', params: { Name: BETA, Branch: 'Main' } });
    expect(response).toMatchObject({ id: 7, ok: false, error: { code: 'REPOSITORY_ALREADY_EXISTS' } });
    expect(await dispatchCommand(e, 8, 'call', { service: SERVER_NAME, method: 'Health', params: {} })).toEqual({ id: 8, ok: true, result: {} });
    expect(await dispatchCommand(e, 9, 'set', { service: SERVER_NAME })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS' } });
    expect(await dispatchCommand(e, 10, 'explode', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
  });

  it('times out a Call nobody answers', async () => {
    const e = engine({ hubUrl: cluster.hub.url, requestTimeoutMs: 400 });
    await until('connected', () => e.snapshot().connection.state === 'connected');
    const error = await rejection(e.invoke('call', { service: 'NOBODY-AssetHubClient', method: 'Scan', params: { Workspace: 'x' } }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('NOBODY-AssetHubClient');
  });

  it('keeps an invalid Value out of the cache and shows it as the service’s error; a valid one clears it', async () => {
    const e = await ready(cluster.hub.url);
    const good = serverState(e);
    probe.send(envelope<'Update'>(
      { Type: 'Update', Target: BROADCAST, Source: SERVER_NAME, Name: 'State' },
      { Value: { Repositories: { 'Project[dot]Beta': { AutoPull: 'yes' } } } },
    ));
    const entry = await until('the server shows an error', () => service(e, SERVER_NAME)?.error);
    expect(entry).toContain('State: Repositories.Project.Beta.AutoPull');
    expect(serverState(e)).toBe(good);
    // A path Update that would make the state invalid is kept out too.
    probe.send(envelope<'Update'>(
      { Type: 'Update', Target: BROADCAST, Source: SERVER_NAME, Name: 'State.Repositories.%SYNCED_STORAGE%\\Projects\\Project[dot]Beta.AutoPull' },
      { Value: 3 },
    ));
    await probe.roundTrip();
    expect(serverState(e)).toBe(good);
    await e.invoke('set', { service: SERVER_NAME, path: ['State', 'Repositories', BETA, 'AutoPull'], value: false });
    await until('the error cleared', () => service(e, SERVER_NAME)?.error === null);
  });

  it('re-reads a service’s states after its Startup', async () => {
    const e = await ready(cluster.hub.url);
    expect(serverState(e)?.Repositories[BETA]?.AutoPull).toBe(false);
    const repo = cluster.server.store.repositories().find((r) => r.name === BETA);
    // Changed behind the hub's back: only a re-read can show it.
    cluster.server.store.setAutoPull(new Map([[repo?.id ?? -1, true]]));
    const from = lastSeq(e);
    await cluster.restartServer();
    await until('the new value shown', () => serverState(e)?.Repositories[BETA]?.AutoPull === true);
    // The documented states at once; Integrations once the restarted server said again that it offers it.
    const reads = () => {
      const log = e.messageLog().filter((l) => l.seq > from);
      const startup = log.findIndex((l) => l.topic?.Type === 'Startup' && l.topic.Source === SERVER_NAME);
      return startup < 0 ? [] : log.slice(startup).filter((l) => l.direction === 'out' && l.topic?.Type === 'Get' && l.topic.Target === SERVER_NAME).map((l) => l.topic?.Name);
    };
    await until('every state read again', () => new Set(reads()).size === 5);
    expect(new Set(reads())).toEqual(new Set(['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo', 'Integrations']));
    cluster.server.store.setAutoPull(new Map([[repo?.id ?? -1, false]]));
    await cluster.restartServer();
    await until('back to false', () => serverState(e)?.Repositories[BETA]?.AutoPull === false);
  });

  it('batches a flood of 2,000 Updates into at most ~30 patch events per second, ending on the last value', async () => {
    const e = await ready(cluster.hub.url);
    const batches: Array<{ at: number; data: EventData<'patches'> }> = [];
    const logBatches: number[] = [];
    e.on('patches', (data) => batches.push({ at: performance.now(), data }));
    e.on('log', () => logBatches.push(performance.now()));
    const fake = 'STAGE-Z-AssetHubClient';
    const ws = '/srv/Synced Storage/Projects/Project.Flood';
    for (let i = 0; i < 2000; i++) {
      probe.send(envelope<'Update'>(
        { Type: 'Update', Target: BROADCAST, Source: fake, Name: 'State' },
        { Value: { Workspaces: { [ws.replaceAll('.', '[dot]')]: { AutoPull: i % 2 === 1 } } } },
      ));
    }
    await until('the last value shown', () => {
      const s = e.snapshot().states[fake]?.State as { Workspaces: Record<string, { AutoPull: boolean }> } | undefined;
      return s?.Workspaces[ws]?.AutoPull === true && e.messageLog().filter((l) => l.topic?.Source === fake).length >= 2000;
    });
    await new Promise((r) => setTimeout(r, 100));
    const first = batches[0]?.at ?? 0;
    expect(batches.filter((b) => b.at - first < 1000).length).toBeLessThanOrEqual(31);
    expect(batches.length).toBeLessThan(200);
    const firstLog = logBatches[0] ?? 0;
    expect(logBatches.filter((t) => t - firstLog < 1000).length).toBeLessThanOrEqual(31);
    // seq numbers count batches, one by one.
    expect(batches.map((b) => b.data.seq)).toEqual(batches.map((_, i) => (batches[0]?.data.seq ?? 0) + i));
    const lastState = batches.flatMap((b) => b.data.patches).filter((p) => p.type === 'state' && p.service === fake).at(-1);
    expect(lastState).toMatchObject({ value: { Workspaces: { [ws]: { AutoPull: true } } } });
    expect(e.snapshot().seq).toBe(batches.at(-1)?.data.seq);
  });

  it('keeps the message log a bounded ring; pause and clear', async () => {
    const e = await ready(cluster.hub.url);
    expect(await e.invoke('logControl', { capacity: 100 })).toEqual({ paused: false, capacity: 100 });
    for (let i = 0; i < 300; i++) {
      probe.send(envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: 'RING-AssetHubClient' }, { Level: 'Info', Message: `line ${i}` }));
    }
    await until('the last line logged', () => e.messageLog().some((l) => l.body.includes('line 299')));
    const entries = e.messageLog();
    expect(entries.length).toBe(100);
    expect(entries.map((l) => l.seq)).toEqual([...entries.map((l) => l.seq)].sort((a, b) => a - b));
    // The newest Log is the last line (an Update of another service may have come after it on a loaded machine).
    expect(entries.filter((l) => l.topic?.Type === 'Log').at(-1)?.body).toBe('{"Level":"Info","Message":"line 299"}');
    expect(await e.invoke('logControl', { paused: true, clear: true })).toEqual({ paused: true, capacity: 100 });
    probe.send(envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: 'RING-AssetHubClient' }, { Level: 'Info', Message: 'unseen' }));
    await probe.roundTrip();
    await e.invoke('get', { service: SERVER_NAME, path: ['State'] });
    expect(e.messageLog()).toEqual([]);
    await e.invoke('logControl', { paused: false });
    await e.invoke('get', { service: SERVER_NAME, path: ['State'] });
    // Logging again: the Get and its answer (heartbeats every 300 ms may come between them on a loaded machine).
    expect(e.messageLog().filter((l) => l.topic?.Name === 'State').map((l) => `${l.direction} ${l.topic?.Type}`)).toEqual(['out Get', 'in Update']);
  });

  it('answers Identify as a service: another panel sees it as a panel', async () => {
    const a = await ready(cluster.hub.url);
    const b = engine({ hubUrl: cluster.hub.url, panelName: 'OPS-AssetHubPanel-b' });
    await until('a sees b', () => a.snapshot().services.find((s) => s.name === 'OPS-AssetHubPanel-b' && s.online));
    expect(service(a, 'OPS-AssetHubPanel-b')).toMatchObject({ kind: 'panel', machine: 'OPS' });
    await until('b sees a', () => b.snapshot().services.some((s) => s.kind === 'panel'));
  });

  it("answers a Pixotope Store's Identify: the panel, the server, the client (and the WebSocket Data Hub) each send a Self to it", async () => {
    const e = await ready(cluster.hub.url);
    // A peer named like Pixotope's Store (reserved for Pixotope: no service of ours takes it, anyone may send as it).
    const store = await cluster.probe('Store');
    const from = store.messages.length;
    store.send(envelope<'Identify'>({ Type: 'Identify', Source: 'Store' }, {}));
    // The ZeroMQ fabric's hub is libzmq's proxy: it forwards, it does not answer.
    const answerers = [e.snapshot().connection.panelName, SERVER_NAME, CLIENT, ...(cluster.hub.fabric === 'ws' ? ['DataHub'] : [])];
    const selfs = await until('a Self from each', () => {
      const got = store.messages.slice(from).filter((m) => m.topic.Type === 'Self');
      return answerers.every((n) => got.some((m) => m.topic.Type === 'Self' && m.topic.Source === n)) ? got : null;
    });
    for (const name of answerers) {
      const self = selfs.find((m) => m.topic.Type === 'Self' && m.topic.Source === name);
      expect(self?.topic, name).toEqual({ Type: 'Self', Target: 'Store', Source: name });
      expect(self?.message, name).toMatchObject({ Value: { Version: expect.any(String), Machine: expect.any(String), StartedAt: expect.any(String) } });
    }
    // The panel lists the Store it heard (it never answered the panel's Identify with a Self: version unknown).
    await until('the Store listed', () => service(e, 'Store')?.online);
    expect(service(e, 'Store')).toMatchObject({ kind: 'other', version: null });
  });
});

describe('real Pixotope peers on the ZeroMQ fabric (raw bytes, matched by the hub as sent)', () => {
  it('hears an Update in the other key order and an Update, Log or Self without Target', async () => {
    const hub = await startDataHub({ fabric: 'zmq', host: '127.0.0.1', subPort: 0, pubPort: 0, logger: silentLogger() });
    const pub = new zmq.Publisher({ linger: 0 });
    try {
      if (hub.fabric !== 'zmq') throw new Error('expected a ZeroMQ hub');
      pub.connect(`tcp://127.0.0.1:${hub.pubPort}`);
      const e = engine({ hubUrl: hub.url });
      await until('connected', () => e.snapshot().connection.state === 'connected');
      const frames: Array<[Record<string, unknown>, unknown]> = [
        [{ Type: 'Update', Source: 'Store', Target: BROADCAST, Name: 'ConnectedClients' }, { Value: [{ Name: 'Machine1-CTS', Role: 'CTS' }] }],
        [{ Type: 'Update', Source: 'Machine2-CTS', Name: 'State' }, { Value: {} }],
        [{ Type: 'Log', Source: 'Machine1-CTS' }, { Level: 'debug', Text: 'tick' }],
        [{ Type: 'Self', Source: 'Director' }, { Value: 'ok' }],
      ];
      const names = ['Store', 'Machine2-CTS', 'Machine1-CTS', 'Director'];
      // A PUB socket drops what it sends before the hub's subscriptions reach it: send until heard (bounded).
      await until('every raw peer heard', async () => {
        for (const [topic, message] of frames) await pub.send([JSON.stringify(topic), JSON.stringify(message)]);
        return names.every((n) => service(e, n)?.online);
      }, 10_000, 100);
      for (const n of names) expect(service(e, n), n).toMatchObject({ kind: 'other', version: null });
      expect(service(e, 'Machine2-CTS')?.machine).toBeNull();
      expect(service(e, 'Director')?.machine).toBeNull();
    } finally {
      pub.close();
      await hub.close();
    }
  });
});

describe('reconnecting', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('goes reconnecting then connected when the hub restarts on its port, and re-reads what changed meanwhile', async () => {
    const dir = await tempDir('panel-reconnect-');
    let hub: Hub = await startHub({ port: 0, logger: silentLogger() });
    const port = hub.port;
    const server: RunningServer = await startServer({ dataDir: path.join(dir, 'server'), hubUrl: hub.url, storagePort: 0, logger: silentLogger() });
    cleanups.push(async () => {
      await server.close();
      await hub.close();
    });
    const e = engine({ hubUrl: hub.url });
    const statuses: ConnectionStatus[] = [];
    e.on('connection', (s) => statuses.push(s));
    await until('connected', () => e.snapshot().connection.state === 'connected');
    await e.invoke('call', { service: SERVER_NAME, method: 'CreateRepository', params: { Name: BETA, Branch: 'Main' } });
    await until('State read', () => serverState(e)?.Repositories[BETA]);

    await hub.close();
    const down = await until('reconnecting', () => statuses.find((s) => s.state === 'reconnecting'));
    expect(down.attempt).toBeGreaterThanOrEqual(1);
    expect(down.retryAt).toBeGreaterThan(down.since - 1);
    expect(down.reason).toBeTruthy();
    await until('the server offline', () => service(e, SERVER_NAME)?.online === false);
    // A request while down fails at once.
    expect((await rejection(e.invoke('get', { service: SERVER_NAME, path: ['State'] }))).code).toBe('NOT_CONNECTED');

    const repo = server.store.repositories().find((r) => r.name === BETA);
    server.store.setAutoPull(new Map([[repo?.id ?? -1, true]]));
    hub = await startHub({ port, logger: silentLogger() });
    await until('connected again', () => e.snapshot().connection.state === 'connected', 15_000);
    const states = statuses.map((s) => s.state);
    expect(states.lastIndexOf('connected')).toBeGreaterThan(states.indexOf('reconnecting'));
    await until('the changed value re-read', () => serverState(e)?.Repositories[BETA]?.AutoPull === true, 15_000);
    await until('the server online again', () => service(e, SERVER_NAME)?.online);
  });

  it('fails (no retry) when the hub refuses the token, and connects with the right one', async () => {
    const hub = await startHub({ port: 0, token: 'right', logger: silentLogger() });
    cleanups.push(() => hub.close());
    const e = engine({ hubUrl: hub.url, token: 'wrong' });
    const failed = await until('failed', () => (e.snapshot().connection.state === 'failed' ? e.snapshot().connection : null));
    expect(failed.reason).toContain('401');
    await e.invoke('connect', { hubUrl: hub.url, token: 'right' });
    await until('connected', () => e.snapshot().connection.state === 'connected');
    await until('the hub seen', () => service(e, 'DataHub')?.online);
    await e.invoke('disconnect', {});
    expect(e.snapshot().connection.state).toBe('disconnected');
    expect(service(e, 'DataHub')?.online).toBe(false);
  });
});
