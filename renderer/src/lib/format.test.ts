import { describe, expect, it } from 'vitest';
import type { ConnectionStatus, ServiceEntry } from '../../../shared/panel/api.ts';
import { clockTime, connectionText, dateTime, offerSummary, relativeTime, serviceSummary, transportText } from './format.ts';

const status = (s: Partial<ConnectionStatus> & Pick<ConnectionStatus, 'state'>): ConnectionStatus => ({ hubUrl: 'ws://h:1', panelName: 'P', since: 0, ...s });

describe('connection words', () => {
  it('says each state', () => {
    expect(connectionText(status({ state: 'connected' }), 0)).toBe('Connected');
    expect(connectionText(status({ state: 'connecting' }), 0)).toBe('Connecting…');
    expect(connectionText(status({ state: 'reconnecting', attempt: 2, retryAt: 2_500 }), 0)).toBe('Reconnecting in 3 s (attempt 2)');
    expect(connectionText(status({ state: 'reconnecting', attempt: 2, retryAt: 2_500, problem: 'refused' }), 0, true)).toBe('Reconnecting in 3 s (attempt 2) · connection refused');
    expect(connectionText(status({ state: 'reconnecting', attempt: 2, retryAt: 2_500, problem: 'refused' }), 0)).toBe('Reconnecting in 3 s (attempt 2)');
    expect(connectionText(status({ state: 'reconnecting', attempt: 3, retryAt: 1_000 }), 2_000)).toBe('Reconnecting now (attempt 3)');
    expect(connectionText(status({ state: 'failed', reason: 'hub refused the token' }), 0)).toBe('Failed: hub refused the token');
    expect(connectionText(status({ state: 'disconnected' }), 0)).toBe('Disconnected');
  });

  it('says when the panel host itself is unreachable', () => {
    expect(transportText({ state: 'open' }, 0)).toBeNull();
    expect(transportText(null, 0)).toBeNull();
    expect(transportText({ state: 'waiting', attempt: 1, retryAt: 1_200, reason: 'x' }, 0)).toBe('Panel host unreachable: retrying in 2 s (attempt 2)');
  });

  it('gives relative times', () => {
    expect(relativeTime(null, 0)).toBe('never');
    expect(relativeTime(1_000, 1_500)).toBe('just now');
    expect(relativeTime(0, 3_000)).toBe('3 s ago');
    expect(relativeTime(0, 125_000)).toBe('2 min ago');
    expect(relativeTime(0, 3 * 3_600_000)).toBe('3 h ago');
    expect(relativeTime(0, 50 * 3_600_000)).toBe('2 d ago');
  });

  it('summarises the server and the clients', () => {
    const e = (kind: ServiceEntry['kind']): ServiceEntry => ({ name: 'x', kind, machine: null, online: true, lastSeen: null, version: null, startedAt: null, error: null, offer: null });
    expect(serviceSummary(e('server'), { State: { Repositories: { a: {}, b: {}, c: {} } } })).toBe('3 repositories');
    expect(serviceSummary(e('client'), { PersistentState: { Workspaces: { a: {} } }, State: { Workspaces: {} } })).toBe('1 workspace');
    expect(serviceSummary(e('client'), undefined)).toBeNull();
    expect(serviceSummary(e('hub'), { State: {} })).toBeNull();
  });
});

describe('times', () => {
  it('are 24 h, one form, whatever the locale', () => {
    const t = new Date(2026, 11, 6, 21, 4, 7).getTime();
    expect(clockTime(t)).toBe('21:04:07');
    expect(dateTime(t)).toBe('2026-12-06 21:04:07');
    expect(clockTime(new Date(2026, 0, 2, 9, 0, 0).getTime())).toBe('09:00:00');
  });
});

describe('offerSummary', () => {
  const entry = (offer: ServiceEntry['offer']): ServiceEntry => ({ name: 'S', kind: 'server', machine: null, online: true, lastSeen: 1, version: null, startedAt: null, error: null, offer });
  it('says what a service offers in a few words, and in full for the tooltip', () => {
    expect(offerSummary(entry(null))).toBeNull();
    expect(offerSummary(entry({ source: 'checking', methods: [], states: [], reason: null }))?.text).toBe('asking…');
    expect(offerSummary(entry({ source: 'documented', methods: ['Health'], states: [], reason: 'no answer to GetCapabilities' }))).toEqual({
      text: 'documented protocol only', detail: "Pixotope's documented protocol only: no answer to GetCapabilities",
    });
    expect(offerSummary(entry({ source: 'discovered', methods: ['Health', 'Pull'], states: ['State'], reason: null }))).toEqual({ text: '2 Calls, 1 state', detail: 'Calls: Health, Pull\nStates: State' });
  });
});
