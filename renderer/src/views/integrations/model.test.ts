import { describe, expect, it } from 'vitest';
import { IntegrationEntry, type TIntegrationAsset, type TIntegrationEntry } from '../../../../shared/assethub/integrations.ts';
import { NO_HOST_INFO } from '../../../../shared/panel/api.ts';
import type { PanelData } from '../../store/panel.ts';
import {
  attemptOutcome, attemptsInOrder, checkForm, configSignature, duration, endpointProblem, formOf, integrationRows, prettyJson,
  retryDelays, retrySummary, scopesOf, snippet, untilText,
} from './model.ts';

const entry = (over: Partial<TIntegrationEntry> = {}): TIntegrationEntry => IntegrationEntry.parse({
  Name: 'Hook', Enabled: true, EndpointUrl: 'http://127.0.0.1:8080/hook', Filter: '', Configuration: { a: 1 }, TenantId: 't',
  BatchSize: 50, TimeoutMs: 10_000, Retry: { MaxAttempts: 5, InitialDelayMs: 120_000, Multiplier: 2 }, Repositories: [],
  SecretSet: true, Tracked: 1, Failed: 2, Pending: 3, Sync: null, LastDeliveryAt: null, LastError: null, ...over,
});

const data = (states: Record<string, unknown>): PanelData => ({
  connection: { state: 'connected', since: 0, hubUrl: null, panelName: 'p' } as unknown as PanelData['connection'],
  host: NO_HOST_INFO,
  services: {},
  operations: [],
  states: { AssetHubServer: states },
  seq: 0,
});

describe('integration rows', () => {
  it('are null until the state was read, then sorted by name', () => {
    expect(integrationRows(data({}))).toBeNull();
    expect(integrationRows(data({ Integrations: {} }))).toEqual([]);
    const rows = integrationRows(data({ Integrations: { b: entry({ Name: 'b' }), a: entry({ Name: 'a' }) } }));
    expect(rows?.map((r) => r.name)).toEqual(['a', 'b']);
  });
});

describe('words', () => {
  it('durations, countdowns and retry schedules', () => {
    expect(duration(850)).toBe('850 ms');
    expect(duration(10_000)).toBe('10 s');
    expect(duration(120_000)).toBe('2 min');
    expect(duration(90_000)).toBe('1 min 30 s');
    expect(duration(5_400_000)).toBe('1 h 30 min');
    expect(duration(86_400_000)).toBe('1 d');
    expect(untilText(10_000, 0)).toBe('in 10 s');
    expect(untilText(0, 5000)).toBe('due now');
    expect(retryDelays({ MaxAttempts: 5, InitialDelayMs: 120_000, Multiplier: 2 })).toEqual([120_000, 240_000, 480_000, 960_000]);
    expect(retrySummary({ MaxAttempts: 5, InitialDelayMs: 120_000, Multiplier: 2 })).toBe('5 attempts: retries after 2 min, 4 min, 8 min, 16 min (30 min in all)');
    expect(retrySummary({ MaxAttempts: 1, InitialDelayMs: 0, Multiplier: 1 })).toBe('1 attempt, no retries');
  });

  it('attempts in time order, their outcome, response snippets and JSON', () => {
    const asset = {
      attempts: [
        { at: '2026-01-01T10:00:05Z', deliveryId: 'd2', httpStatus: 500, error: null, response: 'boom' },
        { at: '2026-01-01T10:00:00Z', deliveryId: 'd1', httpStatus: null, error: 'ECONNREFUSED', response: null },
      ],
    } as unknown as TIntegrationAsset;
    expect(attemptsInOrder(asset).map((a) => a.deliveryId)).toEqual(['d1', 'd2']);
    expect(attemptOutcome({ at: '', deliveryId: '', httpStatus: 500, error: null, response: null })).toEqual({ text: 'HTTP 500', ok: false });
    expect(attemptOutcome({ at: '', deliveryId: '', httpStatus: 200, error: null, response: null })).toEqual({ text: 'HTTP 200', ok: true });
    expect(attemptOutcome({ at: '', deliveryId: '', httpStatus: 200, error: 'no Item for the asset', response: null })).toEqual({ text: 'HTTP 200: no Item for the asset', ok: false });
    expect(attemptOutcome({ at: '', deliveryId: '', httpStatus: null, error: 'timeout after 10000 ms', response: null }).text).toBe('timeout after 10000 ms');
    expect(attemptOutcome({ at: '', deliveryId: '', httpStatus: 500, error: 'HTTP 500: boom', response: null }).text).toBe('HTTP 500: boom');
    expect(attemptOutcome({ at: '', deliveryId: '', httpStatus: 500, error: 'HTTP 500', response: null }).text).toBe('HTTP 500');
    expect(snippet('a\n  b', 10)).toBe('a b');
    expect(snippet('x'.repeat(20), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(snippet(null)).toBeNull();
    expect(prettyJson('{"a":[1]}')).toEqual({ text: '{\n  "a": [\n    1\n  ]\n}', json: true });
    expect(prettyJson('not json')).toEqual({ text: 'not json', json: false });
  });

  it('the scopes a Sync all covers: followed repositories (all when none) with their branches', () => {
    const branches = new Map([['r1', ['Main', 'Dev']], ['r2', ['Main']]]);
    expect(scopesOf(entry(), branches)).toEqual([{ repository: 'r1', branch: 'Main' }, { repository: 'r1', branch: 'Dev' }, { repository: 'r2', branch: 'Main' }]);
    expect(scopesOf(entry({ Repositories: ['r2'] }), branches)).toEqual([{ repository: 'r2', branch: 'Main' }]);
  });
});

describe('the configuration form', () => {
  const ok = { isNew: false, taken: ['Hook'], filterProblem: null };

  it('round-trips an entry into the config the server takes, without a Secret unless one is typed', () => {
    const form = formOf(entry());
    const { config, errors } = checkForm(form, ok);
    expect(errors).toEqual({});
    expect(config).toEqual({
      Name: 'Hook', Enabled: true, EndpointUrl: 'http://127.0.0.1:8080/hook', Filter: '', Configuration: { a: 1 }, TenantId: 't',
      BatchSize: 50, TimeoutMs: 10_000, Retry: { MaxAttempts: 5, InitialDelayMs: 120_000, Multiplier: 2 }, Repositories: [],
    });
    expect(checkForm({ ...form, Secret: 's' }, ok).config?.Secret).toBe('s');
  });

  it('says per field what is wrong', () => {
    const form = { ...formOf(null), Name: 'Hook', EndpointUrl: 'ftp://x', Configuration: '[1]', BatchSize: '501', TimeoutMs: 'abc', Multiplier: '0.5' };
    const { config, errors } = checkForm(form, { isNew: true, taken: ['Hook'], filterProblem: 'nope: unknown selector' });
    expect(config).toBeNull();
    expect(errors.Name).toMatch(/already exists/);
    expect(errors.EndpointUrl).toMatch(/http:\/\/ or https:\/\//);
    expect(errors.Configuration).toMatch(/JSON object/);
    expect(errors.BatchSize).toMatch(/1 to 500/);
    expect(errors.TimeoutMs).toMatch(/whole number/);
    expect(errors.Multiplier).toMatch(/1 to 10/);
    expect(errors.Filter).toBe('nope: unknown selector');
    expect(errors.Secret).toMatch(/needs a secret/);
    expect(checkForm({ ...formOf(entry()), Configuration: '{"a": }' }, ok).errors.Configuration).toBeTruthy();
  });

  it('checks endpoint URLs', () => {
    expect(endpointProblem('')).toMatch(/required/);
    expect(endpointProblem('localhost:8080')).toBeTruthy();
    expect(endpointProblem('https://example.com/hook')).toBeNull();
  });

  it('tells a changed entry by its configuration, not by its live counts', () => {
    expect(configSignature(entry())).toBe(configSignature(entry({ Tracked: 99, LastDeliveryAt: '2026-01-01T00:00:00Z' })));
    expect(configSignature(entry())).not.toBe(configSignature(entry({ Filter: 'asset.type.name==texture' })));
  });
});
