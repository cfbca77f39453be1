// Integration names that would be confusing as keys of a map are refused with the rule, and nothing of them is
// stored, run or delivered, after a restart either; other names from the wire (Configuration keys, state names in a
// Get) are plain keys.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_NAME } from '../../../shared/protocol/index.ts';
import { until } from '../../testing/wait.ts';
import { IntegrationsDb } from './db.ts';
import {
  commitFiles, createRepo, integrationEntry, scriptedReceiver, setIntegration, startRig, type Rig, type ScriptedReceiver,
} from './testing/rig.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Names';

let rig: Rig;
let receiver: ScriptedReceiver;
/** The configuration of each request the receiver got. */
const configurations: unknown[] = [];
beforeAll(async () => {
  rig = await startRig();
  receiver = await scriptedReceiver();
  const answer = receiver.answer;
  receiver.answer = (exchange) => {
    configurations.push(exchange.configuration);
    answer(exchange);
  };
});
afterAll(async () => {
  await receiver?.close();
  await rig?.close();
});

const config = (extra: Record<string, unknown> = {}) => ({ EndpointUrl: receiver.url, Secret: 'secret', Repositories: [REPO], ...extra });
const names = async () => Object.keys(await rig.panel.get(SERVER_NAME, ['Integrations']) as object);

it('refuses `__proto__`, `constructor`, `prototype`, blank names and control characters with the rule; nothing is stored or delivered, after a restart either', async () => {
  let head = await createRepo(rig.panel, REPO);
  for (const [name, rule] of [
    ['__proto__', /"__proto__" cannot name an integration: __proto__, constructor and prototype are reserved/],
    ['constructor', /"constructor" cannot name an integration: __proto__, constructor and prototype are reserved/],
    ['prototype', /reserved/],
    ['   ', /an integration name must not be empty or only white space/],
    ['bell\u0007', /must not contain control characters/],
  ] as const) {
    expect(await setIntegration(rig.panel, [name], config()), name).toMatch(rule);
  }
  // The same through a Set of the whole map (its keys come as the object's own keys).
  expect(await setIntegration(rig.panel, [], JSON.parse(`{"__proto__":${JSON.stringify(config())}}`))).toMatch(/reserved/);
  expect(await names()).toEqual([]);

  // A valid integration beside them: once its delivery is in, nothing else was sent.
  expect(await setIntegration(rig.panel, ['Control'], config())).toBeNull();
  head = await commitFiles(rig, REPO, head, { 'FileSystem:/a.png': 'a' });
  await until('Control tracked', async () => (await integrationEntry(rig.panel, 'Control')).Tracked === 1);
  expect(receiver.requests).toBe(1);

  await rig.restart(() => {
    const db = new IntegrationsDb(path.join(rig.dataDir, 'integrations.sqlite'));
    try {
      expect(db.integrations().map((r) => r.name)).toEqual(['Control']);
    } finally {
      db.close();
    }
  });
  await commitFiles(rig, REPO, head, { 'FileSystem:/b.png': 'b' });
  await until('Control tracked the next commit', async () => (await integrationEntry(rig.panel, 'Control')).Tracked === 2);
  expect(receiver.requests).toBe(2);
  expect(await names()).toEqual(['Control']);
}, 60_000);

it('does not run an integration stored under such a name by an earlier version', async () => {
  const from = receiver.requests;
  await rig.restart(() => {
    // As an earlier version stored it: following every repository, so on start it would deliver all their assets.
    const db = new IntegrationsDb(path.join(rig.dataDir, 'integrations.sqlite'));
    try {
      db.putIntegration({
        name: '__proto__', uid: randomUUID(), createdAt: new Date().toISOString(),
        config: JSON.stringify({ ...config(), Name: '__proto__', Enabled: true, Filter: '', Configuration: {}, TenantId: '', BatchSize: 50, TimeoutMs: 10_000, Retry: { MaxAttempts: 1, InitialDelayMs: 0, Multiplier: 1 }, Repositories: [] }),
      });
    } finally {
      db.close();
    }
  });
  // Control's Sync all is the positive signal: once it is complete, the stored one had every chance to deliver.
  expect(await rig.panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: 'Control' })).toEqual({ Total: 2 });
  await until('Control synced', async () => (await integrationEntry(rig.panel, 'Control')).Sync?.Outcome === 'Completed');
  expect(receiver.requests - from).toBe(1);
  expect(await names()).toEqual(['Control']);
  expect(await rig.panel.call(SERVER_NAME, 'SyncAllAssets', { Integration: '__proto__' })).toMatchObject({ Failure: { Code: 'UNKNOWN_INTEGRATION' } });
}, 60_000);

it('keeps Configuration keys named `__proto__` and `constructor`, in the state and in the request body', async () => {
  const configuration = JSON.parse('{"__proto__":{"space":"x"},"constructor":"c"}') as Record<string, unknown>;
  expect(await setIntegration(rig.panel, ['Control', 'Configuration'], configuration)).toBeNull();
  const entry = await integrationEntry(rig.panel, 'Control');
  expect(Object.keys(entry.Configuration)).toEqual(['__proto__', 'constructor']);
  const from = configurations.length;
  expect(await rig.panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: 'Control' })).toEqual({ Total: 2 });
  await until('the next delivery', () => configurations.length > from);
  expect(JSON.stringify(configurations[from])).toBe('{"__proto__":{"space":"x"},"constructor":"c"}');
});

it('answers a Get of a state named like a member of Object.prototype with no value', async () => {
  for (const state of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
    expect(await rig.panel.get(SERVER_NAME, [state]), state).toBeNull();
  }
  expect(await rig.panel.ok(SERVER_NAME, 'Health')).toEqual({});
});
