// The server's WorkspaceInfo goes out as what changed: one Update per client entry that moved, the aggregate Status
// when it moved, the whole state when a client left or most entries changed.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { WORKSPACE_INFO_EVERY_MS, WorkspaceInfoBroadcaster } from './workspace-info.ts';

let sent: string[] = [];
let clients = new Set<string>();
let status = 'Idle';
let broadcaster: WorkspaceInfoBroadcaster;

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  clients = new Set(['A', 'B', 'C', 'D']);
  status = 'Idle';
  broadcaster = new WorkspaceInfoBroadcaster({
    whole: () => sent.push('whole'),
    at: (path) => sent.push(path.join('.')),
    status: () => ({ Activity: status }),
    count: () => clients.size,
    has: (name) => clients.has(name),
  });
  broadcaster.all();
  vi.advanceTimersByTime(WORKSPACE_INFO_EVERY_MS);
  sent = [];
});
afterEach(() => {
  broadcaster.close();
  vi.useRealTimers();
});

it('sends the entries that changed, once each, gathered over a tick; the Status only when it moved', () => {
  broadcaster.client('A');
  broadcaster.client('A');
  expect(sent).toEqual([]);
  vi.advanceTimersByTime(WORKSPACE_INFO_EVERY_MS);
  expect(sent).toEqual(['Clients.A']);
  status = 'Sync';
  broadcaster.client('B');
  vi.advanceTimersByTime(WORKSPACE_INFO_EVERY_MS);
  expect(sent).toEqual(['Clients.A', 'Clients.B', 'Status']);
});

it('sends the whole state when a client left, when a changed client is no longer listed, or when most changed', () => {
  broadcaster.all();
  vi.advanceTimersByTime(WORKSPACE_INFO_EVERY_MS);
  expect(sent).toEqual(['whole']);
  clients.delete('D');
  broadcaster.client('D');
  vi.advanceTimersByTime(WORKSPACE_INFO_EVERY_MS);
  expect(sent).toEqual(['whole', 'whole']);
  for (const name of ['A', 'B']) broadcaster.client(name);
  vi.advanceTimersByTime(WORKSPACE_INFO_EVERY_MS);
  expect(sent).toEqual(['whole', 'whole', 'whole']); // 2 of 3
  broadcaster.client('C');
  vi.advanceTimersByTime(WORKSPACE_INFO_EVERY_MS);
  expect(sent).toEqual(['whole', 'whole', 'whole', 'Clients.C']);
});
