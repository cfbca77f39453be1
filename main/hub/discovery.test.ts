// Capability discovery, frame by frame (the memory transport plays the hub): when a service is asked what it
// offers, what a silent, failing or unreadable answer means, and that a Call a service does not offer is never sent.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BROADCAST, SERVER_NAME, decodeFrame, encodeFrame, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { until } from '../../services/testing/wait.ts';
import { memoryTransport, type MemoryTransport } from '../../peer/testing/memory-transport.ts';
import { createPanelEngine, type PanelEngine } from './index.ts';
import { REDISCOVER_MIN_MS } from './discovery.ts';

const PANEL = 'UNIT-AssetHubPanel-0002';
const CLIENT = 'STAGE-A-AssetHubClient';

const engines: PanelEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function setup(requestTimeoutMs = 400): Promise<{ e: PanelEngine; hub: MemoryTransport }> {
  const hub = memoryTransport();
  const e = createPanelEngine({ panelName: PANEL, hubUrl: 'ws://memory', transport: hub.factory, heartbeatMs: 60_000, requestTimeoutMs });
  engines.push(e);
  await until('connected', () => e.snapshot().connection.state === 'connected');
  return { e, hub };
}

const sent = (hub: MemoryTransport): Envelope[] =>
  hub.sent.map((t) => decodeFrame(t)).flatMap((f) => (f.ok && f.value.kind === 'message' ? [f.value.envelope] : []));
const calls = (hub: MemoryTransport, target: string, method: string) =>
  sent(hub).flatMap((m) => (m.topic.Type === 'Call' && m.topic.Target === target && m.topic.Method === method ? [m.topic] : []));
const self = (source: string, startedAt: string) =>
  encodeFrame(envelope<'Self'>({ Type: 'Self', Target: PANEL, Source: source }, { Value: { Version: '1', Machine: 'm', StartedAt: startedAt } }));
const answer = (hub: MemoryTransport, source: string, method: string, body: { Result: unknown } | { Failure: { Code: string; Message: string } }) => {
  const call = calls(hub, source, method).at(-1);
  if (!call) throw new Error(`no ${method} sent to ${source}`);
  hub.deliver(encodeFrame(envelope<'CallResult'>({ Type: 'CallResult', Target: PANEL, ExecutedOn: source, Method: method, ID: call.ID }, body)));
};
const offerOf = (e: PanelEngine, name: string) => e.snapshot().services.find((s) => s.name === name)?.offer;
const gets = (hub: MemoryTransport, target: string) => sent(hub).flatMap((m) => (m.topic.Type === 'Get' && m.topic.Target === target ? [m.topic.Name] : []));

describe('capability discovery', () => {
  it('asks a service once when it is heard; its answer is what it offers, and its extra states are read then', async () => {
    const { e, hub } = await setup();
    hub.deliver(self(SERVER_NAME, 't1'));
    await until('asked', () => calls(hub, SERVER_NAME, 'GetCapabilities').length === 1);
    expect(offerOf(e, SERVER_NAME)?.source).toBe('checking');
    // Until it answers only the documented states are read.
    expect(new Set(gets(hub, SERVER_NAME))).toEqual(new Set(['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo']));
    answer(hub, SERVER_NAME, 'GetCapabilities', { Result: { Methods: [{ Name: 'Health', Version: 1 }, { Name: 'QueryAssets', Version: 1 }], States: [{ Name: 'State', Version: 1 }, { Name: 'Integrations', Version: 1 }] } });
    await until('discovered', () => offerOf(e, SERVER_NAME)?.source === 'discovered');
    expect(offerOf(e, SERVER_NAME)).toEqual({ source: 'discovered', methods: ['Health', 'QueryAssets'], states: ['State', 'Integrations'], reason: null });
    await until('Integrations read', () => gets(hub, SERVER_NAME).includes('Integrations'));
    // More Selfs of the same start, Updates, a second Identify round: not asked again.
    hub.deliver(self(SERVER_NAME, 't1'));
    hub.deliver(encodeFrame(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: SERVER_NAME, Name: 'State' }, { Value: { Repositories: {} } })));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls(hub, SERVER_NAME, 'GetCapabilities')).toHaveLength(1);
    // Not among what it offers: refused without sending.
    await expect(e.invoke('call', { service: SERVER_NAME, method: 'CreateRepository', params: { Name: 'x', Branch: 'Main' } })).rejects.toMatchObject({ code: 'NOT_OFFERED' });
    expect(calls(hub, SERVER_NAME, 'CreateRepository')).toHaveLength(0);
    expect(e.snapshot().operations).toHaveLength(0);
  });

  it('takes a service that does not answer as documented-only: a documented Call goes, an extension is refused with the reason', async () => {
    const { e, hub } = await setup();
    hub.deliver(self(SERVER_NAME, 't1'));
    hub.deliver(self(CLIENT, 't1'));
    // A click during discovery waits for it rather than going into silence.
    const pull = e.invoke('call', { service: CLIENT, method: 'Pull', params: { Workspace: 'w' } }).then(() => null, (error: unknown) => error);
    await until('both documented-only', () => offerOf(e, SERVER_NAME)?.source === 'documented' && offerOf(e, CLIENT)?.source === 'documented');
    expect(await pull).toMatchObject({ code: 'NOT_OFFERED', message: expect.stringContaining("Pixotope's documented protocol only (no answer to GetCapabilities)") });
    expect(calls(hub, CLIENT, 'Pull')).toHaveLength(0);
    expect(offerOf(e, CLIENT)).toMatchObject({ methods: [], states: ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] });
    expect(gets(hub, SERVER_NAME)).not.toContain('Integrations');
    const created = e.invoke('call', { service: SERVER_NAME, method: 'CreateRepository', params: { Name: '%SYNCED_STORAGE%/X', Branch: 'Main' } });
    await until('sent', () => calls(hub, SERVER_NAME, 'CreateRepository').length === 1);
    answer(hub, SERVER_NAME, 'CreateRepository', { Result: { Commit: 'c1' } });
    await expect(created).resolves.toEqual({ Commit: 'c1' });
  });

  it('takes a Failure or an unreadable answer as documented-only, saying which', async () => {
    const { e, hub } = await setup(5000);
    hub.deliver(self(SERVER_NAME, 't1'));
    hub.deliver(self(CLIENT, 't1'));
    await until('asked', () => calls(hub, SERVER_NAME, 'GetCapabilities').length === 1 && calls(hub, CLIENT, 'GetCapabilities').length === 1);
    answer(hub, SERVER_NAME, 'GetCapabilities', { Failure: { Code: 'UNKNOWN_METHOD', Message: 'no such method' } });
    answer(hub, CLIENT, 'GetCapabilities', { Result: { Methods: 'all of them' } });
    await until('settled', () => offerOf(e, SERVER_NAME)?.source === 'documented' && offerOf(e, CLIENT)?.source === 'documented');
    expect(offerOf(e, SERVER_NAME)?.reason).toContain('GetCapabilities failed');
    expect(offerOf(e, CLIENT)?.reason).toBe('its answer to GetCapabilities could not be read');
  });

  it('asks again after a Startup, and when a Self names another start', async () => {
    const { e, hub } = await setup();
    hub.deliver(self(CLIENT, 't1'));
    await until('documented', () => offerOf(e, CLIENT)?.source === 'documented');
    hub.deliver(encodeFrame(envelope<'Startup'>({ Type: 'Startup', Target: BROADCAST, Source: CLIENT }, {})));
    await until('asked again', () => calls(hub, CLIENT, 'GetCapabilities').length === 2);
    answer(hub, CLIENT, 'GetCapabilities', { Result: { Methods: [{ Name: 'Pull', Version: 1 }], States: [] } });
    await until('discovered', () => offerOf(e, CLIENT)?.source === 'discovered');
    // Asked again, it keeps showing what it offered until it answers.
    hub.deliver(encodeFrame(envelope<'Startup'>({ Type: 'Startup', Target: BROADCAST, Source: CLIENT }, {})));
    await until('asked a third time', () => calls(hub, CLIENT, 'GetCapabilities').length === 3);
    expect(offerOf(e, CLIENT)?.source).toBe('discovered');
    answer(hub, CLIENT, 'GetCapabilities', { Result: { Methods: [{ Name: 'Pull', Version: 1 }], States: [] } });
    // A Self naming another start time: asked again, but not more than once a minute.
    hub.deliver(self(CLIENT, 't1'));
    hub.deliver(self(CLIENT, 't2'));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls(hub, CLIENT, 'GetCapabilities')).toHaveLength(3);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + REDISCOVER_MIN_MS);
      hub.deliver(self(CLIENT, 't3'));
      await until('asked a fourth time', () => calls(hub, CLIENT, 'GetCapabilities').length === 4);
      hub.deliver(self(CLIENT, 't4'));
      await new Promise((r) => setTimeout(r, 50));
      expect(calls(hub, CLIENT, 'GetCapabilities')).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not ask peers that are not servers or clients', async () => {
    const { e, hub } = await setup();
    hub.deliver(self('Store', 't1'));
    hub.deliver(self('OPS-AssetHubPanel-0003', 't1'));
    await until('listed', () => e.snapshot().services.length === 2);
    expect(sent(hub).filter((m) => m.topic.Type === 'Call')).toHaveLength(0);
    expect(e.snapshot().services.map((s) => s.offer)).toEqual([null, null]);
  });
});

describe('capability discovery against a hostile or careless service', () => {
  it('reads only the extra states the panel knows, however many a service lists (no Get per listed name)', async () => {
    const { e, hub } = await setup();
    hub.deliver(self(SERVER_NAME, 't1'));
    await until('asked', () => calls(hub, SERVER_NAME, 'GetCapabilities').length === 1);
    const junk = Array.from({ length: 1000 }, (_, i) => ({ Name: `Junk${i}`, Version: 1 }));
    answer(hub, SERVER_NAME, 'GetCapabilities', { Result: { Methods: [], States: [...junk, { Name: 'Integrations', Version: 1 }, { Name: 'State', Version: 1 }] } });
    await until('discovered', () => offerOf(e, SERVER_NAME)?.source === 'discovered');
    await until('Integrations read', () => gets(hub, SERVER_NAME).includes('Integrations'));
    await new Promise((r) => setTimeout(r, 50));
    expect(gets(hub, SERVER_NAME).filter((name) => name.startsWith('Junk'))).toEqual([]);
  });

  it('takes a GetCapabilities answer only from the service asked, for that method and ID', async () => {
    const { e, hub } = await setup(5000);
    hub.deliver(self(SERVER_NAME, 't1'));
    hub.deliver(self(CLIENT, 't1'));
    await until('asked', () => calls(hub, SERVER_NAME, 'GetCapabilities').length === 1 && calls(hub, CLIENT, 'GetCapabilities').length === 1);
    const serverCall = calls(hub, SERVER_NAME, 'GetCapabilities')[0]!;
    const lie = { Result: { Methods: [{ Name: 'Pull', Version: 1 }], States: [] } };
    // The client answers the server's question; the server's ID under another Method; a made-up ID.
    hub.deliver(encodeFrame(envelope<'CallResult'>({ Type: 'CallResult', Target: PANEL, ExecutedOn: CLIENT, Method: 'GetCapabilities', ID: serverCall.ID }, lie)));
    hub.deliver(encodeFrame(envelope<'CallResult'>({ Type: 'CallResult', Target: PANEL, ExecutedOn: SERVER_NAME, Method: 'Health', ID: serverCall.ID }, lie)));
    hub.deliver(encodeFrame(envelope<'CallResult'>({ Type: 'CallResult', Target: PANEL, ExecutedOn: SERVER_NAME, Method: 'GetCapabilities', ID: 'guessed' }, lie)));
    await new Promise((r) => setTimeout(r, 50));
    expect(offerOf(e, SERVER_NAME)?.source).toBe('checking');
    expect(offerOf(e, CLIENT)?.source).toBe('checking');
  });

  it('keeps one discovery in flight per service through a Startup and Self storm', async () => {
    const { hub } = await setup(300);
    hub.deliver(self(CLIENT, 't0'));
    await until('asked', () => calls(hub, CLIENT, 'GetCapabilities').length === 1);
    for (let i = 0; i < 200; i++) {
      hub.deliver(encodeFrame(envelope<'Startup'>({ Type: 'Startup', Target: BROADCAST, Source: CLIENT }, {})));
      hub.deliver(self(CLIENT, `t${i + 1}`));
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(calls(hub, CLIENT, 'GetCapabilities')).toHaveLength(1);
  });
});
