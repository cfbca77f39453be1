// A service (Pixotope's own, or any) may name a repository, workspace, client or integration `__proto__` or
// `constructor`: the panel caches, updates and lists such names as plain keys.
import { afterEach, expect, it } from 'vitest';
import { Snapshot } from '../../shared/panel/api.ts';
import { BROADCAST, SERVER_NAME, encodeFrame, envelope } from '../../shared/protocol/index.ts';
import { until } from '../../services/testing/wait.ts';
import { memoryTransport } from '../../peer/testing/memory-transport.ts';
import { createPanelEngine, type PanelEngine } from './index.ts';

const PANEL = 'NAMES-AssetHubPanel-0001';
const CLIENT = 'STAGE-A-AssetHubClient';
const STATUS = { Incoming: false, Outcoming: false, Activity: 'Idle', Stage: 'Finalizing', Current: 0, Total: 0, Progress: 1 };

const engines: PanelEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function setup() {
  const hub = memoryTransport();
  const e = createPanelEngine({ panelName: PANEL, hubUrl: 'ws://memory', transport: hub.factory, heartbeatMs: 10_000 });
  engines.push(e);
  await until('connected', () => e.snapshot().connection.state === 'connected');
  return { e, hub };
}

/** An Update whose Value is JSON text as it travels (a `__proto__` key is an ordinary key of JSON). */
const update = (source: string, name: string, json: string): string =>
  encodeFrame(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: source, Name: name }, { Value: JSON.parse(json) as unknown }));

const stateOf = (e: PanelEngine, service: string, state: string) => e.snapshot().states[service]?.[state] as Record<string, Record<string, unknown>> | undefined;

it('caches and updates repositories named `__proto__` and `constructor` as plain keys', async () => {
  const { e, hub } = await setup();
  hub.deliver(update(SERVER_NAME, 'State', '{"Repositories":{"__proto__":{"AutoPull":true},"constructor":{"AutoPull":false},"A[dot]B":{"AutoPull":true}}}'));
  const state = await until('the State cached', () => stateOf(e, SERVER_NAME, 'State'));
  expect(Object.keys(state.Repositories!)).toEqual(['__proto__', 'constructor', 'A.B']);
  expect(state.Repositories!.constructor).toEqual({ AutoPull: false });

  hub.deliver(update(SERVER_NAME, 'State.Repositories.__proto__.AutoPull', 'false'));
  await until('the Update applied', () => (stateOf(e, SERVER_NAME, 'State')?.Repositories?.['__proto__'] as { AutoPull?: boolean } | undefined)?.AutoPull === false);
  expect(Object.keys(stateOf(e, SERVER_NAME, 'State')!.Repositories!)).toEqual(['__proto__', 'constructor', 'A.B']);
  expect(Snapshot.parse(e.snapshot()).states[SERVER_NAME]).toBeDefined();
});

it('lists clients that WorkspaceInfo.Clients names `__proto__` or `constructor`, and caches workspaces so named', async () => {
  const { e, hub } = await setup();
  const client = (name: string) => JSON.stringify({ Name: name, Status: STATUS });
  hub.deliver(update(SERVER_NAME, 'WorkspaceInfo', `{"Status":${JSON.stringify(STATUS)},"Clients":{"__proto__":${client('__proto__')},"constructor":${client('constructor')}}}`));
  await until('the clients listed', () => ['__proto__', 'constructor'].every((n) => e.snapshot().services.some((s) => s.name === n)));
  expect(Object.keys(stateOf(e, SERVER_NAME, 'WorkspaceInfo')!.Clients!)).toEqual(['__proto__', 'constructor']);

  hub.deliver(update(CLIENT, 'State', '{"Workspaces":{"__proto__":{"AutoPull":true}}}'));
  const ws = await until('the client State cached', () => stateOf(e, CLIENT, 'State'));
  expect(Object.keys(ws.Workspaces!)).toEqual(['__proto__']);
});

it('caches an `Integrations` entry keyed `__proto__` from a server that has one', async () => {
  const { e, hub } = await setup();
  const entry = {
    Name: '__proto__', Enabled: true, EndpointUrl: 'http://127.0.0.1/hook', Filter: '', Configuration: {}, TenantId: '', BatchSize: 1, TimeoutMs: 1000,
    Retry: { MaxAttempts: 1, InitialDelayMs: 0, Multiplier: 1 }, Repositories: [], SecretSet: true, Tracked: 0, Failed: 0, Pending: 0, Sync: null,
    LastDeliveryAt: null, LastError: null,
  };
  hub.deliver(update(SERVER_NAME, 'Integrations', `{"__proto__":${JSON.stringify(entry)},"DAM[dot]Main":${JSON.stringify({ ...entry, Name: 'DAM.Main' })}}`));
  const integrations = await until('Integrations cached', () => stateOf(e, SERVER_NAME, 'Integrations'));
  expect(Object.keys(integrations)).toEqual(['__proto__', 'DAM.Main']);
});
