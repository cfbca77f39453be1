// The ZeroMQ hub is killed (SIGKILL, its own process) and restarted on the same two ports while the panel engine, the
// server and a client run: the panel shows it lost the hub within 5 s, then reconnects and re-reads every state of
// both services; no service crashes or stays deaf.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConnectionStatus, LogEntry } from '../../shared/panel/api.ts';
import { SERVER_NAME, zmqHubUrl } from '../../shared/protocol/index.ts';
import { createPanelEngine, type PanelEngine } from '../../main/hub/engine.ts';
import { startClient, type RunningClient } from '../client/client.ts';
import { silentLogger } from '../lib/log.ts';
import { startServer, type RunningServer } from '../server/server.ts';
import { tempDir } from '../testing/cluster.ts';
import { Probe } from '../testing/probe.ts';
import { exited } from '../testing/server-process.ts';
import { until } from '../testing/wait.ts';
import { freePort } from '../testing/ports.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REPO = '%SYNCED_STORAGE%\\Projects\\Project.Beta';
const CLIENT = 'STAGE-A-AssetHubClient';
const PANEL = 'RESTART-AssetHubPanel';
const STATES = ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] as const;

/** `services/datahub/main.ts --fabric zmq` as its own process; resolves once it printed its address. */
async function spawnHub(subPort: number, pubPort: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'services/datahub/main.ts', '--fabric', 'zmq', '--sub-port', String(subPort), '--pub-port', String(pubPort)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ASSETHUB_LOG_LEVEL: 'warn' } },
  );
  hubs.push(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub did not start within 20 s:\n${out.slice(-3000)}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Data Hub ready on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited (${code ?? signal}) before it was ready:\n${out.slice(-3000)}`));
    });
  });
  return { child, url };
}

const hubs: ChildProcess[] = [];
const logger = silentLogger();
let dir = '';
let subPort = 0;
let pubPort = 0;
let hubUrl = '';
let hub: ChildProcess;
let server: RunningServer | undefined;
let client: RunningClient | undefined;
let engine: PanelEngine | undefined;
const probes: Probe[] = [];
let workspace = '';

beforeAll(async () => {
  dir = await tempDir('zmq-restart-');
  subPort = await freePort();
  do pubPort = await freePort();
  while (pubPort === subPort);
  ({ child: hub, url: hubUrl } = await spawnHub(subPort, pubPort));
  expect(hubUrl).toBe(zmqHubUrl('127.0.0.1', subPort, pubPort));
  server = await startServer({ dataDir: path.join(dir, 'server'), hubUrl, storagePort: 0, logger });
  client = await startClient({ machine: 'STAGE-A', dataDir: path.join(dir, 'STAGE-A'), storageDir: path.join(dir, 'STAGE-A', 'Synced Storage'), hubUrl, logger });
  const setup = await Probe.connect(hubUrl);
  probes.push(setup);
  await setup.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  workspace = (await until('the client creates its workspace', () => setup.ok<{ Workspace: string }>(CLIENT, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }))).Workspace;
  await setup.close();
}, 60_000);

afterAll(async () => {
  await engine?.close();
  for (const p of probes) await p.close();
  await client?.close();
  await server?.close();
  for (const child of hubs) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

const after = (e: PanelEngine, seq: number, direction: 'in' | 'out', pred: (topic: Record<string, string>) => boolean): LogEntry[] =>
  e.messageLog().filter((l) => l.seq > seq && l.direction === direction && l.topic !== null && pred(l.topic));

it('the panel sees the hub die within 5 s, then reconnects, re-reads every state, and every service answers again', async () => {
  if (!server || !client) throw new Error('setup failed');
  const e = (engine = createPanelEngine({ panelName: PANEL, hubUrl, heartbeatMs: 1000, requestTimeoutMs: 3000 }));
  const statuses: Array<ConnectionStatus & { at: number }> = [];
  e.on('connection', (s) => statuses.push({ ...s, at: Date.now() }));
  await until('the engine read every state of the server and the client', () => {
    const s = e.snapshot().states;
    return STATES.every((n) => s[SERVER_NAME]?.[n] !== undefined && s[CLIENT]?.[n] !== undefined);
  }, 20_000);
  expect(e.snapshot().connection.state).toBe('connected');
  const repo = server.store.repositories().find((r) => r.name === REPO);
  expect(e.snapshot().states[SERVER_NAME]?.State).toEqual({ Repositories: { [REPO]: { AutoPull: false } } });

  // ---- kill the hub ----
  const from = statuses.length;
  const killedAt = Date.now();
  hub.kill('SIGKILL');
  const lost = await until('the engine leaves connected', () => statuses.slice(from).find((s) => s.state !== 'connected'), 10_000, 10);
  // The acceptance criterion itself is a bound on time: the panel shows the loss within 5 s of the kill.
  expect(lost.at - killedAt).toBeLessThan(5000);
  expect(e.snapshot().connection.state).not.toBe('connected');
  expect(e.snapshot().services.find((s) => s.name === SERVER_NAME)?.online).toBe(false);
  await exited(hub);
  await until('the services notice the hub is gone', () => !server?.host.connected && !client?.host.connected, 10_000);

  // While the hub is down, the server's State changes (no one can hear of it).
  server.store.setAutoPull(new Map([[repo?.id ?? -1, true]]));

  // ---- restart it on the same two ports ----
  const seq = e.messageLog().at(-1)?.seq ?? 0;
  ({ child: hub } = await spawnHub(subPort, pubPort));
  await until('the engine is connected again', () => e.snapshot().connection.state === 'connected', 20_000);
  await until('the server and the client are connected again', () => server?.host.connected && client?.host.connected, 20_000);

  // Every state of both services is asked for again and answered.
  for (const service of [SERVER_NAME, CLIENT]) {
    for (const state of STATES) {
      await until(`${service} ${state} re-read`, () =>
        after(e, seq, 'out', (t) => t.Type === 'Get' && t.Target === service && t.Name === state && t.RespondTo === PANEL).length > 0
        && after(e, seq, 'in', (t) => t.Type === 'Update' && t.Target === PANEL && t.Source === service && t.Name === state).length > 0, 20_000);
    }
  }
  await until('the change made while the hub was down is seen', () =>
    (e.snapshot().states[SERVER_NAME]?.State as { Repositories: Record<string, { AutoPull: boolean }> } | undefined)?.Repositories[REPO]?.AutoPull === true, 10_000);
  await until('the server and the client are online again', () =>
    [SERVER_NAME, CLIENT].every((n) => e.snapshot().services.find((s) => s.name === n)?.online), 10_000);
  expect(statuses.slice(from).map((s) => s.state).at(-1)).toBe('connected');

  // ---- no service stays deaf ----
  const probe = await Probe.connect(hubUrl);
  probes.push(probe);
  expect(await probe.ok(SERVER_NAME, 'Health')).toEqual({});
  expect(await probe.get(CLIENT, ['State'])).toEqual({ Workspaces: {} });
  await e.invoke('set', { service: CLIENT, path: ['State', 'Workspaces', workspace, 'AutoPull'], value: false });
  expect(e.snapshot().states[CLIENT]?.State).toEqual({ Workspaces: { [workspace]: { AutoPull: false } } });
  expect(await probe.get(CLIENT, ['State'])).toEqual({ Workspaces: { [workspace]: { AutoPull: false } } });
  expect(await e.invoke('call', { service: SERVER_NAME, method: 'Health', params: {} })).toEqual({});
  expect(hub.exitCode).toBeNull();
}, 120_000);
