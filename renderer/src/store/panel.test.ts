import { describe, expect, it } from 'vitest';
import { NO_HOST_INFO, type ConnectionStatus, type Operation, type ServiceEntry, type Snapshot } from '../../../shared/panel/api.ts';
import type { PanelHostApi } from '../../../shared/panel/api.ts';
import { applyConnection, applyOperation, applyPatches, createPanelStore, fromSnapshot, needsSnapshot, sortedServices } from './panel.ts';

const connection = (state: ConnectionStatus['state'], since: number): ConnectionStatus => ({ state, hubUrl: 'ws://127.0.0.1:1', panelName: 'P', since });
const entry = (name: string, kind: ServiceEntry['kind'], online = true): ServiceEntry => ({
  name, kind, machine: null, online, lastSeen: 1, version: '1', startedAt: null, error: null, offer: null,
});
const snapshot = (seq: number): Snapshot => ({
  connection: connection('connected', 100),
  host: NO_HOST_INFO,
  services: [entry('STAGE-B-AssetHubClient', 'client'), entry('AssetHubServer', 'server'), entry('DataHub', 'hub')],
  states: { AssetHubServer: { State: { Repositories: {} } } },
  operations: [],
  seq,
});

describe('panel transitions', () => {
  it('applies patch batches in order and ignores any at or before the data seq', () => {
    let data = fromSnapshot(snapshot(5));
    const stale = applyPatches(data, { seq: 5, patches: [{ type: 'forget', service: 'DataHub' }] });
    expect(stale).toBe(data);
    data = applyPatches(data, {
      seq: 6,
      patches: [
        { type: 'state', service: 'AssetHubServer', state: 'PersistentState', value: { x: 1 } },
        { type: 'service', entry: entry('AssetHubServer', 'server', false) },
        { type: 'forget', service: 'DataHub' },
      ],
    });
    expect(data.seq).toBe(6);
    expect(data.states['AssetHubServer']).toEqual({ State: { Repositories: {} }, PersistentState: { x: 1 } });
    expect(data.services['AssetHubServer']?.online).toBe(false);
    expect(data.services['DataHub']).toBeUndefined();
  });

  it('keeps services and states named like Object.prototype members as keys like any other (data from the wire has a prototype)', () => {
    const wire = JSON.parse(JSON.stringify({ ...snapshot(1), services: [...snapshot(1).services, entry('__proto__', 'other')], states: { constructor: { State: 1 } } })) as Snapshot;
    let data = fromSnapshot(wire);
    data = applyPatches(data, { seq: 2, patches: [{ type: 'service', entry: entry('toString', 'other') }, { type: 'state', service: '__proto__', state: 'State', value: 2 }] });
    expect(Object.keys(data.services).sort()).toEqual(['AssetHubServer', 'DataHub', 'STAGE-B-AssetHubClient', '__proto__', 'toString']);
    expect(Object.getPrototypeOf(data.services)).toBeNull();
    expect(Object.keys(data.states).sort()).toEqual(['__proto__', 'constructor']);
    expect(data.states['__proto__']).toEqual({ State: 2 });
  });

  it('does not mutate the previous data', () => {
    const before = fromSnapshot(snapshot(1));
    const after = applyPatches(before, { seq: 2, patches: [{ type: 'state', service: 'AssetHubServer', state: 'State', value: 1 }] });
    expect(before.states['AssetHubServer']).toEqual({ State: { Repositories: {} } });
    expect(after.states['AssetHubServer']).toEqual({ State: 1 });
  });

  it('keeps the newer connection status', () => {
    const data = fromSnapshot(snapshot(1));
    expect(applyConnection(data, connection('reconnecting', 50))).toBe(data);
    expect(applyConnection(data, connection('reconnecting', 150)).connection.state).toBe('reconnecting');
  });

  it('sorts the server first, then clients, then the hub', () => {
    expect(sortedServices(fromSnapshot(snapshot(1))).map((s) => s.name)).toEqual(['AssetHubServer', 'STAGE-B-AssetHubClient', 'DataHub']);
  });

  it("lists every other peer of the hub (a Pixotope Store, CTS, Director) last, whatever its Self said", () => {
    const unknown = (name: string): ServiceEntry => ({ ...entry(name, 'other'), version: null });
    const wire = { ...snapshot(1), services: [unknown('Store'), unknown('Director'), entry('OPS-AssetHubPanel-0a1b', 'panel'), ...snapshot(1).services, unknown('Machine1-CTS')] };
    expect(sortedServices(fromSnapshot(wire)).map((s) => `${s.kind} ${s.name}`)).toEqual([
      'server AssetHubServer', 'client STAGE-B-AssetHubClient', 'hub DataHub', 'panel OPS-AssetHubPanel-0a1b', 'other Director', 'other Machine1-CTS', 'other Store',
    ]);
  });
});

/** A host whose hello answer is released by the test, and whose events the test emits. */
function fakeHost() {
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  let release: (s: Snapshot) => void = () => {};
  const api: PanelHostApi = {
    invoke: ((command: string) => {
      if (command !== 'hello') return Promise.resolve({});
      return new Promise<Snapshot>((resolve) => (release = resolve));
    }) as PanelHostApi['invoke'],
    on: ((event: string, listener: (data: unknown) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(listener);
      return () => listeners.get(event)?.delete(listener);
    }) as PanelHostApi['on'],
  };
  const emit = (event: string, data: unknown) => listeners.get(event)?.forEach((l) => l(data));
  return { api, emit, hello: (s: Snapshot) => release(s) };
}

describe('panel store', () => {
  it('holds events that arrive before the snapshot and applies only the newer ones', async () => {
    const store = createPanelStore();
    const host = fakeHost();
    const stop = store.getState().start({ kind: 'electron', api: host.api });
    expect(store.getState().load.phase).toBe('loading');
    host.emit('patches', { seq: 4, patches: [{ type: 'forget', service: 'AssetHubServer' }] });
    host.emit('patches', { seq: 6, patches: [{ type: 'service', entry: entry('STAGE-A-AssetHubClient', 'client') }] });
    host.emit('connection', connection('reconnecting', 200));
    host.hello(snapshot(5));
    await new Promise((r) => setTimeout(r, 0));
    const data = store.getState().data;
    expect(store.getState().load.phase).toBe('ready');
    expect(data?.seq).toBe(6);
    expect(data?.services['AssetHubServer']).toBeDefined();
    expect(data?.services['STAGE-A-AssetHubClient']).toBeDefined();
    expect(data?.connection.state).toBe('reconnecting');
    host.emit('patches', { seq: 7, patches: [{ type: 'forget', service: 'DataHub' }] });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().data?.services['DataHub']).toBeUndefined();
    stop();
    host.emit('patches', { seq: 8, patches: [{ type: 'forget', service: 'AssetHubServer' }] });
    expect(store.getState().data?.services['AssetHubServer']).toBeDefined();
  });

  it('applies batches that arrive together as one store change, and before any other event that follows them', async () => {
    const store = createPanelStore();
    const host = fakeHost();
    store.getState().start({ kind: 'electron', api: host.api });
    host.hello(snapshot(5));
    await new Promise((r) => setTimeout(r, 0));
    const seen: Array<number | undefined> = [];
    store.subscribe((s) => seen.push(s.data?.seq));
    for (const seq of [6, 7, 8]) host.emit('patches', { seq, patches: [{ type: 'service', entry: entry(`STAGE-${seq}-AssetHubClient`, 'client') }] });
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([8]);
    expect(Object.keys(store.getState().data?.services ?? {}).filter((n) => /^STAGE-\d/.test(n))).toEqual(['STAGE-6-AssetHubClient', 'STAGE-7-AssetHubClient', 'STAGE-8-AssetHubClient']);
    // An operation's report after a batch: the batch is in the store first.
    host.emit('patches', { seq: 9, patches: [{ type: 'forget', service: 'STAGE-6-AssetHubClient' }] });
    host.emit('operation', { id: 1, service: 'STAGE-7-AssetHubClient', method: 'Pull', subject: '/ws', by: 'P', startedAt: 1, endedAt: null, state: 'started', outcome: null, via: null, after: null });
    expect(seen).toEqual([8, 9, 9]);
    expect(store.getState().data?.services['STAGE-6-AssetHubClient']).toBeUndefined();
  });

  it('without a host it stays idle with no data', () => {
    const store = createPanelStore();
    store.getState().start({ kind: 'none' });
    expect(store.getState()).toMatchObject({ host: 'none', data: null, load: { phase: 'idle' } });
  });
});

describe('operations', () => {
  const op = (id: number, state: Operation['state']): Operation => ({
    id, service: 'STAGE-A-AssetHubClient', method: 'Pull', subject: '/ws', by: 'P', startedAt: 1, endedAt: state === 'started' || state === 'running' ? null : 2,
    state, outcome: null, via: null, after: null,
  });

  it('upserts by id; an older report held while a snapshot loaded never undoes a newer one', () => {
    let data = fromSnapshot({ ...snapshot(1), operations: [op(1, 'done')] });
    data = applyOperation(data, op(1, 'running'));
    expect(data.operations).toEqual([op(1, 'done')]);
    data = applyOperation(data, op(2, 'started'));
    data = applyOperation(data, op(2, 'failed'));
    expect(data.operations.map((o) => `${o.id} ${o.state}`)).toEqual(['1 done', '2 failed']);
  });
});

describe('a value below a state', () => {
  const status = { Activity: 'Idle' };
  const held = () => fromSnapshot({ ...snapshot(1), states: { AssetHubServer: { WorkspaceInfo: { Status: status, Clients: Object.assign(Object.create(null) as object, { A: { n: 1 }, B: { n: 2 } }) } } } });

  it('is put into the state held, sharing what it did not touch', () => {
    const before = held();
    const batch = { seq: 2, patches: [{ type: 'state' as const, service: 'AssetHubServer', state: 'WorkspaceInfo', path: ['Clients', 'A'], value: { n: 3 } }] };
    expect(needsSnapshot(before, batch)).toBe(false);
    const after = applyPatches(before, batch);
    const info = (s: typeof before) => s.states['AssetHubServer']?.['WorkspaceInfo'] as { Status: unknown; Clients: Record<string, unknown> };
    expect(info(after).Clients).toEqual({ A: { n: 3 }, B: { n: 2 } });
    expect(info(after).Clients['B']).toBe(info(before).Clients['B']);
    expect(info(after).Status).toBe(status);
    expect(Object.getPrototypeOf(info(after).Clients)).toBeNull();
    expect(info(before).Clients['A']).toEqual({ n: 1 });
  });

  it('needs a snapshot when the state is not held, unless the same batch brings it whole first', () => {
    const data = fromSnapshot(snapshot(1));
    const part = { type: 'state' as const, service: 'AssetHubServer', state: 'WorkspaceInfo', path: ['Status'], value: status };
    expect(needsSnapshot(data, { seq: 2, patches: [part] })).toBe(true);
    expect(needsSnapshot(data, { seq: 1, patches: [part] })).toBe(false);
    expect(needsSnapshot(data, { seq: 2, patches: [{ type: 'state', service: 'AssetHubServer', state: 'WorkspaceInfo', value: { Status: {}, Clients: {} } }, part] })).toBe(false);
  });
});
