// The engine's pieces without sockets: the memory transport plays the hub, so each rule can be driven frame by frame.
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_BODY_LIMIT, Snapshot } from '../../shared/panel/api.ts';
import { BROADCAST, SERVER_NAME, decodeFrame, encodeFrame, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { silentLogger as pinoLogger } from '../../services/lib/log.ts';
import { until } from '../../services/testing/wait.ts';
import { MAX_BACKOFF_MS, backoffDelay } from '../../peer/backoff.ts';
import { messageBody } from '../../peer/ws-transport.ts';
import { panelSubscriptions } from './subscriptions.ts';
import { Directory, kindOf, LAST_SEEN_STEP_MS, MAX_SERVICES, ONLINE_HEARTBEATS } from './directory.ts';
import { MessageLog, REDACTED } from './message-log.ts';
import { shows } from './confirm.ts';
import { memoryTransport, type MemoryTransport } from '../../peer/testing/memory-transport.ts';
import { createPanelEngine, defaultPanelName, type PanelEngine } from './index.ts';

const PANEL = 'UNIT-AssetHubPanel-0001';
const CLIENT = 'STAGE-A-AssetHubClient';
const WS = '/srv/Projects/Project.Alpha';

const engines: PanelEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function setup(options: { requestTimeoutMs?: number } = {}): Promise<{ e: PanelEngine; hub: MemoryTransport }> {
  const hub = memoryTransport();
  // A pino logger fits the engine's Logger as it is.
  const e = createPanelEngine({ panelName: PANEL, hubUrl: 'ws://memory', transport: hub.factory, heartbeatMs: 10_000, requestTimeoutMs: options.requestTimeoutMs ?? 2000, logger: pinoLogger() });
  engines.push(e);
  await until('connected', () => e.snapshot().connection.state === 'connected');
  return { e, hub };
}

const update = (source: string, name: string, value: unknown, target = BROADCAST): string =>
  encodeFrame(envelope<'Update'>({ Type: 'Update', Target: target, Source: source, Name: name }, { Value: value }));
const sentMessages = (hub: MemoryTransport): Envelope[] =>
  hub.sent.map((t) => decodeFrame(t)).flatMap((f) => (f.ok && f.value.kind === 'message' ? [f.value.envelope] : []));
/** The hub hands the panel's own Set/Reset back (ZeroMQ semantics). */
const echo = (hub: MemoryTransport, type: 'Set' | 'Reset') => {
  const m = sentMessages(hub).filter((x) => x.topic.Type === type).at(-1);
  if (!m) throw new Error(`no ${type} sent`);
  hub.deliver(encodeFrame(m));
};
const clientState = (e: PanelEngine) => e.snapshot().states[CLIENT]?.State as { Workspaces: Record<string, { AutoPull: boolean }> } | undefined;
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('connection', () => {
  it('subscribes to what is addressed to the panel, broadcasts, Startup, Identify, Set and Reset; sends Identify at once', async () => {
    const { hub } = await setup();
    expect(hub.subscriptions).toEqual(panelSubscriptions(PANEL));
    expect(hub.subscriptions).toContain(`{"Type":"Update","Target":"${PANEL}"`);
    expect(hub.subscriptions).toContain('{"Type":"Update","Target":"BROADCAST"');
    expect(sentMessages(hub)[0]?.topic).toEqual({ Type: 'Identify', Source: PANEL });
  });

  it('reads every state of every live service again when the hub lost messages for the panel (a gap)', async () => {
    const { e, hub } = await setup();
    hub.deliver(encodeFrame(envelope<'Self'>({ Type: 'Self', Target: PANEL, Source: CLIENT }, { Value: { Version: '1', Machine: 'm', StartedAt: 't' } })));
    const gets = () => sentMessages(hub).filter((m) => m.topic.Type === 'Get' && m.topic.Target === CLIENT).length;
    await until('the client read once', () => gets() === 4);
    for (const state of ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo']) hub.deliver(update(CLIENT, state, null, PANEL));
    hub.loseHeartbeats(1);
    // The next round trip is lost, the one after comes back: the engine reads the client's four states again.
    await until('the client read again after the gap', () => gets() === 8, 5000);
    expect(e.snapshot().connection.state).toBe('connected');
  });

  it('backs off exponentially with jitter, capped at 3 s', () => {
    expect(backoffDelay(1, () => 1)).toBe(250);
    expect(backoffDelay(3, () => 1)).toBe(1000);
    expect(backoffDelay(30, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffDelay(30, () => 0)).toBe(MAX_BACKOFF_MS / 2);
  });

  it('fails pending requests with DISCONNECTED when the connection drops, then reconnects and resubscribes', async () => {
    const { e, hub } = await setup();
    const pending = e.invoke('get', { service: CLIENT, path: ['State'] });
    hub.drop('hub went away');
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
    const status = e.snapshot().connection;
    expect(status).toMatchObject({ state: 'reconnecting', attempt: 1, reason: 'hub went away' });
    expect(status.retryAt).toBeGreaterThan(Date.now() - 1);
    await until('reconnected', () => e.snapshot().connection.state === 'connected', 5000);
    expect(hub.connections).toBe(2);
    expect(hub.subscriptions).toHaveLength(2 * panelSubscriptions(PANEL).length);
  });

  it('answers Identify with its Self; the snapshot validates against the API schema', async () => {
    const { e, hub } = await setup();
    hub.deliver(encodeFrame(envelope<'Identify'>({ Type: 'Identify', Source: SERVER_NAME }, {})));
    const self = sentMessages(hub).find((m) => m.topic.Type === 'Self');
    expect(self?.topic).toEqual({ Type: 'Self', Target: SERVER_NAME, Source: PANEL });
    expect(Snapshot.safeParse(e.snapshot()).success).toBe(true);
  });
});

describe('state cache', () => {
  it('applies a path Update into a copy of the cached state and re-validates it', async () => {
    const { e, hub } = await setup();
    hub.deliver(update(CLIENT, 'State', { Workspaces: { [WS.replaceAll('.', '[dot]')]: { AutoPull: false } } }));
    const before = clientState(e);
    expect(before).toEqual({ Workspaces: { [WS]: { AutoPull: false } } });
    hub.deliver(update(CLIENT, `State.Workspaces.${WS.replaceAll('.', '[dot]')}.AutoPull`, true));
    expect(clientState(e)).toEqual({ Workspaces: { [WS]: { AutoPull: true } } });
    expect(before?.Workspaces[WS]?.AutoPull).toBe(false);
    // Invalid at the path: kept out, error set; the good state stays.
    const good = clientState(e);
    hub.deliver(update(CLIENT, `State.Workspaces.${WS.replaceAll('.', '[dot]')}`, { AutoPull: 'on' }));
    expect(clientState(e)).toBe(good);
    expect(e.snapshot().services.find((s) => s.name === CLIENT)?.error).toMatch(/^State: Workspaces\..*AutoPull/);
  });

  it('reads the whole state when a path Update comes before it', async () => {
    const { hub } = await setup();
    hub.deliver(update(CLIENT, 'State.Workspaces.x.AutoPull', true));
    expect(sentMessages(hub).some((m) => m.topic.Type === 'Get' && m.topic.Target === CLIENT && m.topic.Name === 'State')).toBe(true);
  });

  it('keeps a null Value (the service has no such value) out of the cache without an error', async () => {
    const { e, hub } = await setup();
    hub.deliver(update(CLIENT, 'AssetInfo', null));
    expect(e.snapshot().states[CLIENT]).toBeUndefined();
    expect(e.snapshot().services.find((s) => s.name === CLIENT)?.error).toBeNull();
  });
});

describe('Set and Reset confirmation', () => {
  const path = (ws: string) => ['State', 'Workspaces', ws, 'AutoPull'];
  const wire = (ws: string, on: boolean, extra: Record<string, unknown> = {}) => ({ Workspaces: { [ws.replaceAll('.', '[dot]')]: { AutoPull: on }, ...extra } });

  it('ignores Updates routed before the Set, answers each Set with its own Update, in order', async () => {
    const { e, hub } = await setup();
    const a = e.invoke('set', { service: CLIENT, path: path('/a'), value: true });
    const b = e.invoke('set', { service: CLIENT, path: path('/b'), value: true });
    let settled = 0;
    void a.then(() => settled++, () => settled++);
    void b.then(() => settled++, () => settled++);
    // An Update already on its way (before the echo) answers nothing.
    hub.deliver(update(CLIENT, 'State', { Workspaces: { '/a': { AutoPull: false }, '/b': { AutoPull: false } } }));
    await tick();
    expect(settled).toBe(0);
    for (const m of sentMessages(hub).filter((x) => x.topic.Type === 'Set')) hub.deliver(encodeFrame(m));
    hub.deliver(update(CLIENT, 'State', { Workspaces: { '/a': { AutoPull: true }, '/b': { AutoPull: false } } }));
    await expect(a).resolves.toEqual({});
    await tick();
    expect(settled).toBe(1);
    hub.deliver(update(CLIENT, 'State', { Workspaces: { '/a': { AutoPull: true }, '/b': { AutoPull: true } } }));
    await expect(b).resolves.toEqual({});
  });

  it('refuses with the Warning Log text, and matches an object Set by the keys it names', async () => {
    const { e, hub } = await setup();
    const refused = e.invoke('set', { service: CLIENT, path: path('/nope'), value: true });
    echo(hub, 'Set');
    hub.deliver(encodeFrame(envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: CLIENT }, { Level: 'Warning', Message: 'Set refused: no workspace "/nope"' })));
    hub.deliver(update(CLIENT, 'State', wire('/a', true)));
    await expect(refused).rejects.toMatchObject({ code: 'SET_REFUSED', message: expect.stringContaining('no workspace "/nope"') });

    const whole = e.invoke('set', { service: CLIENT, path: ['State'], value: { Workspaces: { [WS]: { AutoPull: true } } } });
    const sent = sentMessages(hub).filter((m) => m.topic.Type === 'Set').at(-1);
    expect(sent?.message).toEqual({ Value: { Workspaces: { [WS.replaceAll('.', '[dot]')]: { AutoPull: true } } } });
    echo(hub, 'Set');
    hub.deliver(update(CLIENT, 'State', wire(WS, true, { '/other': { AutoPull: false } })));
    await expect(whole).resolves.toEqual({});
  });

  it('waits past an Update the service sent before it read the Set; refuses on its Log, or at the timeout when still shown otherwise', async () => {
    const { e, hub } = await setup({ requestTimeoutMs: 600 });
    // Live figures already on their way when the Set was routed: they show the old value, with nothing logged.
    const raced = e.invoke('set', { service: CLIENT, path: path('/a'), value: true });
    echo(hub, 'Set');
    hub.deliver(update(CLIENT, 'State', wire('/a', false)));
    hub.deliver(update(CLIENT, 'State', wire('/a', true)));
    await expect(raced).resolves.toEqual({});

    // Shown otherwise, then the service says why: refused at once, with its words.
    const said = e.invoke('set', { service: CLIENT, path: path('/b'), value: true });
    echo(hub, 'Set');
    hub.deliver(update(CLIENT, 'State', wire('/b', false)));
    hub.deliver(encodeFrame(envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: CLIENT }, { Level: 'Warning', Message: 'Set refused: /b is read-only' })));
    await expect(said).rejects.toMatchObject({ code: 'SET_REFUSED', message: expect.stringContaining('/b is read-only') });

    // Shown otherwise and never taken, without a word: refused at the timeout, saying what the state still shows.
    const silent = e.invoke('set', { service: CLIENT, path: path('/c'), value: true });
    echo(hub, 'Set');
    hub.deliver(update(CLIENT, 'State', wire('/c', false)));
    await expect(silent).rejects.toMatchObject({ code: 'SET_REFUSED', message: expect.stringContaining('still shows false') });
  });

  it('arms a Set without an echo after a fallback delay, and times out without an Update', async () => {
    const { e, hub } = await setup({ requestTimeoutMs: 600 });
    const set = e.invoke('set', { service: CLIENT, path: path('/a'), value: true });
    await new Promise((r) => setTimeout(r, 350));
    hub.deliver(update(CLIENT, 'State', wire('/a', true)));
    await expect(set).resolves.toEqual({});
    await expect(e.invoke('set', { service: CLIENT, path: path('/a'), value: false })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('resolves a Reset on the next State Update after it', async () => {
    const { e, hub } = await setup();
    const reset = e.invoke('reset', { service: CLIENT });
    echo(hub, 'Reset');
    hub.deliver(update(CLIENT, 'WorkspaceInfo', null));
    hub.deliver(update(CLIENT, 'State', { Workspaces: {} }));
    await expect(reset).resolves.toEqual({});
  });

  it("checks a service's Result against its method before the renderer sees it", async () => {
    const { e, hub } = await setup();
    const answer = async (method: string, result: unknown) => {
      await until(`a ${method} Call sent`, () => sentMessages(hub).some((m) => m.topic.Type === 'Call' && m.topic.Method === method));
      const call = sentMessages(hub).filter((m) => m.topic.Type === 'Call' && m.topic.Method === method).at(-1);
      if (call?.topic.Type !== 'Call') throw new Error('no Call sent');
      hub.deliver(encodeFrame(envelope<'CallResult'>({ Type: 'CallResult', Target: PANEL, ExecutedOn: 'AssetHubServer', Method: call.topic.Method, ID: call.topic.ID }, { Result: result })));
    };
    const bad = e.invoke('call', { service: 'AssetHubServer', method: 'CreateRepository', params: { Name: 'X', Branch: 'Main' } });
    await answer('CreateRepository', { Commit: 42 });
    await expect(bad).rejects.toMatchObject({ code: 'INVALID_RESULT' });
    // Its answer made the server heard: the panel asks what it offers before the next Call goes.
    await answer('GetCapabilities', { Methods: [{ Name: 'CreateRepository', Version: 1 }], States: [] });
    const good = e.invoke('call', { service: 'AssetHubServer', method: 'CreateRepository', params: { Name: 'X', Branch: 'Main' } });
    await until('the second CreateRepository sent', () => sentMessages(hub).filter((m) => m.topic.Type === 'Call' && m.topic.Method === 'CreateRepository').length === 2);
    await answer('CreateRepository', { Commit: 'c1' });
    await expect(good).resolves.toEqual({ Commit: 'c1' });
  });

  it('rejects at once when not connected', async () => {
    const hub = memoryTransport({ autoOpen: false });
    const e = createPanelEngine({ panelName: PANEL, hubUrl: 'ws://memory', transport: hub.factory });
    engines.push(e);
    await expect(e.invoke('set', { service: CLIENT, path: path('/a'), value: true })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await expect(e.invoke('call', { service: CLIENT, method: 'Scan', params: {} })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('shows: equal values, arrays exactly, objects by the keys they name', () => {
    expect(shows(true, true)).toBe(true);
    expect(shows(true, false)).toBe(false);
    expect(shows({ a: 1 }, { a: 1, b: 2 })).toBe(true);
    expect(shows({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(shows([1, 2], [1, 2])).toBe(true);
    expect(shows([1], [1, 2])).toBe(false);
    expect(shows(null, undefined)).toBe(false);
  });
});

describe('directory', () => {
  it('names kinds and machines', async () => {
    expect(kindOf('AssetHubServer')).toBe('server');
    expect(kindOf('STAGE-A-AssetHubClient')).toBe('client');
    expect(kindOf('DataHub')).toBe('hub');
    expect(kindOf('OPS-AssetHubPanel')).toBe('panel');
    expect(kindOf('OPS-AssetHubPanel-3f2a')).toBe('panel');
    expect(kindOf('Something')).toBe('other');
    expect(defaultPanelName()).toMatch(/^[A-Za-z0-9._-]+-AssetHubPanel-[0-9a-f]{4}$/);
    const { e, hub } = await setup();
    hub.deliver(encodeFrame(envelope<'Self'>({ Type: 'Self', Target: PANEL, Source: CLIENT }, { Value: { Version: '9', Machine: 'host-1', StartedAt: 'then' } })));
    expect(e.snapshot().services.find((s) => s.name === CLIENT)).toMatchObject({ kind: 'client', machine: 'STAGE-A', version: '9', startedAt: 'then', online: true });
  });
});

describe('a peer spoofing thousands of names', () => {
  it('lists at most MAX_SERVICES, forgets names that never answered Identify, keeps those that did', async () => {
    const hub = memoryTransport();
    const e = createPanelEngine({ panelName: PANEL, hubUrl: 'ws://memory', transport: hub.factory, heartbeatMs: 40, requestTimeoutMs: 200, logger: pinoLogger() });
    engines.push(e);
    await until('connected', () => e.snapshot().connection.state === 'connected');
    const real = 'REAL-AssetHubClient';
    hub.deliver(encodeFrame(envelope<'Self'>({ Type: 'Self', Target: PANEL, Source: real }, { Value: { Version: '1', Machine: 'm', StartedAt: 't' } })));
    for (let i = 0; i < 5000; i++) hub.deliver(update(`SPOOF${i}-AssetHubClient`, 'LOWPRIO_Noise', 1));
    expect(e.snapshot().services.length).toBeLessThanOrEqual(MAX_SERVICES);
    // Nobody answers for the spoofed names: after the forget delay only the real one is left (offline, but listed).
    await until('the spoofed names forgotten', () => e.snapshot().services.every((s) => !s.name.startsWith('SPOOF')), 10_000);
    expect(e.snapshot().services.map((s) => s.name)).toEqual([real]);
    expect(JSON.stringify(e.snapshot()).length).toBeLessThan(10_000);
  });
});

describe('lastSeen', () => {
  it('moves by whole steps, so a peer heard four times a second changes its entry once a second; online is judged to the millisecond', () => {
    const changed: string[] = [];
    const heartbeatMs = 1000;
    const directory = new Directory(PANEL, heartbeatMs, { onChange: (name) => changed.push(name), onForget: () => {}, onOnline: () => {} });
    const name = 'STAGE-A-AssetHubClient';
    for (let t = 0; t < 3000; t += 250) directory.heard(name, 10_000 + t);
    // Made (1), online and seen at 10,000, then seen at 11,000 and 12,000.
    expect(changed).toHaveLength(1 + 3);
    expect(directory.get(name)?.lastSeen).toBe(10_000 + 2 * LAST_SEEN_STEP_MS);
    // Last heard at 12,750: still online when 12,000 + the online window has passed.
    const onlineFor = ONLINE_HEARTBEATS * heartbeatMs;
    directory.sweep(12_000 + onlineFor + 500);
    expect(directory.get(name)?.online).toBe(true);
    directory.sweep(12_750 + onlineFor + 1);
    expect(directory.get(name)?.online).toBe(false);
    // Heard again when offline: online at once, whatever the step.
    directory.heard(name, 12_750 + onlineFor + 2);
    expect(directory.get(name)?.online).toBe(true);
  });
});

describe('a full directory', () => {
  it('5,000 spoofed names answering Self fill it, but never keep out a client the server lists, nor the server', () => {
    const directory = new Directory(PANEL, 1000, { onChange: () => {}, onForget: () => {}, onOnline: () => {} });
    const self = { Version: '1', Machine: 'm', StartedAt: 't' };
    for (let i = 0; i < 5000; i++) directory.self(`SPOOF${i}-AssetHubClient`, self, 1000 + i);
    expect(directory.list()).toHaveLength(MAX_SERVICES);
    expect(directory.get(`SPOOF${MAX_SERVICES}-AssetHubClient`)).toBeUndefined();
    // Another name that only claims to be a client, or answers Self, finds every place taken by an online peer of its rank.
    directory.self('LATE-AssetHubClient', self, 9000);
    directory.heard('NOISE-AssetHubClient', 9000);
    expect(directory.get('LATE-AssetHubClient')).toBeUndefined();
    expect(directory.get('NOISE-AssetHubClient')).toBeUndefined();
    // The server and the clients it lists outrank them: each takes the place of the longest-silent spoof.
    directory.heard('AssetHubServer', 9000);
    directory.named('REAL-AssetHubClient');
    directory.heard('REAL-AssetHubClient', 9000);
    expect(directory.get('AssetHubServer')?.online).toBe(true);
    expect(directory.get('REAL-AssetHubClient')?.online).toBe(true);
    expect(directory.list()).toHaveLength(MAX_SERVICES);
    expect(['SPOOF0', 'SPOOF1', 'SPOOF2'].map((n) => directory.get(`${n}-AssetHubClient`) !== undefined)).toEqual([false, false, true]);
  });
});

describe('message log', () => {
  it('cuts the Message out of canonical frames exactly as JSON would encode it', () => {
    const m = envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: CLIENT, Name: 'State' }, { Value: { Workspaces: { 'a"b': { AutoPull: true } } } });
    expect(messageBody(encodeFrame(m), m)).toBe(JSON.stringify(m.message));
    const odd = JSON.stringify({ Message: m.message, Topic: m.topic });
    expect(messageBody(odd, m)).toBe(JSON.stringify(m.message));
    // A `{` inside a topic value, or an Attachment, takes the re-encoding path: still exact.
    const braces = envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: 'A{},"Message":{-x', Name: 'State' }, { Value: 1 });
    expect(messageBody(encodeFrame(braces), braces)).toBe('{"Value":1}');
    expect(messageBody(encodeFrame(m, 3), m, true)).toBe(JSON.stringify(m.message));
  });

  it('never keeps an integration Secret sent in a Set, whatever it contains', () => {
    const log = new MessageLog(10);
    const secret = 'p"a\\ss "Secret":"x';
    const set = envelope<'Set'>({ Type: 'Set', Target: 'AssetHubServer', Name: 'Integrations.DAM' }, { Value: { Name: 'DAM', Secret: secret, TenantId: 't' } });
    const entry = log.record('out', messageBody(encodeFrame(set), set), set, 100);
    expect(entry?.body).not.toContain('p\\"a');
    expect(JSON.parse(entry?.body ?? '')).toEqual({ Value: { Name: 'DAM', Secret: REDACTED, TenantId: 't' } });
    // Other frames are kept exactly.
    const update = envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: 'AssetHubServer', Name: 'Integrations' }, { Value: { Secret: 'shown' } });
    expect(log.record('in', messageBody(encodeFrame(update), update), update, 10)?.body).toBe('{"Value":{"Secret":"shown"}}');
  });

  it('is a ring: bounded by capacity and by body characters; long bodies are truncated', () => {
    const log = new MessageLog(100, 1000);
    const m = envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: CLIENT }, { Level: 'Info', Message: 'x' });
    for (let i = 0; i < 250; i++) log.record('in', messageBody(encodeFrame(m), m), m, 10);
    expect(log.size).toBeLessThanOrEqual(100);
    expect(log.entries().reduce((n, e) => n + e.body.length, 0)).toBeLessThanOrEqual(1000);
    expect(log.entries().at(-1)?.seq).toBe(250);
    const big = envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: CLIENT }, { Level: 'Info', Message: 'y'.repeat(LOG_BODY_LIMIT * 2) });
    const wide = new MessageLog(10);
    const entry = wide.record('in', messageBody(encodeFrame(big), big), big, 1);
    expect(entry?.truncated).toBe(true);
    expect(entry?.body.length).toBe(LOG_BODY_LIMIT);
    wide.setCapacity(5);
    expect(wide.capacity).toBe(5);
    expect(wide.entries()).toHaveLength(1);
  });

  it('pages back from the newest, bounded by count and by body characters', () => {
    const log = new MessageLog(100);
    const m = envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: CLIENT }, { Level: 'Info', Message: 'x' });
    for (let i = 0; i < 30; i++) log.record('in', messageBody(encodeFrame(m), m), m, 10);
    const first = log.page(undefined, 10, 1_000_000);
    expect(first.entries.map((e) => e.seq)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(first.more).toBe(true);
    const last = log.page(5, 10, 1_000_000);
    expect(last).toEqual({ entries: log.entries().slice(0, 4), more: false });
    // The character bound: as many as fit, never none.
    const size = first.entries[0]!.body.length;
    expect(log.page(undefined, 10, size * 3).entries.map((e) => e.seq)).toEqual([28, 29, 30]);
    expect(log.page(undefined, 10, 1).entries.map((e) => e.seq)).toEqual([30]);
  });
});

/** A frame as a real peer may write it: any key order, any body. */
const raw = (topic: Record<string, unknown>, message: unknown): string => JSON.stringify({ Topic: topic, Message: message });

describe('real Pixotope peers, read tolerantly (raw frames, as a real peer writes them)', () => {
  it('a Self with an odd body, an Update without Target and a Log with an unknown Level all reach the engine', async () => {
    const { e, hub } = await setup();
    const wsKey = WS.replaceAll('.', '[dot]');
    // Version a number, Machine missing, StartedAt an object, extra fields.
    hub.deliver(raw({ Type: 'Self', Target: PANEL, Source: CLIENT }, { Value: { Version: 3, StartedAt: { At: 1 }, Role: 'Client' } }));
    // Keys in the other documented order, no Target: a broadcast.
    hub.deliver(raw({ Type: 'Update', Source: CLIENT, Name: 'State' }, { Value: { Workspaces: { [wsKey]: { AutoPull: true } } } }));
    hub.deliver(raw({ Type: 'Log', Target: BROADCAST, Source: 'Machine1-CTS' }, { Level: 'Debug', Message: { Text: 'tick' } }));
    expect(e.snapshot().services.find((s) => s.name === CLIENT)).toMatchObject({ kind: 'client', machine: 'STAGE-A', version: '3', startedAt: null, online: true });
    expect(clientState(e)).toEqual({ Workspaces: { [WS]: { AutoPull: true } } });
    expect(e.snapshot().services.find((s) => s.name === 'Machine1-CTS')).toMatchObject({ kind: 'other', online: true });
    const logged = e.messageLog().filter((l) => l.direction === 'in' && l.topic?.Type !== 'Self');
    expect(logged.map((l) => [l.topic, l.body])).toEqual([
      [{ Type: 'Update', Target: BROADCAST, Source: CLIENT, Name: 'State' }, `{"Value":{"Workspaces":{"${wsKey}":{"AutoPull":true}}}}`],
      [{ Type: 'Log', Target: BROADCAST, Source: 'Machine1-CTS' }, '{"Level":"Debug","Message":{"Text":"tick"}}'],
    ]);
  });

  it('a lower-case "warning" Log without Target refuses a pending Set with its words', async () => {
    const { e, hub } = await setup();
    const set = e.invoke('set', { service: CLIENT, path: ['State', 'Workspaces', '/x', 'AutoPull'], value: true });
    echo(hub, 'Set');
    hub.deliver(update(CLIENT, 'State', { Workspaces: { '/x': { AutoPull: false } } }));
    hub.deliver(raw({ Source: CLIENT, Type: 'Log' }, { Level: 'warning', Message: 'Set refused: /x is locked' }));
    await expect(set).rejects.toMatchObject({ code: 'SET_REFUSED', message: expect.stringContaining('/x is locked') });
  });
});

describe('an unknown peer of the fabric (a real Pixotope Store)', () => {
  it('is answered with a Self addressed to it, and listed as kind other with what its odd Self said', async () => {
    const { e, hub } = await setup();
    // The Store's heartbeat, with an empty body: the panel answers it, so it shows in the Store's ConnectedClients.
    hub.deliver(raw({ Type: 'Identify', Source: 'Store' }, {}));
    const answer = sentMessages(hub).find((m) => m.topic.Type === 'Self' && m.topic.Target === 'Store');
    expect(answer?.topic).toEqual({ Type: 'Self', Target: 'Store', Source: PANEL });
    expect(answer?.message).toMatchObject({ Value: { Version: expect.any(String), Machine: expect.any(String), StartedAt: expect.any(String) } });
    // Heard, but not yet vouched for: only its Self does that.
    expect(e.snapshot().services.find((s) => s.name === 'Store')).toMatchObject({ kind: 'other', online: true, version: null });

    // Its answer to the panel's Identify, in a shape of its own; another peer's Self has no Target and a Machine.
    hub.deliver(raw({ Type: 'Self', Target: PANEL, Source: 'Store' }, { Value: { Name: 'Store', Role: 'Store', Clients: [] } }));
    hub.deliver(raw({ Type: 'Self', Source: 'Machine1-CTS' }, { Role: 'CTS', Version: '26.2.0' }));
    hub.deliver(raw({ Type: 'Self', Target: PANEL, Source: 'Director' }, { Value: 'ok' }));
    const listed = (name: string) => e.snapshot().services.find((s) => s.name === name);
    expect(listed('Store')).toEqual({ name: 'Store', kind: 'other', machine: null, online: true, lastSeen: expect.any(Number), version: null, startedAt: null, error: null, offer: null });
    expect(listed('Machine1-CTS')).toMatchObject({ kind: 'other', machine: 'Machine1', version: '26.2.0', online: true });
    expect(listed('Director')).toMatchObject({ kind: 'other', machine: null, version: null, online: true });
    expect(Snapshot.safeParse(e.snapshot()).success).toBe(true);
  });
});
