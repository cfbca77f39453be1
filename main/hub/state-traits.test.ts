// The engine knows no state by name: what it does with a state's entries and write-only fields follows the traits
// table (shared/assethub/state-traits.ts). Each test gives it another table and shows it follows that one instead.
import { afterEach, describe, expect, it } from 'vitest';
import { BROADCAST, SERVER_NAME, decodeFrame, encodeFrame, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { PLAIN_STATE, STATE_TRAITS, type StateTraits, type StateTraitsTable } from '../../shared/assethub/state-traits.ts';
import { messageBody } from '../../peer/ws-transport.ts';
import { silentLogger as pinoLogger } from '../../services/lib/log.ts';
import { until } from '../../services/testing/wait.ts';
import { Confirmations, expectedShown } from './confirm.ts';
import { MessageLog, REDACTED } from './message-log.ts';
import { StateCache } from './state-cache.ts';
import { memoryTransport, type MemoryTransport } from '../../peer/testing/memory-transport.ts';
import { createPanelEngine, type PanelEngine } from './index.ts';

const PANEL = 'UNIT-AssetHubPanel-0003';
const CLIENT = 'STAGE-A-AssetHubClient';
/** A client State with a write-only `Token` (shown as `TokenSet`): a state the engine has never heard of. */
const TOKEN: StateTraits = { keyedByName: false, removableByNull: false, writeOnly: { Token: 'TokenSet' } };
const WITH_TOKEN: StateTraitsTable = { ...STATE_TRAITS, client: { ...STATE_TRAITS.client, State: TOKEN } };
/** Integrations as a plain state: no entries removed by null, no Secret, keys not names. */
const PLAIN_INTEGRATIONS: StateTraitsTable = { ...STATE_TRAITS, server: { ...STATE_TRAITS.server, Integrations: PLAIN_STATE } };

const engines: PanelEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function setup(stateTraits?: StateTraitsTable, requestTimeoutMs = 2000): Promise<{ e: PanelEngine; hub: MemoryTransport }> {
  const hub = memoryTransport();
  const e = createPanelEngine({
    panelName: PANEL, hubUrl: 'ws://memory', transport: hub.factory, heartbeatMs: 10_000, requestTimeoutMs, logger: pinoLogger(), ...(stateTraits ? { stateTraits } : {}),
  });
  engines.push(e);
  await until('connected', () => e.snapshot().connection.state === 'connected');
  return { e, hub };
}

const update = (source: string, name: string, value: unknown): string =>
  encodeFrame(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: source, Name: name }, { Value: value }));
const echoLastSet = (hub: MemoryTransport) => {
  const m = hub.sent.map((t) => decodeFrame(t)).flatMap((f) => (f.ok && f.value.kind === 'message' ? [f.value.envelope] : [])).filter((x) => x.topic.Type === 'Set').at(-1);
  if (!m) throw new Error('no Set sent');
  hub.deliver(encodeFrame(m));
};

function entry(name: string) {
  return {
    Name: name, Enabled: true, EndpointUrl: 'http://127.0.0.1:9/hook', Filter: '', Configuration: {}, TenantId: 't1',
    BatchSize: 50, TimeoutMs: 10_000, Retry: { MaxAttempts: 5, InitialDelayMs: 1000, Multiplier: 2 }, Repositories: [],
    SecretSet: false, Tracked: 0, Failed: 0, Pending: 0, Sync: null, LastDeliveryAt: null, LastError: null,
  };
}

describe('expectedShown reads the traits it is given', () => {
  it('a write-only field of a state that is no map: shown by its flag', () => {
    expect(expectedShown(TOKEN, [], { Token: 'abc', Level: 2 })).toEqual({ rest: [], value: { Level: 2, TokenSet: true } });
    expect(expectedShown(TOKEN, ['Token'], 'abc')).toEqual({ rest: ['TokenSet'], value: true });
    expect(expectedShown(TOKEN, ['Token'], '')).toEqual({ rest: ['Token'], value: '' });
    expect(expectedShown(TOKEN, ['Level'], 2)).toEqual({ rest: ['Level'], value: 2 });
  });

  it('a plain state: what was set is what must show, whatever its field names', () => {
    expect(expectedShown(PLAIN_STATE, ['H'], { Secret: 'x' })).toEqual({ rest: ['H'], value: { Secret: 'x' } });
    expect(expectedShown(PLAIN_STATE, ['H', 'Secret'], 'x')).toEqual({ rest: ['H', 'Secret'], value: 'x' });
  });
});

describe('Confirmations read the traits table', () => {
  it('confirms a Set of a write-only field by its flag, for whatever state the table names', async () => {
    const sent: Envelope[] = [];
    const c = new Confirmations({ timeoutMs: 300, traits: WITH_TOKEN, send: (m) => sent.push(m) > 0 });
    const set = c.set(CLIENT, ['State', 'Token'], 'abc');
    c.onRequestSeen('Set', CLIENT, 'State.Token');
    c.onBroadcast(CLIENT, ['State'], { Workspaces: {}, TokenSet: true });
    await expect(set).resolves.toBeUndefined();

    // The shared table knows no such field: there the Set waits for `Token` itself to show.
    const plain = new Confirmations({ timeoutMs: 300, send: (m) => sent.push(m) > 0 });
    const waiting = plain.set(CLIENT, ['State', 'Token'], 'abc');
    plain.onRequestSeen('Set', CLIENT, 'State.Token');
    plain.onBroadcast(CLIENT, ['State'], { Workspaces: {}, TokenSet: true });
    await expect(waiting).rejects.toMatchObject({ code: 'SET_REFUSED' });
  });
});

describe('the state cache reads the traits table', () => {
  const events = { onState() {}, onError() {} };

  it('removes an entry on null only in a state whose traits say so', () => {
    const removable: StateTraitsTable = { hub: { Stats: { keyedByName: true, removableByNull: true, writeOnly: {} } } };
    const cache = new StateCache(events, removable);
    cache.applyWhole('DataHub', 'hub', 'Stats', { a: 1, b: 2 });
    cache.applyPath('DataHub', 'hub', 'Stats', ['a'], null);
    expect(cache.get('DataHub', 'Stats')).toEqual({ b: 2 });

    const shared = new StateCache(events);
    shared.applyWhole('DataHub', 'hub', 'Stats', { a: 1, b: 2 });
    shared.applyPath('DataHub', 'hub', 'Stats', ['a'], null);
    expect(shared.get('DataHub', 'Stats')).toEqual({ a: null, b: 2 });
  });
});

describe('the message log reads the write-only fields it is given', () => {
  const set = (name: string, value: unknown) => envelope<'Set'>({ Type: 'Set', Target: CLIENT, Name: name }, { Value: value });
  const logged = (log: MessageLog, m: Envelope) => JSON.parse(log.record('out', messageBody(encodeFrame(m), m), m, 10)?.body ?? '') as unknown;

  it('redacts those fields in any Set, and no others', () => {
    const log = new MessageLog(10, 1_000_000, Date.now, ['Token', 'a.b']);
    expect(logged(log, set('State', { Token: 'abc', Secret: 'kept' }))).toEqual({ Value: { Token: REDACTED, Secret: 'kept' } });
    expect(logged(log, set('State.Token', { 'a.b': 'x', 'aXb': 'y' }))).toEqual({ Value: { 'a.b': REDACTED, aXb: 'y' } });
    // A Set of the field itself: its Value is the secret.
    expect(logged(log, set('State.Token', 'abc'))).toEqual({ Value: REDACTED });
    expect(logged(log, set('State.a[dot]b', 'abc'))).toEqual({ Value: REDACTED });
    expect(logged(log, set('State.Token', null))).toEqual({ Value: null });
    expect(logged(log, set('State.Other', 'abc'))).toEqual({ Value: 'abc' });
    const none = new MessageLog(10, 1_000_000, Date.now, []);
    expect(logged(none, set('Integrations.H', { Secret: 'x' }))).toEqual({ Value: { Secret: 'x' } });
  });
});

describe('the engine reads its traits table', () => {
  it('with Integrations declared plain: keys are not decoded, null does not remove an entry', async () => {
    const { e, hub } = await setup(PLAIN_INTEGRATIONS);
    hub.deliver(update(SERVER_NAME, 'Integrations', { 'Show[dot]Hook': entry('Show.Hook'), Plain: entry('Plain') }));
    const integrations = () => Object.keys((e.snapshot().states[SERVER_NAME]?.Integrations ?? {}) as object);
    expect(integrations()).toEqual(['Show[dot]Hook', 'Plain']);
    hub.deliver(update(SERVER_NAME, 'Integrations.Plain', null));
    // null is then a value, and no valid entry: kept out of the cache.
    expect(integrations()).toEqual(['Show[dot]Hook', 'Plain']);
    expect(e.snapshot().services.find((s) => s.name === SERVER_NAME)?.error).toMatch(/^Integrations: Plain/);
  });

  it('with a write-only Token in a client State: a Set of it is confirmed by TokenSet and never logged', async () => {
    const { e, hub } = await setup(WITH_TOKEN);
    const set = e.invoke('set', { service: CLIENT, path: ['State'], value: { Workspaces: {}, Token: 's3cret' } });
    echoLastSet(hub);
    hub.deliver(update(CLIENT, 'State', { Workspaces: {}, TokenSet: true }));
    await expect(set).resolves.toEqual({});
    const bodies = e.messageLog().filter((l) => l.topic?.Type === 'Set').map((l) => JSON.parse(l.body) as unknown);
    // Sent, and handed back by the hub: neither keeps it.
    expect(bodies).toEqual([{ Value: { Workspaces: {}, Token: REDACTED } }, { Value: { Workspaces: {}, Token: REDACTED } }]);
  });

  it("with the shared table: a Set of an integration's Secret itself is never logged", async () => {
    const { e, hub } = await setup(undefined, 300);
    const set = e.invoke('set', { service: SERVER_NAME, path: ['Integrations', 'Hook', 'Secret'], value: 'p4ss' });
    echoLastSet(hub);
    await expect(set).rejects.toMatchObject({ code: 'TIMEOUT' });
    const sets = e.messageLog().filter((l) => l.topic?.Type === 'Set');
    expect(sets.map((l) => l.body)).toEqual([`{"Value":${JSON.stringify(REDACTED)}}`, `{"Value":${JSON.stringify(REDACTED)}}`]);
  });
});
