import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../../shared/panel/api.ts';
import { notConnected } from './not-connected.ts';

const base: ConnectionStatus = { state: 'reconnecting', hubUrl: 'ws://127.0.0.1:9', panelName: 'P', since: 1 };

describe('notConnected', () => {
  it('is null while connected, and before any hub is chosen', () => {
    expect(notConnected({ ...base, state: 'connected' })).toBeNull();
    expect(notConnected({ ...base, state: 'disconnected', hubUrl: '' })).toBeNull();
    expect(notConnected(undefined)).toBeNull();
  });
  it('a hub never reached: cannot reach it, nothing to show', () => {
    const off = notConnected({ ...base, reason: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9', problem: 'refused' });
    expect(off).toMatchObject({ problem: true, headline: 'The panel cannot reach the hub: connection refused', staleSince: null });
    expect(off?.detail).toContain('ECONNREFUSED');
  });
  it('a hub lost: the last known data, with when they were live', () => {
    expect(notConnected({ ...base, reason: 'connection lost', problem: 'lost', lastConnected: 42 })).toMatchObject({
      headline: 'Lost the connection to the hub: connection lost',
      staleSince: 42,
    });
  });
  it('a first connection under way is not a problem', () => {
    expect(notConnected({ ...base, state: 'connecting' })).toMatchObject({ problem: false, headline: 'Connecting to the hub…' });
  });
});
