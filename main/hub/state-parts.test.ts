// A server's WorkspaceInfo comes as Updates of one client's entry at a time (services/server/workspace-info.ts): the
// cache validates that entry against its own schema, never the whole state again, and keeps maps keyed by wire names
// without a prototype.
import { describe, expect, it } from 'vitest';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { ClientSummary, STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { StateCache } from './state-cache.ts';

const status = { Incoming: false, Outcoming: false, Activity: 'Idle', Stage: 'Finalizing', Current: 0, Total: 0, Progress: 1 };
const entry = (name: string, activity = 'Idle') => ({ Name: name, Status: { ...status, Activity: activity } });

function cacheWith(clients: string[]) {
  const cache = new StateCache({ onState: () => undefined, onError: () => undefined });
  const Clients = Object.fromEntries(clients.map((c) => [c, entry(c)]));
  expect(cache.applyWhole(SERVER_NAME, 'server', 'WorkspaceInfo', { Status: status, Clients }).outcome).toBe('applied');
  return cache;
}

describe("a server WorkspaceInfo's parts", () => {
  it("applies one client's entry checked by the entry's schema alone, whatever the rest of the state holds", () => {
    const cache = cacheWith(['A-AssetHubClient', 'B-AssetHubClient']);
    const whole = STATE_SCHEMAS.server.WorkspaceInfo;
    const parsed: unknown[] = [];
    const original = whole.safeParse.bind(whole);
    whole.safeParse = ((value: unknown) => {
      parsed.push(value);
      return original(value);
    }) as typeof whole.safeParse;
    try {
      expect(cache.applyPath(SERVER_NAME, 'server', 'WorkspaceInfo', ['Clients', 'A-AssetHubClient'], entry('A-AssetHubClient', 'Sync')).outcome).toBe('applied');
      expect(cache.applyPath(SERVER_NAME, 'server', 'WorkspaceInfo', ['Clients', 'C-AssetHubClient'], entry('C-AssetHubClient')).outcome).toBe('applied');
      expect(cache.applyPath(SERVER_NAME, 'server', 'WorkspaceInfo', ['Status'], { ...status, Activity: 'Sync' }).outcome).toBe('applied');
    } finally {
      whole.safeParse = original;
    }
    expect(parsed).toEqual([]);
    const info = cache.get(SERVER_NAME, 'WorkspaceInfo') as { Status: { Activity: string }; Clients: Record<string, { Status: { Activity: string } }> };
    expect(Object.keys(info.Clients)).toEqual(['A-AssetHubClient', 'B-AssetHubClient', 'C-AssetHubClient']);
    expect(info.Clients['A-AssetHubClient']?.Status.Activity).toBe('Sync');
    expect(info.Status.Activity).toBe('Sync');
    expect(Object.getPrototypeOf(info.Clients)).toBeNull();
    expect(STATE_SCHEMAS.server.WorkspaceInfo.safeParse(info).success).toBe(true);
  });

  it('refuses an invalid entry with its path in the problem, and keeps the state as it was', () => {
    const cache = cacheWith(['A-AssetHubClient']);
    const before = cache.get(SERVER_NAME, 'WorkspaceInfo');
    const bad = { Name: 'A-AssetHubClient', Status: { ...status, Activity: 'Dancing' } };
    expect(ClientSummary.safeParse(bad).success).toBe(false);
    const applied = cache.applyPath(SERVER_NAME, 'server', 'WorkspaceInfo', ['Clients', 'A-AssetHubClient'], bad);
    expect(applied.outcome).toBe('invalid');
    expect(cache.problemOf(SERVER_NAME, 'WorkspaceInfo')).toMatch(/^Clients\.A-AssetHubClient\.Status\.Activity: /);
    expect(cache.get(SERVER_NAME, 'WorkspaceInfo')).toBe(before);
  });

  it('validates any other path below the state with the whole state, as before', () => {
    const cache = cacheWith(['A-AssetHubClient']);
    expect(cache.applyPath(SERVER_NAME, 'server', 'WorkspaceInfo', ['Clients', 'A-AssetHubClient', 'Status', 'Activity'], 'Dancing').outcome).toBe('invalid');
    expect(cache.applyPath(SERVER_NAME, 'server', 'WorkspaceInfo', ['Clients', 'A-AssetHubClient', 'Status', 'Activity'], 'Pull').outcome).toBe('invalid');
    expect(cache.applyPath(SERVER_NAME, 'server', 'WorkspaceInfo', ['Clients', 'A-AssetHubClient', 'Status', 'Activity'], 'Sync').outcome).toBe('applied');
  });
});

describe('a whole state that comes again', () => {
  const workspace = (name: string, local: string[]) => ({
    Name: name, Scan: false, IgnoredURIs: [], LocalChanges: local.map((URI) => ({ Type: 'PutFile', URI })), RemoteChanges: [], ConflictURIs: [], Claims: [],
  });
  const assetInfo = (a: string[], b: string[]) => ({ Workspaces: { 'D:\\Show\\A': workspace('A', a), 'D:\\Show\\B': workspace('B', b) } });

  it('is told as the places where it changed, and not at all when it is the same', () => {
    const told: Array<string[] | undefined> = [];
    const cache = new StateCache({ onState: (_service, _state, path) => void told.push(path ? [...path] : undefined), onError: () => undefined });
    const client = 'STAGE-A-AssetHubClient';
    const thousands = Array.from({ length: 3000 }, (_, i) => `FileSystem:/Content/E_${i}.uasset`);
    expect(STATE_SCHEMAS.client.AssetInfo.safeParse(assetInfo(thousands, [])).success).toBe(true);
    expect(cache.applyWhole(client, 'client', 'AssetInfo', assetInfo(thousands, [])).outcome).toBe('applied');
    expect(cache.applyWhole(client, 'client', 'AssetInfo', assetInfo(thousands, [])).outcome).toBe('applied');
    expect(cache.applyWhole(client, 'client', 'AssetInfo', assetInfo(thousands, ['FileSystem:/Content/New.uasset'])).outcome).toBe('applied');
    expect(told).toEqual([undefined, ['Workspaces', 'D:\\Show\\B', 'LocalChanges']]);
    expect((cache.get(client, 'AssetInfo') as { Workspaces: Record<string, { LocalChanges: unknown[] }> }).Workspaces['D:\\Show\\B']?.LocalChanges).toHaveLength(1);
    // A workspace gone: no path says so; the whole state.
    expect(cache.applyWhole(client, 'client', 'AssetInfo', { Workspaces: { 'D:\\Show\\A': workspace('A', []) } }).outcome).toBe('applied');
    expect(told.at(-1)).toBeUndefined();
    expect(told).toHaveLength(3);
  });
});
