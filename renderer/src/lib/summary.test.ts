import { describe, expect, it } from 'vitest';
import { changesWhere, machineSummary, percent, pullPushWords, serverChangesWords } from './summary.ts';

const status = (over: Partial<Parameters<typeof percent>[0] & { Activity: 'Idle' | 'Sync'; Incoming: boolean; Outcoming: boolean }> = {}) => ({
  Incoming: false, Outcoming: false, Activity: 'Idle' as const, Stage: 'Initiating' as const, Current: 0, Total: 0, Progress: 0, ...over,
});
const ws = (conflicts: string[] = []) => ({ w: { Name: 'w', Scan: false, IgnoredURIs: [], LocalChanges: [], RemoteChanges: [], ConflictURIs: conflicts, Claims: [] } });

describe('machine summary', () => {
  it('says only what is known', () => {
    expect(machineSummary({ online: false, status: undefined, assets: undefined }).text).toBe('Offline');
    expect(machineSummary({ online: true, status: undefined, assets: undefined }).text).toBe('—');
    expect(machineSummary({ online: true, status: status(), assets: undefined }).text).toBe('—');
    expect(machineSummary({ online: true, status: status(), assets: ws() }).text).toBe('Up to date');
    expect(machineSummary({ online: true, status: status(), assets: null }).text).toBe('Up to date');
    expect(machineSummary({ online: true, status: status({ Incoming: true }), assets: undefined }).text).toBe('Out of sync');
    expect(machineSummary({ online: true, status: status({ Activity: 'Sync', Progress: 0.42 }), assets: ws() }).text).toBe('Syncing 42%');
    expect(machineSummary({ online: true, status: status({ Activity: 'Sync' }), assets: ws(['a']) }).text).toBe('Conflicts');
    expect(machineSummary({ online: true, status: undefined, assets: ws(['a']) }).text).toBe('Conflicts');
  });
  it('reads progress as a fraction, else as Current/Total', () => {
    expect(percent({ Progress: 1, Current: 0, Total: 0 })).toBe(100);
    expect(percent({ Progress: 7, Current: 3, Total: 4 })).toBe(75);
    expect(percent({ Progress: -1, Current: 0, Total: 0 })).toBeNull();
  });
});

describe('where the server is out of sync', () => {
  const st = (Incoming: boolean, Outcoming: boolean) => ({ Incoming, Outcoming, Activity: 'Idle', Stage: 'Finalizing', Current: 0, Total: 0, Progress: 1 }) as never;
  const machineOf = (s: string) => s.replace(/-AssetHubClient$/, '');

  it('names the machines with changes to pull and to push', () => {
    const clients = {
      'STAGE-B-AssetHubClient': { Name: 'STAGE-B-AssetHubClient', Status: st(false, true) },
      'STAGE-A-AssetHubClient': { Name: 'STAGE-A-AssetHubClient', Status: st(true, true) },
    };
    const where = changesWhere(clients, machineOf);
    expect(where).toEqual({ pull: ['STAGE-A'], push: ['STAGE-A', 'STAGE-B'] });
    expect(serverChangesWords(st(true, true), where)).toBe('changes to pull on STAGE-A; changes to push on STAGE-A, STAGE-B');
    expect(serverChangesWords(st(false, false), changesWhere(undefined, machineOf))).toBe('nothing to pull; nothing to push');
    expect(serverChangesWords(undefined, where)).toBe('—');
  });
});

describe('pullPushWords', () => {
  it('says what a Status says of pulling and pushing, and — before it is read', () => {
    const status = (Incoming: boolean, Outcoming: boolean) => ({ Incoming, Outcoming, Activity: 'Idle', Stage: 'Finalizing', Current: 0, Total: 0, Progress: 1 }) as const;
    expect(pullPushWords(status(true, false))).toBe('changes to pull; nothing to push');
    expect(pullPushWords(status(false, true))).toBe('nothing to pull; changes to push');
    expect(pullPushWords(undefined)).toBe('—');
  });
});
