// The renderer is told what changed below a state (one client's entry of a 500-client WorkspaceInfo) as that entry's
// value, and putting each into what it held gives the engine's state, whatever order the changes came in.
// (renderer/src/store/panel.test.ts: the store puts them in the same way.)
import { describe, expect, it, vi } from 'vitest';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import type { EventData, Patch } from '../../shared/panel/api.ts';
import { withValueAt } from '../../shared/protocol/value-path.ts';
import { Batcher, PATHS_PER_STATE_MAX, STATE_PATCHES_PER_BATCH_MAX } from './batcher.ts';
import { StateCache } from './state-cache.ts';

const status = { Incoming: false, Outcoming: false, Activity: 'Idle', Stage: 'Finalizing', Current: 0, Total: 0, Progress: 1 };
const client = (i: number) => `R${String(i).padStart(3, '0')}-AssetHubClient`;
const entry = (name: string, activity = 'Idle') => ({ Name: name, Status: { ...status, Activity: activity } });

/** What the renderer holds: every batch put into it, a path's value below the state it holds (as its store does). */
function rig(clients: number) {
  const batches: EventData<'patches'>[] = [];
  let batcher: Batcher | null = null;
  const cache = new StateCache({ onState: (service, state, path) => batcher?.state(service, state, path), onError: () => undefined });
  batcher = new Batcher({ entry: () => undefined, state: (service, state) => cache.get(service, state) }, { patches: (b) => batches.push(b), log: () => undefined }, 1);
  const Clients = Object.fromEntries(Array.from({ length: clients }, (_, i) => [client(i), entry(client(i))]));
  expect(cache.applyWhole(SERVER_NAME, 'server', 'WorkspaceInfo', { Status: status, Clients }).outcome).toBe('applied');
  let held: unknown;
  const take = (): Patch[] => {
    batcher?.flush();
    const patches = batches.splice(0).flatMap((b) => b.patches);
    for (const p of patches) {
      if (p.type !== 'state') continue;
      expect(p.path === undefined || held !== undefined).toBe(true);
      held = p.path ? withValueAt(held, p.path, p.value) : p.value;
    }
    return patches;
  };
  take();
  return { cache, take, held: () => held, close: () => batcher?.close() };
}

const apply = (cache: StateCache, path: string[], value: unknown) => expect(cache.applyPath(SERVER_NAME, 'server', 'WorkspaceInfo', path, value).outcome).toBe('applied');

describe('patches below a state', () => {
  it("sends one client's entry, not the whole WorkspaceInfo, and the renderer ends with the engine's state", () => {
    const r = rig(500);
    apply(r.cache, ['Clients', client(7)], entry(client(7), 'Sync'));
    apply(r.cache, ['Clients', client(9)], entry(client(9), 'Sync'));
    apply(r.cache, ['Clients', client(7)], entry(client(7), 'Idle'));
    const patches = r.take();
    expect(patches.map((p) => (p.type === 'state' ? p.path : null))).toEqual([['Clients', client(7)], ['Clients', client(9)]]);
    expect(JSON.stringify(patches).length).toBeLessThan(1000);
    expect(r.held()).toEqual(r.cache.get(SERVER_NAME, 'WorkspaceInfo'));
    r.close();
  });

  it('sends the whole state when it changed anywhere, or at too many paths', () => {
    const r = rig(200);
    apply(r.cache, ['Clients', client(1)], entry(client(1), 'Sync'));
    expect(r.cache.applyWhole(SERVER_NAME, 'server', 'WorkspaceInfo', { Status: status, Clients: { [client(1)]: entry(client(1)) } }).outcome).toBe('applied');
    apply(r.cache, ['Clients', client(2)], entry(client(2), 'Sync'));
    let patches = r.take();
    expect(patches).toHaveLength(1);
    expect(patches[0]).not.toHaveProperty('path');
    for (let i = 0; i <= PATHS_PER_STATE_MAX; i++) apply(r.cache, ['Clients', client(i)], entry(client(i), 'Sync'));
    patches = r.take();
    expect(patches).toHaveLength(1);
    expect(patches[0]).not.toHaveProperty('path');
    expect(r.held()).toEqual(r.cache.get(SERVER_NAME, 'WorkspaceInfo'));
    r.close();
  });

  it('sends the whole state when a changed entry is gone by the flush', () => {
    const r = rig(10);
    apply(r.cache, ['Clients', client(3)], entry(client(3), 'Sync'));
    expect(r.cache.applyWhole(SERVER_NAME, 'server', 'WorkspaceInfo', { Status: status, Clients: {} }).outcome).toBe('applied');
    const patches = r.take();
    expect(patches).toHaveLength(1);
    expect(patches[0]).not.toHaveProperty('path');
    r.close();
  });
});

describe('a burst of changed states', () => {
  it('goes out as batches of at most STATE_PATCHES_PER_BATCH_MAX state patches, the oldest marked first, each value as at its flush', () => {
    const batches: EventData<'patches'>[] = [];
    const values = new Map<string, number>();
    let now = 0;
    const batcher = new Batcher(
      { entry: (name) => ({ name }) as never, state: (service) => values.get(service) },
      { patches: (b) => batches.push(b), log: () => undefined },
      30,
      () => now,
    );
    const n = 2 * STATE_PATCHES_PER_BATCH_MAX + 10;
    for (let i = 0; i < n; i++) {
      values.set(client(i), i);
      batcher.state(client(i), 'AssetInfo');
    }
    batcher.service(client(0));
    batcher.flush();
    const first = batches[0]?.patches ?? [];
    expect(first.filter((p) => p.type === 'service')).toHaveLength(1);
    const states = (b: EventData<'patches'> | undefined) => (b?.patches ?? []).flatMap((p) => (p.type === 'state' ? [p.service] : []));
    expect(states(batches[0])).toEqual(Array.from({ length: STATE_PATCHES_PER_BATCH_MAX }, (_, i) => client(i)));
    // Changed again while waiting: sent once, with its newest value, in its place.
    values.set(client(n - 1), -1);
    batcher.state(client(n - 1), 'AssetInfo');
    now += 100;
    batcher.flush();
    batcher.flush();
    expect(states(batches[1])).toEqual(Array.from({ length: STATE_PATCHES_PER_BATCH_MAX }, (_, i) => client(STATE_PATCHES_PER_BATCH_MAX + i)));
    expect(states(batches[2])).toEqual(Array.from({ length: 10 }, (_, i) => client(2 * STATE_PATCHES_PER_BATCH_MAX + i)));
    expect(batches[2]?.patches.at(-1)).toMatchObject({ service: client(n - 1), value: -1 });
    expect(batches.map((b) => b.seq)).toEqual([1, 2, 3]);
    batcher.flush();
    expect(batches).toHaveLength(3);
    batcher.close();
  });

  it('sends what did not fit by itself, a tick later', async () => {
    const batches: EventData<'patches'>[] = [];
    const batcher = new Batcher({ entry: () => undefined, state: () => 1 }, { patches: (b) => batches.push(b), log: () => undefined }, 100);
    for (let i = 0; i < STATE_PATCHES_PER_BATCH_MAX + 1; i++) batcher.state(client(i), 'State');
    batcher.flush();
    await vi.waitFor(() => expect(batches.map((b) => b.patches.length)).toEqual([STATE_PATCHES_PER_BATCH_MAX, 1]));
    batcher.close();
  });
});
