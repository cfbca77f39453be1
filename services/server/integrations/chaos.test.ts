// Managed integrations under failure: the server runs as its own process (as crash.test.ts does) and is killed with
// SIGKILL; the receiver (in this process, real HTTP on loopback) fails at random. Nothing may be lost and nothing
// tracked twice.
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IntegrationEntry, type TIntegrationAsset } from '../../../shared/assethub/integrations.ts';
import { SERVER_NAME } from '../../../shared/protocol/index.ts';
import { sendCommit } from '../../client/commit-request.ts';
import { startHub, type Hub } from '../../datahub/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { startReceiver, type RunningReceiver } from '../../receiver/receiver.ts';
import { putChunk, sha256, tempDir } from '../../testing/cluster.ts';
import { Probe } from '../../testing/probe.ts';
import { exited, spawnServer as spawnServerProcess, type ServerProcess } from '../../testing/server-process.ts';
import { until } from '../../testing/wait.ts';
import { assetIdOf } from '../catalogue/derive.ts';
import { IntegrationsDb } from './db.ts';

const SECRET = 'chaos-secret';
let hub: Hub;
let dir: string;
let panel: Probe;
let receiver: RunningReceiver;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await tempDir('assethub-integrations-chaos-');
  hub = await startHub({ port: 0, logger: silentLogger() });
  panel = await Probe.connect(hub.url, { name: 'CHAOS-AssetHubPanel' });
  receiver = await startReceiver({ port: 0, secret: SECRET, dataFile: path.join(dir, 'receiver.sqlite'), logger: silentLogger(), keepRequests: 0 });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await receiver?.close();
  await panel?.close();
  await hub?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function spawnServer(data: string): Promise<ServerProcess> {
  const spawned = await spawnServerProcess(panel, hub.url, data, 'error');
  children.add(spawned.child);
  spawned.child.once('exit', () => children.delete(spawned.child));
  return spawned;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  child.kill(signal);
  await exited(child);
}

async function entry(name: string) {
  return IntegrationEntry.parse(await panel.get(SERVER_NAME, ['Integrations', name]));
}

async function all(name: string, status: 'Tracked' | 'Failed' | 'Pending'): Promise<TIntegrationAsset[]> {
  const out: TIntegrationAsset[] = [];
  let cursor: string | undefined;
  do {
    const r = await panel.ok<{ pagination: { nextCursor: string | null }; results: TIntegrationAsset[] }>(SERVER_NAME, 'QueryIntegrationAssets', {
      Integration: name, Status: status, Limit: 500, ...(cursor ? { Cursor: cursor } : {}),
    });
    out.push(...r.results);
    cursor = r.pagination.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Changes putting `count` files that share one uploaded chunk (the same bytes back every file). */
async function sharedFiles(storageUrl: string, prefix: string, count: number) {
  const data = new TextEncoder().encode(`content of ${prefix}`);
  const chunk = await putChunk(storageUrl, data);
  return Array.from({ length: count }, (_, i) => ({
    Type: 'PutFile' as const, URI: `FileSystem:/${prefix}/folder${i % 50}/asset${String(i).padStart(5, '0')}.png`, Size: data.length, Hash: sha256(data), Chunks: [chunk],
  }));
}

async function setIntegration(name: string, value: Record<string, unknown>): Promise<void> {
  const { refused } = await panel.setOutcome(SERVER_NAME, ['Integrations', name], value);
  if (refused) throw new Error(refused);
}

it('a Sync all of 5,000 assets, a receiver failing 30% of batches at random, the server SIGKILLed midway: none lost, none tracked twice', async () => {
  const REPO = '%SYNCED_STORAGE%\\Projects\\Chaos';
  const NAME = 'Chaos DAM';
  const COUNT = 5000;
  const data = path.join(dir, 'sync-all');
  let server = await spawnServer(data);
  const root = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  const changes = await sharedFiles(server.storageUrl, 'Chaos', COUNT);
  // As a client sends it: staged, being over one request.
  await sendCommit((method, p) => panel.ok(SERVER_NAME, method, p, 60_000), { Repository: REPO, Branch: 'Main', Parent: root.Commit, Author: 'CHAOS', Comment: '5,000 assets', Changes: changes });
  const expected = new Set(changes.map((c) => assetIdOf(REPO, 'Main', c.URI)));
  await setIntegration(NAME, {
    EndpointUrl: receiver.url, Secret: SECRET, Repositories: [REPO], BatchSize: 50, TimeoutMs: 400,
    Retry: { MaxAttempts: 3, InitialDelayMs: 200, Multiplier: 2 },
  });
  receiver.setRule({ mode: ['status500', 'timeout', 'dropItem', 'malformed'], rate: 0.3 });

  expect(await panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: NAME })).toEqual({ Total: COUNT });
  const midway = await until('the Sync all under way', async () => {
    const e = await entry(NAME);
    return e.Sync!.Current >= COUNT * 0.3 ? e : null;
  }, 60_000, 20);
  await kill(server.child);
  expect(midway.Sync).toMatchObject({ Running: true });
  expect(midway.Sync!.Current).toBeLessThan(COUNT);
  const before = receiver.received().length;
  server = await spawnServer(data);
  // It goes on from its persisted cursor.
  const done = await until('the Sync all completed and every retry settled', async () => {
    const e = await entry(NAME);
    return e.Sync?.Outcome === 'Completed' && e.Pending === 0 ? e : null;
  }, 70_000, 100);
  expect(receiver.received().length).toBeGreaterThan(before);
  expect(done.Sync).toMatchObject({ Current: COUNT, Total: COUNT, Progress: 1 });

  const tracked = await all(NAME, 'Tracked');
  const failed = await all(NAME, 'Failed');
  const trackedIds = tracked.map((t) => t.assetId);
  expect(new Set(trackedIds).size).toBe(trackedIds.length); // none twice
  expect(done.Tracked + done.Failed).toBe(COUNT);
  expect(new Set([...trackedIds, ...failed.map((f) => f.assetId)])).toEqual(expected); // none lost
  expect(failed.every((f) => typeof f.reason === 'string' && f.reason.length > 0 && f.attempts.length >= 1)).toBe(true);
  expect(receiver.received().some((r) => r.outcome !== 'answered')).toBe(true); // the receiver did misbehave

  // Healed, every failed asset is tracked after one resync.
  receiver.setRule(null);
  const resynced = await panel.ok<{ Queued: number }>(SERVER_NAME, 'ResyncAssets', { Integration: NAME, AllFailed: true });
  expect(resynced.Queued).toBe(failed.length);
  const healed = await until('all tracked', async () => {
    const e = await entry(NAME);
    return e.Pending === 0 && e.Failed === 0 ? e : null;
  }, 30_000, 100);
  expect(healed.Tracked).toBe(COUNT);
  const final = await all(NAME, 'Tracked');
  expect(new Set(final.map((t) => t.assetId))).toEqual(expected);
  expect(final).toHaveLength(COUNT);
  // The external system holds one object per asset, and each record keeps the state of that very object.
  const objects = new Map(receiver.objects().map((o) => [o.assetId, o]));
  for (const t of final) {
    const object = objects.get(t.assetId);
    expect(object, t.assetId).toBeDefined();
    expect(JSON.parse(t.integrationState!).externalId).toBe(object!.externalId);
  }
  await kill(server.child, 'SIGTERM');
  // The database the killed process left and the restarted one used is sound.
  const db = new IntegrationsDb(path.join(data, 'integrations.sqlite'));
  try {
    expect(db.integrityCheck()).toBe('ok');
    expect(db.counts(NAME)).toEqual({ Tracked: COUNT, Failed: 0, Pending: 0 });
  } finally {
    db.close();
  }
}, 120_000);

it('a commit that landed is delivered even when the server is SIGKILLed right after answering it', async () => {
  const REPO = '%SYNCED_STORAGE%\\Projects\\Landed';
  const NAME = 'Landed DAM';
  const ROUNDS = 4;
  const PER = 25;
  const data = path.join(dir, 'landed');
  let server = await spawnServer(data);
  let head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' })).Commit;
  await setIntegration(NAME, { EndpointUrl: receiver.url, Secret: SECRET, Repositories: [REPO], BatchSize: 10, Retry: { MaxAttempts: 5, InitialDelayMs: 100, Multiplier: 2 } });
  const expected = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    const changes = await sharedFiles(server.storageUrl, `Landed${round}`, PER);
    for (const c of changes) expected.add(assetIdOf(REPO, 'Main', c.URI));
    head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', { Repository: REPO, Branch: 'Main', Parent: head, Author: 'CHAOS', Comment: `round ${round}`, Changes: changes })).Commit;
    await kill(server.child);
    server = await spawnServer(data);
  }
  const e = await until('every commit delivered', async () => {
    const x = await entry(NAME);
    return x.Tracked === expected.size && x.Pending === 0 ? x : null;
  }, 30_000, 100);
  expect(e.Failed).toBe(0);
  expect(new Set((await all(NAME, 'Tracked')).map((t) => t.assetId))).toEqual(expected);
  // Sent again after a kill, a batch carries its delivery id: the receiver applied each asset once.
  const objects = receiver.objects().filter((o) => expected.has(o.assetId));
  expect(objects).toHaveLength(expected.size);
  expect(objects.every((o) => o.version === 1)).toBe(true);
  await kill(server.child, 'SIGTERM');
}, 90_000);
