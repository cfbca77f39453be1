// The server's `Integrations` state (docs/PROTOCOL.md §5) in the engine: read with the other states, validated, keyed
// by decoded integration name, entries removed by null, and Sets confirmed although Secret is write-only.
import { afterEach, describe, expect, it } from 'vitest';
import { BROADCAST, SERVER_NAME, decodeFrame, encodeFrame, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { parseStateByName, stateTraitsOf } from '../../shared/assethub/index.ts';
import { silentLogger as pinoLogger } from '../../services/lib/log.ts';
import { until } from '../../services/testing/wait.ts';
import { statesOf } from './refresh.ts';
import { expectedShown, showsSet } from './confirm.ts';
import { memoryTransport, type MemoryTransport } from '../../peer/testing/memory-transport.ts';
import { createPanelEngine, type PanelEngine } from './index.ts';

const PANEL = 'UNIT-AssetHubPanel-0002';

const engines: PanelEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function setup(): Promise<{ e: PanelEngine; hub: MemoryTransport }> {
  const hub = memoryTransport();
  const e = createPanelEngine({ panelName: PANEL, hubUrl: 'ws://memory', transport: hub.factory, heartbeatMs: 10_000, requestTimeoutMs: 2000, logger: pinoLogger() });
  engines.push(e);
  await until('connected', () => e.snapshot().connection.state === 'connected');
  return { e, hub };
}

const update = (name: string, value: unknown): string =>
  encodeFrame(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: SERVER_NAME, Name: name }, { Value: value }));
const sent = (hub: MemoryTransport): Envelope[] =>
  hub.sent.map((t) => decodeFrame(t)).flatMap((f) => (f.ok && f.value.kind === 'message' ? [f.value.envelope] : []));
const echoLastSet = (hub: MemoryTransport) => {
  const m = sent(hub).filter((x) => x.topic.Type === 'Set').at(-1);
  if (!m) throw new Error('no Set sent');
  hub.deliver(encodeFrame(m));
};

function entry(name: string, extra: Record<string, unknown> = {}) {
  return {
    Name: name, Enabled: true, EndpointUrl: 'http://127.0.0.1:9/hook', Filter: '', Configuration: {}, TenantId: 't1',
    BatchSize: 50, TimeoutMs: 10_000, Retry: { MaxAttempts: 5, InitialDelayMs: 1000, Multiplier: 2 }, Repositories: [],
    SecretSet: false, Tracked: 3, Failed: 1, Pending: 0, Sync: null, LastDeliveryAt: null, LastError: null, ...extra,
  };
}
const integrations = (e: PanelEngine) => e.snapshot().states[SERVER_NAME]?.Integrations as Record<string, ReturnType<typeof entry>> | undefined;
const serverError = (e: PanelEngine) => e.snapshot().services.find((s) => s.name === SERVER_NAME)?.error ?? null;

describe('the server Integrations state', () => {
  it('is read once the server says it offers it (after the documented states); clients are not asked for it', async () => {
    expect(statesOf('server')).toEqual(['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo', 'Integrations']);
    expect(statesOf('client')).not.toContain('Integrations');
    const { hub } = await setup();
    hub.deliver(encodeFrame(envelope<'Startup'>({ Type: 'Startup', Target: BROADCAST, Source: SERVER_NAME }, {})));
    const asked = () => sent(hub).find((m) => m.topic.Type === 'Call' && m.topic.Method === 'GetCapabilities');
    await until('asked what it offers', () => asked() !== undefined);
    const gets = () => sent(hub).flatMap((m) => (m.topic.Type === 'Get' && m.topic.Target === SERVER_NAME ? [m.topic.Name] : []));
    expect(gets()).not.toContain('Integrations');
    const call = asked()?.topic;
    if (call?.Type !== 'Call') throw new Error('no Call');
    const Result = { Methods: [{ Name: 'QueryIntegrationAssets', Version: 1 }], States: [{ Name: 'State', Version: 1 }, { Name: 'Integrations', Version: 1 }] };
    hub.deliver(encodeFrame(envelope<'CallResult'>({ Type: 'CallResult', Target: call.RespondTo, ExecutedOn: SERVER_NAME, Method: call.Method, ID: call.ID }, { Result })));
    await until('Integrations read', () => gets().includes('Integrations'));
  });

  it('caches the validated map by decoded name, applies path Updates, removes an entry on null, keeps invalid values out', async () => {
    const { e, hub } = await setup();
    hub.deliver(update('Integrations', { 'Show[dot]Webhook': entry('Show.Webhook'), Plain: entry('Plain') }));
    expect(Object.keys(integrations(e) ?? {})).toEqual(['Show.Webhook', 'Plain']);
    hub.deliver(update('Integrations.Show[dot]Webhook.Enabled', false));
    expect(integrations(e)?.['Show.Webhook']?.Enabled).toBe(false);
    hub.deliver(update('Integrations.Show[dot]Webhook', entry('Show.Webhook', { Failed: 0, Tracked: 4 })));
    expect(integrations(e)?.['Show.Webhook']).toMatchObject({ Enabled: true, Failed: 0, Tracked: 4 });
    hub.deliver(update('Integrations.Plain', null));
    expect(Object.keys(integrations(e) ?? {})).toEqual(['Show.Webhook']);
    expect(serverError(e)).toBeNull();

    const good = integrations(e);
    hub.deliver(update('Integrations.Show[dot]Webhook.Tracked', -1));
    expect(integrations(e)).toBe(good);
    expect(serverError(e)).toMatch(/^Integrations: Show\.Webhook\.Tracked/);
    hub.deliver(update('Integrations', {}));
    expect(integrations(e)).toEqual({});
    expect(serverError(e)).toBeNull();
  });

  it('parses by name for the server only', () => {
    expect(parseStateByName('server', 'Integrations', { 'a[dot]b': entry('a.b') })).toMatchObject({ ok: true, value: { 'a.b': { Name: 'a.b' } } });
    expect(parseStateByName('server', 'Integrations', { x: { Name: 'x' } }).ok).toBe(false);
    expect(parseStateByName('client', 'Integrations', {}).ok).toBe(false);
  });

  it('confirms a Set with a Secret by SecretSet, and a removal by the entry being gone', async () => {
    const { e, hub } = await setup();
    hub.deliver(update('Integrations', { Hook: entry('Hook') }));
    const config = { ...entry('Hook'), Secret: 's3cret', TenantId: 't2' } as Record<string, unknown>;
    for (const live of ['SecretSet', 'Tracked', 'Failed', 'Pending', 'Sync', 'LastDeliveryAt', 'LastError']) delete config[live];
    const set = e.invoke('set', { service: SERVER_NAME, path: ['Integrations', 'Hook'], value: config });
    echoLastSet(hub);
    // Accepted but the Secret not stored would be a lie: SecretSet must show it.
    hub.deliver(update('Integrations', { Hook: entry('Hook', { TenantId: 't2', SecretSet: true }) }));
    await expect(set).resolves.toEqual({});

    const refused = e.invoke('set', { service: SERVER_NAME, path: ['Integrations', 'Hook', 'Secret'], value: 'other' });
    echoLastSet(hub);
    // The server logs why, then broadcasts the state it kept.
    hub.deliver(encodeFrame(envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: SERVER_NAME }, { Level: 'Warning', Message: 'Set Integrations refused: no' })));
    hub.deliver(update('Integrations', { Hook: entry('Hook', { SecretSet: false }) }));
    await expect(refused).rejects.toMatchObject({ code: 'SET_REFUSED' });

    const removed = e.invoke('set', { service: SERVER_NAME, path: ['Integrations', 'Hook'], value: null });
    echoLastSet(hub);
    hub.deliver(update('Integrations', {}));
    await expect(removed).resolves.toEqual({});
    expect(integrations(e)).toEqual({});
  });

  it('expectedShown and showsSet', () => {
    expect(expectedShown(stateTraitsOf('server', 'State'), ['Repositories'], { Secret: 'x' })).toEqual({ rest: ['Repositories'], value: { Secret: 'x' } });
    expect(expectedShown(stateTraitsOf('server', 'Integrations'), ['H'], { Enabled: true, Secret: 'x' })).toEqual({ rest: ['H'], value: { Enabled: true, SecretSet: true } });
    expect(expectedShown(stateTraitsOf('server', 'Integrations'), ['H'], { Enabled: true })).toEqual({ rest: ['H'], value: { Enabled: true } });
    expect(expectedShown(stateTraitsOf('server', 'Integrations'), [], { H: { Secret: 'x' } })).toEqual({ rest: [], value: { H: { SecretSet: true } } });
    expect(expectedShown(stateTraitsOf('server', 'Integrations'), ['H', 'Secret'], 'x')).toEqual({ rest: ['H', 'SecretSet'], value: true });
    expect(showsSet(null, undefined)).toBe(true);
    expect(showsSet(null, { a: 1 })).toBe(false);
    expect(showsSet({ a: 1 }, { a: 1, b: 2 })).toBe(true);
  });
});
