// Managed integrations end to end, in-process: a real hub and AssetHubServer, a real HTTP receiver on loopback
// (services/receiver), commits made through CreateCommit. Each test has its own repository and integration.
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset } from '../../../shared/assethub/catalogue.ts';
import { IntegrationEntry, IntegrationsState, type TIntegrationAsset } from '../../../shared/assethub/integrations.ts';
import { SERVER_NAME, decodeKey } from '../../../shared/protocol/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { startReceiver, type RunningReceiver } from '../../receiver/receiver.ts';
import { putFile, startCluster, type Cluster } from '../../testing/cluster.ts';
import type { Probe } from '../../testing/probe.ts';
import { until } from '../../testing/wait.ts';
import { assetIdOf } from '../catalogue/index.ts';

const SECRET = 'integration-test-secret';
const bytes = (s: string) => new TextEncoder().encode(s);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let cluster: Cluster;
let panel: Probe;
let receiver: RunningReceiver;
const heads = new Map<string, string>();

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('INT-AssetHubPanel');
  receiver = await startReceiver({ port: 0, secret: SECRET, logger: silentLogger() });
});
afterAll(async () => {
  await receiver?.close();
  await cluster?.close();
});

const repoOf = (n: string) => `%SYNCED_STORAGE%\\Projects\\Integrations ${n}`;

async function createRepo(repo: string): Promise<void> {
  const r = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: repo, Branch: 'Main' });
  heads.set(repo, r.Commit);
}

/** One commit: content for a put, null for a delete. */
async function commit(repo: string, files: Record<string, string | null>, branch = 'Main'): Promise<string> {
  const changes = [];
  for (const [uri, content] of Object.entries(files)) {
    changes.push(content === null ? { Type: 'Delete', URI: uri } : await putFile(cluster.server.storageUrl, uri, bytes(content)));
  }
  const key = `${repo}\n${branch}`;
  const r = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', {
    Repository: repo, Branch: branch, Parent: heads.get(key) ?? heads.get(repo), Author: 'STAGE-A', Comment: 'test', Changes: changes,
  });
  heads.set(key, r.Commit);
  if (branch === 'Main') heads.set(repo, r.Commit);
  return r.Commit;
}

/** Sets `Integrations.<path…>`; returns the broadcast state and the refusal Log, if any. */
async function set(path: string[], value: unknown): Promise<{ state: Record<string, unknown>; refused: string | null }> {
  const { state, refused } = await panel.setOutcome(SERVER_NAME, ['Integrations', ...path], value);
  return { state: state as Record<string, unknown>, refused };
}

async function create(name: string, repo: string, extra: Record<string, unknown> = {}): Promise<void> {
  const { refused } = await set([name], {
    EndpointUrl: receiver.url, Secret: SECRET, Repositories: [repo], Configuration: { space: name }, TenantId: 'tenant-1',
    Retry: { MaxAttempts: 1, InitialDelayMs: 50, Multiplier: 2 }, ...extra,
  });
  expect(refused).toBeNull();
}

async function entry(name: string) {
  return IntegrationEntry.parse(await panel.get(SERVER_NAME, ['Integrations', name]));
}

async function query(name: string, status: 'Tracked' | 'Failed' | 'Pending', filter?: string, limit = 500): Promise<TIntegrationAsset[]> {
  const out: TIntegrationAsset[] = [];
  let cursor: string | undefined;
  do {
    const r = await panel.ok<{ pagination: { nextCursor: string | null }; results: TIntegrationAsset[] }>(SERVER_NAME, 'QueryIntegrationAssets', {
      Integration: name, Status: status, Limit: limit, ...(filter ? { Filter: filter } : {}), ...(cursor ? { Cursor: cursor } : {}),
    });
    out.push(...r.results);
    cursor = r.pagination.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Waits until nothing is queued or in flight for the integration. */
const settled = (name: string) => until(`${name} settled`, async () => {
  const e = await entry(name);
  return e.Pending === 0 && !e.Sync?.Running ? e : null;
}, 20_000);

const receivedFor = (repo: string) => receiver.received().filter((r) => r.uri !== '' && idsOf(repo).has(r.assetId));
const known = new Map<string, Set<string>>();
function idsOf(repo: string): Set<string> {
  return known.get(repo) ?? new Set();
}
function track(repo: string, ...uris: string[]): string[] {
  const ids = uris.map((u) => assetIdOf(repo, 'Main', u));
  known.set(repo, new Set([...idsOf(repo), ...ids]));
  return ids;
}

describe('deliveries', () => {
  const repo = repoOf('Basics');
  const NAME = 'DAM.Basics';
  const [sky, floor, rock] = track(repo, 'FileSystem:/Content/T_Sky.png', 'FileSystem:/Content/T_Floor.png', 'FileSystem:/Content/SM_Rock.fbx') as [string, string, string];

  it('a commit delivers exactly the matching assets, in the documented body, signed', async () => {
    await createRepo(repo);
    await create(NAME, repo, { Filter: 'asset.type.name==texture', BatchSize: 10 });
    const before = receiver.requests().length;
    await commit(repo, { 'FileSystem:/Content/T_Sky.png': 'sky', 'FileSystem:/Content/T_Floor.png': 'floor', 'FileSystem:/Content/SM_Rock.fbx': 'rock' });
    await until('both textures tracked', async () => (await entry(NAME)).Tracked === 2);

    const requests = receiver.requests().slice(before);
    expect(requests).toHaveLength(1);
    const request = requests[0]!;
    expect(request.status).toBe(200);
    // The exact body: keys and their order as documented (docs/PROTOCOL.md §5).
    const body = JSON.parse(request.body) as { actions: Array<Record<string, unknown>>; configuration: unknown; tenantId: unknown };
    expect(Object.keys(body)).toEqual(['actions', 'configuration', 'tenantId']);
    expect(body.configuration).toEqual({ space: NAME });
    expect(body.tenantId).toBe('tenant-1');
    expect(body.actions.map((a) => a.assetId).sort()).toEqual([sky, floor].sort());
    for (const action of body.actions) {
      expect(Object.keys(action)).toEqual(['type', 'asset', 'integrationState', 'assetStateHash', 'assetId']);
      expect(action).toMatchObject({ type: 'sync', integrationState: null, assetStateHash: null });
      const asset = Asset.parse(action.asset);
      expect(asset.id).toBe(action.assetId);
      expect(asset.operation).toBeUndefined();
    }
    // The signature, checked here on its own: t=<unix s>,v1=<hex HMAC-SHA256(secret, t "." body)>.
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(request.signature ?? '');
    expect(m).not.toBeNull();
    expect(m![2]).toBe(createHmac('sha256', SECRET).update(`${m![1]}.${request.body}`).digest('hex'));
    expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(300);
    expect(request.deliveryId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const tracked = await query(NAME, 'Tracked');
    expect(tracked.map((t) => t.assetId).sort()).toEqual([sky, floor].sort());
    for (const t of tracked) {
      const answer = receiver.received().find((r) => r.assetId === t.assetId && r.outcome === 'answered')?.answer;
      expect(t.integrationState).toBe(answer);
      expect(t.assetStateHash).toBe(sha256(answer!));
      expect(t).toMatchObject({ status: 'Tracked', repository: repo, branch: 'Main', action: 'sync' });
      expect(t.attempts).toHaveLength(1);
      expect(t.attempts[0]).toMatchObject({ deliveryId: request.deliveryId, httpStatus: 200, error: null });
    }
    expect(receivedFor(repo).some((r) => r.assetId === rock)).toBe(false);
    const e = await entry(NAME);
    expect(e).toMatchObject({ Tracked: 2, Failed: 0, Pending: 0, SecretSet: true, LastError: null });
    expect(e.LastDeliveryAt).not.toBeNull();
  });

  it('skips an unchanged asset (managed) and sends the stored IntegrationState with an update', async () => {
    const floorState = (await query(NAME, 'Tracked')).find((t) => t.assetId === floor)?.integrationState;
    const from = receiver.received().length;
    // T_Sky.png is put again with the same bytes (a new revision, same content); T_Floor.png changes.
    await commit(repo, { 'FileSystem:/Content/T_Sky.png': 'sky', 'FileSystem:/Content/T_Floor.png': 'floor v2' });
    await until('the floor update', () => receiver.received().slice(from).some((r) => r.assetId === floor));
    await settled(NAME);
    const got = receiver.received().slice(from);
    expect(got.map((r) => r.assetId)).toEqual([floor]);
    expect(got[0]).toMatchObject({ type: 'sync', integrationState: floorState, assetStateHash: sha256(floorState!) });
    expect(JSON.parse(got[0]!.answer!)).toMatchObject({ version: 2, externalId: JSON.parse(floorState!).externalId });
    const tracked = await query(NAME, 'Tracked');
    expect(tracked.find((t) => t.assetId === floor)?.integrationState).toBe(got[0]!.answer);
  });

  it('sends a deleted tracked asset as `deleted` with its integrationState, and forgets it', async () => {
    const skyState = (await query(NAME, 'Tracked')).find((t) => t.assetId === sky)?.integrationState;
    const from = receiver.received().length;
    await commit(repo, { 'FileSystem:/Content/T_Sky.png': null, 'FileSystem:/Content/SM_Rock.fbx': null });
    await until('the delete', () => receiver.received().slice(from).some((r) => r.assetId === sky));
    await settled(NAME);
    const got = receiver.received().slice(from);
    expect(got).toHaveLength(1); // the mesh was never tracked: nothing to say about it
    expect(got[0]).toMatchObject({ type: 'deleted', assetId: sky, integrationState: skyState, uri: 'FileSystem:/Content/T_Sky.png', outcome: 'answered' });
    const body = JSON.parse(receiver.requests().at(-1)!.body) as { actions: Array<{ asset: unknown }> };
    expect(Asset.parse(body.actions[0]!.asset).uri).toBe('FileSystem:/Content/T_Sky.png');
    expect((await query(NAME, 'Tracked')).map((t) => t.assetId)).toEqual([floor]);
    expect(receiver.objects().find((o) => o.assetId === sky)?.deleted).toBe(true);
  });

  it('Get reads the entry by path; Secret is never shown', async () => {
    expect(await panel.get(SERVER_NAME, ['Integrations', NAME, 'Enabled'])).toBe(true);
    expect(await panel.get(SERVER_NAME, ['Integrations', NAME, 'Retry', 'MaxAttempts'])).toBe(1);
    expect(await panel.get(SERVER_NAME, ['Integrations', NAME, 'Secret'])).toBeNull();
    // The whole state is a marked map: its keys travel [dot]-encoded.
    const wire = await panel.get(SERVER_NAME, ['Integrations']) as Record<string, unknown>;
    expect(Object.keys(wire)).toContain('DAM[dot]Basics');
    const all = IntegrationsState.parse(Object.fromEntries(Object.entries(wire).map(([k, v]) => [decodeKey(k), v])));
    expect(all[NAME]).toBeDefined();
    expect(JSON.stringify(all)).not.toContain(SECRET);
  });
});

describe('failures', () => {
  it('a missing Item fails only that asset, with its reason', async () => {
    const repo = repoOf('DropItem');
    const [a, b] = track(repo, 'FileSystem:/a.png', 'FileSystem:/b.png') as [string, string];
    await createRepo(repo);
    await create('DropItem', repo, { BatchSize: 10 });
    receiver.setRule({ mode: 'dropItem', failUris: 'b.png' });
    try {
      await commit(repo, { 'FileSystem:/a.png': 'a', 'FileSystem:/b.png': 'b' });
      const e = await settled('DropItem');
      expect(e).toMatchObject({ Tracked: 1, Failed: 1 });
    } finally {
      receiver.setRule(null);
    }
    expect((await query('DropItem', 'Tracked')).map((t) => t.assetId)).toEqual([a]);
    const [failed] = await query('DropItem', 'Failed');
    expect(failed).toMatchObject({ assetId: b, status: 'Failed', reason: 'no Item for this asset in the response' });
    expect(failed!.attempts[0]).toMatchObject({ httpStatus: 200, error: 'no Item for this asset in the response' });
    expect(failed!.nextRetryAt).toBeUndefined();
    expect((await entry('DropItem')).LastError).toBe('no Item for this asset in the response');
  });

  for (const [mode, reason] of [
    ['status500', /^HTTP 500: simulated failure/],
    ['timeout', /^timed out after 300 ms$/],
    ['malformed', /^malformed response: /],
  ] as const) {
    it(`${mode} fails the assets of that batch only, with the reason`, async () => {
      const repo = repoOf(`Mode ${mode}`);
      const [good1, bad, good2] = track(repo, 'FileSystem:/1.png', 'FileSystem:/2-bad.png', 'FileSystem:/3.png') as [string, string, string];
      await createRepo(repo);
      await create(mode, repo, { BatchSize: 1, TimeoutMs: 300 });
      receiver.setRule({ mode, failUris: '-bad' });
      try {
        await commit(repo, { 'FileSystem:/1.png': '1', 'FileSystem:/2-bad.png': '2', 'FileSystem:/3.png': '3' });
        await settled(mode);
      } finally {
        receiver.setRule(null);
      }
      expect((await query(mode, 'Tracked')).map((t) => t.assetId).sort()).toEqual([good1, good2].sort());
      const failed = await query(mode, 'Failed');
      expect(failed.map((f) => f.assetId)).toEqual([bad]);
      expect(failed[0]!.reason).toMatch(reason);
      expect(failed[0]!.attempts[0]!.error).toMatch(reason);
      expect(failed[0]!.attempts[0]!.httpStatus).toBe(mode === 'timeout' ? null : mode === 'status500' ? 500 : 200);
    });
  }

  it('a wrong secret is refused by the receiver (401) and recorded', async () => {
    const repo = repoOf('Secret');
    const [a] = track(repo, 'FileSystem:/a.png') as [string];
    await createRepo(repo);
    await create('WrongSecret', repo, { Secret: 'not-the-secret' });
    const rejected = receiver.rejected();
    await commit(repo, { 'FileSystem:/a.png': 'a' });
    await settled('WrongSecret');
    expect(receiver.rejected()).toBe(rejected + 1);
    expect((await query('WrongSecret', 'Failed'))[0]).toMatchObject({ assetId: a, reason: expect.stringMatching(/^HTTP 401: /) as unknown });
  });

  it('retries follow the policy (InitialDelayMs × Multiplier^(n-1)), under the same delivery id, then fail; Resync tracks it', async () => {
    const repo = repoOf('Retry');
    const [a] = track(repo, 'FileSystem:/retry.png') as [string];
    await createRepo(repo);
    await create('Retry', repo, { Retry: { MaxAttempts: 3, InitialDelayMs: 400, Multiplier: 2.5 } });
    receiver.setRule({ mode: 'status500' });
    try {
      await commit(repo, { 'FileSystem:/retry.png': 'r' });
      const first = await until('first failure', async () => (await query('Retry', 'Pending')).find((p) => p.attempts.length === 1));
      expect(first.reason).toMatch(/^HTTP 500/);
      expect(Date.parse(first.nextRetryAt!) - Date.parse(first.attempts[0]!.at)).toBe(400);
      const second = await until('second failure', async () => (await query('Retry', 'Pending')).find((p) => p.attempts.length === 2));
      expect(Date.parse(second.nextRetryAt!) - Date.parse(second.attempts[1]!.at)).toBe(1000);
      expect(Date.parse(second.attempts[1]!.at) - Date.parse(first.attempts[0]!.at)).toBeGreaterThanOrEqual(400);
      const failed = await until('failed', async () => (await query('Retry', 'Failed'))[0]);
      expect(failed.attempts).toHaveLength(3);
      expect(failed.nextRetryAt).toBeUndefined();
      expect(failed.reason).toMatch(/^HTTP 500/);
      expect(Date.parse(failed.attempts[2]!.at) - Date.parse(failed.attempts[1]!.at)).toBeGreaterThanOrEqual(1000);
      // The batch failed as a whole each time: retried under one delivery id.
      expect(new Set(failed.attempts.map((t) => t.deliveryId)).size).toBe(1);
      expect(new Set(receiver.requests().filter((r) => r.body.includes(a)).map((r) => r.deliveryId)).size).toBe(1);
    } finally {
      receiver.setRule(null);
    }
    expect(await panel.ok(SERVER_NAME, 'ResyncAssets', { Integration: 'Retry', AllFailed: true })).toEqual({ Queued: 1 });
    const e = await settled('Retry');
    expect(e).toMatchObject({ Tracked: 1, Failed: 0 });
    const [tracked] = await query('Retry', 'Tracked');
    expect(tracked!.attempts).toHaveLength(4);
    expect(tracked!.attempts[3]).toMatchObject({ httpStatus: 200, error: null });
  });
});

describe('configuration', () => {
  it('Enabled off queues (nothing lost), on delivers', async () => {
    const repo = repoOf('Enabled');
    const ids = track(repo, 'FileSystem:/x.png', 'FileSystem:/y.png');
    await createRepo(repo);
    await create('Toggle', repo, { Enabled: false });
    await commit(repo, { 'FileSystem:/x.png': 'x', 'FileSystem:/y.png': 'y' });
    await until('queued', async () => (await entry('Toggle')).Pending === 2);
    expect(receivedFor(repo)).toEqual([]);
    expect((await query('Toggle', 'Pending')).map((p) => p.assetId).sort()).toEqual([...ids].sort());
    const { state, refused } = await set(['Toggle', 'Enabled'], true);
    expect(refused).toBeNull();
    expect((state.Toggle as { Enabled: boolean }).Enabled).toBe(true);
    expect(await settled('Toggle')).toMatchObject({ Tracked: 2 });
    expect(receivedFor(repo).map((r) => r.assetId).sort()).toEqual([...ids].sort());
  });

  it('refuses invalid Sets with a Log saying why, and changes nothing', async () => {
    const repo = repoOf('Validation');
    await createRepo(repo);
    await create('Valid', repo);
    const before = await entry('Valid');
    const cases: Array<[string[], unknown, RegExp]> = [
      [['Valid', 'EndpointUrl'], 'ftp://example.com/hook', /EndpointUrl/],
      [['Valid', 'Filter'], 'asset.colour==red', /selector "asset\.colour"/],
      [['Valid', 'Filter'], 'exchange.snapshot.toRevision==latest', /revisions/],
      [['Valid', 'BatchSize'], 0, /BatchSize/],
      [['Valid', 'Retry', 'MaxAttempts'], 0, /Retry\.MaxAttempts/],
      [['Valid', 'Repositories'], ['%SYNCED_STORAGE%\\Nope'], /no repository/],
      [['Valid', 'Tracked'], 5, /live/],
      [['Valid'], { Colour: 'red' }, /unknown field\(s\) Colour/],
      [['Valid'], { Name: 'Other' }, /renamed/],
      [['Fresh'], { EndpointUrl: receiver.url }, /Secret/],
      [['Fresh'], { Secret: 'x' }, /EndpointUrl/],
      [['Nope', 'Enabled'], false, /no integration "Nope"/],
      [['Nope'], null, /no integration "Nope"/],
    ];
    for (const [path, value, why] of cases) {
      const { refused } = await set(path, value);
      expect(refused, `${path.join('.')} = ${JSON.stringify(value)}`).toMatch(why);
    }
    expect(await entry('Valid')).toEqual(before);
    expect(await panel.get(SERVER_NAME, ['Integrations', 'Fresh'])).toBeNull();
  });

  it('keeps the Secret when a Set leaves it out, ignores live fields sent back, sets one field by path', async () => {
    const repo = repoOf('Partial');
    await createRepo(repo);
    await create('Partial', repo);
    const current = await entry('Partial');
    // What a panel sends back after editing a Get: live fields included, no Secret.
    const { refused } = await set(['Partial'], { ...current, BatchSize: 7 });
    expect(refused).toBeNull();
    expect(await set(['Partial', 'Retry', 'InitialDelayMs'], 1234)).toMatchObject({ refused: null });
    const after = await entry('Partial');
    expect(after).toMatchObject({ BatchSize: 7, SecretSet: true, Retry: { MaxAttempts: 1, InitialDelayMs: 1234, Multiplier: 2 } });
    // The secret is still the one deliveries are signed with: the receiver accepts them.
    const [id] = track(repo, 'FileSystem:/p.png');
    await commit(repo, { 'FileSystem:/p.png': 'p' });
    await settled('Partial');
    expect((await query('Partial', 'Tracked')).map((t) => t.assetId)).toEqual([id]);
  });

  it('a Set of the whole map applies each ([dot]-encoded) entry and leaves the others alone', async () => {
    const repo = repoOf('Whole');
    await createRepo(repo);
    const before = Object.keys(await panel.get(SERVER_NAME, ['Integrations']) as object).length;
    const { refused, state } = await set([], { 'Whole[dot]Map': { EndpointUrl: receiver.url, Secret: SECRET, Repositories: [repo] } });
    expect(refused).toBeNull();
    expect(Object.keys(state)).toHaveLength(before + 1);
    expect(await panel.get(SERVER_NAME, ['Integrations', 'Whole.Map', 'Repositories'])).toEqual([repo]);
    // One bad entry refuses the whole Set.
    const bad = await set([], { 'Whole[dot]Map': { BatchSize: 2 }, Broken: { EndpointUrl: 'nope' } });
    expect(bad.refused).toMatch(/EndpointUrl/);
    expect(await panel.get(SERVER_NAME, ['Integrations', 'Whole.Map', 'BatchSize'])).toBe(50);
  });

  it('null deletes the integration and its records', async () => {
    const repo = repoOf('Delete');
    await createRepo(repo);
    await create('Gone', repo);
    track(repo, 'FileSystem:/g.png');
    await commit(repo, { 'FileSystem:/g.png': 'g' });
    await settled('Gone');
    const { state, refused } = await set(['Gone'], null);
    expect(refused).toBeNull();
    expect(state.Gone).toBeUndefined();
    const outcome = await panel.call(SERVER_NAME, 'QueryIntegrationAssets', { Integration: 'Gone', Status: 'Tracked' });
    expect(outcome).toMatchObject({ Failure: { Code: 'UNKNOWN_INTEGRATION' } });
    // Created again under the same name it starts empty.
    await create('Gone', repo);
    expect(await entry('Gone')).toMatchObject({ Tracked: 0, Pending: 0, Failed: 0 });
  });

  it('every Call names an unknown integration with UNKNOWN_INTEGRATION', async () => {
    for (const [method, params] of [
      ['QueryIntegrationAssets', { Integration: 'Nope', Status: 'Failed' }],
      ['ResyncAssets', { Integration: 'Nope', AllFailed: true }],
      ['ResyncAssets', { Integration: 'Nope', AssetIds: ['X'] }],
      ['SyncAllAssets', { Integration: 'Nope' }],
      ['CancelSync', { Integration: 'Nope' }],
    ] as const) {
      const outcome = await panel.call(SERVER_NAME, method, params);
      expect(outcome, method).toMatchObject({ Failure: { Code: 'UNKNOWN_INTEGRATION' } });
    }
  });
});

/** A proxy in front of the receiver that holds every request `delayMs` first (so a test can act while batches are out). */
async function slowProxy(delayMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-assethub') || k === 'content-type'));
        void fetch(receiver.url, { method: 'POST', headers: headers as Record<string, string>, body: Buffer.concat(chunks) }).then(async (r) => {
          res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? 'application/json' });
          res.end(await r.text());
        }, () => res.destroy());
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('Sync all while assets are re-synced', () => {
  it('every delivery of an asset carries the IntegrationState its previous one was answered with (no stale read-ahead)', async () => {
    const repo = repoOf('Resync during Sync all');
    const NAME = 'ResyncDuringSyncAll';
    const uris = Array.from({ length: 40 }, (_, i) => `FileSystem:/many/file${String(i).padStart(2, '0')}.png`);
    const ids = track(repo, ...uris);
    const slow = await slowProxy(40);
    try {
      await createRepo(repo);
      await create(NAME, repo, { BatchSize: 5, EndpointUrl: slow.url });
      await commit(repo, Object.fromEntries(uris.map((u) => [u, u])));
      await until('first deliveries', async () => (await entry(NAME)).Tracked === 40, 20_000);
      await panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: NAME });
      // Its first batch is recorded (the read-ahead of all 40 records is taken); the last batch's assets are re-synced.
      await until('first Sync all batch', async () => ((await entry(NAME)).Sync?.Current ?? 0) >= 5, 20_000);
      const last = [...ids].sort((a, b) => uris[ids.indexOf(a)]!.localeCompare(uris[ids.indexOf(b)]!)).slice(-5);
      expect(await panel.ok(SERVER_NAME, 'ResyncAssets', { Integration: NAME, AssetIds: last })).toEqual({ Queued: 5 });
      const e = await settled(NAME);
      expect(e).toMatchObject({ Tracked: 40, Failed: 0, Sync: { Outcome: 'Completed' } });
      for (const id of ids) {
        const deliveries = receiver.received().filter((r) => r.assetId === id);
        expect(deliveries.length).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < deliveries.length; i++) expect(deliveries[i]!.integrationState).toBe(deliveries[i - 1]!.answer);
      }
      for (const id of last) expect(receiver.received().filter((r) => r.assetId === id).length).toBeGreaterThanOrEqual(2);
    } finally {
      await slow.close();
    }
  });
});

describe('Calls', () => {
  const repo = repoOf('Calls');
  const NAME = 'Calls';
  const uris = Array.from({ length: 12 }, (_, i) => `FileSystem:/set/file${String(i).padStart(2, '0')}.${i % 3 === 0 ? 'fbx' : 'png'}`);
  const ids = track(repo, ...uris);

  it('Sync all sends every matching asset (unchanged ones too); a second one while running is BUSY; Cancel', async () => {
    await createRepo(repo);
    await commit(repo, Object.fromEntries(uris.map((u) => [u, u])));
    // Created after the commit: nothing is delivered until a Sync all.
    await create(NAME, repo, { BatchSize: 5, Enabled: false });
    expect(await panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: NAME })).toEqual({ Total: 12 });
    expect(await panel.call(SERVER_NAME, 'SyncAllAssets', { Integration: NAME })).toMatchObject({ Failure: { Code: 'BUSY' } });
    expect((await entry(NAME)).Sync).toMatchObject({ Running: true, Current: 0, Total: 12, Outcome: 'Running' });
    expect(await panel.ok(SERVER_NAME, 'CancelSync', { Integration: NAME })).toEqual({ Cancelled: true });
    expect(await panel.ok(SERVER_NAME, 'CancelSync', { Integration: NAME })).toEqual({ Cancelled: false });
    expect((await entry(NAME)).Sync).toMatchObject({ Running: false, Outcome: 'Cancelled' });
    expect(receivedFor(repo)).toEqual([]);

    expect(await set([NAME, 'Enabled'], true)).toMatchObject({ refused: null });
    expect(await panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: NAME })).toEqual({ Total: 12 });
    const e = await settled(NAME);
    expect(e.Sync).toMatchObject({ Running: false, Current: 12, Total: 12, Progress: 1, Outcome: 'Completed', Delivered: 12, Failed: 0, Pending: 0 });
    expect(e.Tracked).toBe(12);
    // Again: nothing changed, but Sync all is not skipped by the managed rule, and sends the stored states.
    const from = receiver.received().length;
    await panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: NAME, });
    await settled(NAME);
    const again = receiver.received().slice(from);
    expect(again.map((r) => r.assetId).sort()).toEqual([...ids].sort());
    expect(again.every((r) => r.integrationState !== null && JSON.parse(r.answer!).version === 2)).toBe(true);
  });

  it('a Sync all to an endpoint that refuses connections tallies every asset Failed, with the reason', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const REFUSED = `${NAME}Refused`;
    await create(REFUSED, repo, { BatchSize: 5, EndpointUrl: `http://127.0.0.1:${closed}/hook` });
    expect(await panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: REFUSED })).toEqual({ Total: 12 });
    const e = await settled(REFUSED);
    expect(e.Sync).toMatchObject({ Outcome: 'Completed', Current: 12, Delivered: 0, Failed: 12, Pending: 0 });
    const reasons = Object.keys(e.Sync!.FailedReasons);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/ECONNREFUSED/);
    expect((await query(REFUSED, 'Failed')).map((a) => a.reason)).toEqual(Array(12).fill(reasons[0]));
    await set([REFUSED], null);
  });

  it('QueryIntegrationAssets pages with a cursor and filters by assetId and by the catalogue\'s selectors', async () => {
    const all = await query(NAME, 'Tracked', undefined, 5);
    expect(all.map((a) => a.assetId)).toEqual([...ids].sort());
    const one = await query(NAME, 'Tracked', `assetId==${ids[4]}`);
    expect(one.map((a) => a.assetId)).toEqual([ids[4]]);
    const some = await query(NAME, 'Tracked', `assetId=in=(${ids[1]},${ids[2]},NOPE)`);
    expect(some.map((a) => a.assetId).sort()).toEqual([ids[1], ids[2]].sort());
    const meshes = await query(NAME, 'Tracked', 'asset.type.name==mesh', 2);
    expect(meshes.map((a) => a.uri).sort()).toEqual(uris.filter((u) => u.endsWith('.fbx')).sort());
    const byName = await query(NAME, 'Tracked', 'asset.name==*.FBX;asset.uri==set/*', 2);
    expect(byName.map((a) => a.uri).sort()).toEqual(uris.filter((u) => u.endsWith('.fbx')).sort());
    expect(await query(NAME, 'Tracked', 'asset.uri==other/*')).toEqual([]);
    expect(await panel.call(SERVER_NAME, 'QueryIntegrationAssets', { Integration: NAME, Status: 'Tracked', Filter: 'asset.colour==red' }))
      .toMatchObject({ Failure: { Code: 'INVALID_FILTER' } });
    const page = await panel.ok<{ pagination: { nextCursor: string } }>(SERVER_NAME, 'QueryIntegrationAssets', { Integration: NAME, Status: 'Tracked', Limit: 2 });
    expect(await panel.call(SERVER_NAME, 'QueryIntegrationAssets', { Integration: NAME, Status: 'Failed', Cursor: page.pagination.nextCursor }))
      .toMatchObject({ Failure: { Code: 'CURSOR_EXPIRED' } });
    expect(await panel.call(SERVER_NAME, 'QueryIntegrationAssets', { Integration: NAME, Status: 'Tracked', Cursor: `${page.pagination.nextCursor}x` }))
      .toMatchObject({ Failure: { Code: 'CURSOR_EXPIRED' } });
  });

  it('ResyncAssets sends the named assets again at once; unknown ids are refused with nothing queued', async () => {
    const outcome = await panel.call(SERVER_NAME, 'ResyncAssets', { Integration: NAME, AssetIds: [ids[0], 'NOT-AN-ASSET'] });
    expect(outcome).toMatchObject({ Failure: { Code: 'UNKNOWN_ASSET' } });
    expect((outcome as { Failure: { Message: string } }).Failure.Message).toContain('NOT-AN-ASSET');
    expect((await entry(NAME)).Pending).toBe(0);
    const from = receiver.received().length;
    expect(await panel.ok(SERVER_NAME, 'ResyncAssets', { Integration: NAME, AssetIds: [ids[0], ids[1]] })).toEqual({ Queued: 2 });
    await until('resent', () => receiver.received().slice(from).length >= 2);
    await settled(NAME);
    expect(receiver.received().slice(from).map((r) => r.assetId).sort()).toEqual([ids[0], ids[1]].sort());
  });

  it('ImportAssets changing tags or metadata sends a `sync` of the matching assets with them', async () => {
    await set([NAME, 'Filter'], 'asset.type.name==texture');
    const from = receiver.received().length;
    const before = receiver.requests().length;
    await panel.ok(SERVER_NAME, 'ImportAssets', {
      Document: {
        format: 'assethub.assets', version: 1, repository: repo, branch: 'Main',
        assets: [
          { assetId: ids[1], tags: ['hero'], metadata: [{ name: 'Rights', defaultValue: 'cleared' }] },
          { assetId: ids[0], tags: ['mesh-tag'] }, // a mesh: outside the Filter now
        ],
      },
    });
    await until('metadata delivered', () => receiver.received().slice(from).length >= 1);
    await settled(NAME);
    expect(receiver.received().slice(from).map((r) => r.assetId)).toEqual([ids[1]]);
    const body = JSON.parse(receiver.requests().slice(before)[0]!.body) as { actions: Array<{ asset: unknown }> };
    const asset = Asset.parse(body.actions[0]!.asset);
    expect(asset.tags).toEqual(['hero']);
    expect(asset.attributes.data).toContainEqual({ name: 'Rights', value: 'cleared', category: 'application' });
    await set([NAME, 'Filter'], '');
  });

  it('a new branch\'s assets are new assets, delivered', async () => {
    await panel.ok(SERVER_NAME, 'CreateBranch', { Repository: repo, Name: 'Rehearsal', From: heads.get(repo) });
    await until('branch tracked', async () => (await entry(NAME)).Tracked === 24);
    const branchIds = new Set(uris.map((u) => assetIdOf(repo, 'Rehearsal', u)));
    expect((await query(NAME, 'Tracked')).filter((t) => t.branch === 'Rehearsal').map((t) => t.assetId).sort()).toEqual([...branchIds].sort());
  });
});
