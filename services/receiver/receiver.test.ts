// The demo receiver over real HTTP: signature and timestamp checks, the contract's answer, versions carried by the
// incoming integrationState, dedupe by delivery id and asset, the failure rules, and the admin endpoints.
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryResponse } from '../../shared/assethub/integrations.ts';
import { silentLogger } from '../lib/log.ts';
import { startReceiver, type RunningReceiver } from './receiver.ts';

const SECRET = 'receiver-secret';
let receiver: RunningReceiver;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assethub-receiver-'));
  receiver = await startReceiver({ port: 0, secret: SECRET, dataFile: path.join(dir, 'received.sqlite'), logger: silentLogger() });
});
afterAll(async () => {
  await receiver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function asset(id: string, uri: string) {
  const actor = { userId: 'STAGE-A', serviceId: 'STAGE-A-AssetHubClient', date: '2026-01-01T00:00:00.000Z' };
  return {
    createdBy: actor, lastModifiedBy: actor, id, revisionId: 'rev-1', type: 'assethub:texture-1.0.0',
    space: { id: 'S', type: 'assethub:space.branch-1.0.0', url: '/s', data: {} },
    attributes: { id, url: `/s/assets/${id}/attributes`, data: [] }, externalComponentHash: null, uri, name: uri.slice(uri.lastIndexOf('/') + 1),
    size: 1, tags: [], keywords: [],
  };
}

const action = (id: string, uri: string, integrationState: string | null = null, type: 'sync' | 'deleted' = 'sync') => ({
  type, asset: asset(id, uri), integrationState, assetStateHash: null, assetId: id,
});

async function deliver(actions: unknown[], options: { secret?: string; t?: number; deliveryId?: string; signature?: string | null; timeoutMs?: number } = {}) {
  const body = JSON.stringify({ actions, configuration: {}, tenantId: 'T' });
  const t = String(options.t ?? Math.floor(Date.now() / 1000));
  const sig = `t=${t},v1=${createHmac('sha256', options.secret ?? SECRET).update(`${t}.${body}`).digest('hex')}`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-AssetHub-Delivery': options.deliveryId ?? randomUUID() };
  if (options.signature !== null) headers['X-AssetHub-Signature'] = options.signature ?? sig;
  const res = await fetch(receiver.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
  return { status: res.status, text: await res.text() };
}

const items = (text: string) => DeliveryResponse.parse(JSON.parse(text)).Items;

describe('the webhook', () => {
  it('answers each action with an IntegrationState, the version carried on by the incoming state', async () => {
    const first = await deliver([action('A1', 'FileSystem:/a1.png'), action('A2', 'FileSystem:/a2.png')]);
    expect(first.status).toBe(200);
    const [a1, a2] = items(first.text);
    expect(a1).toMatchObject({ AssetId: 'A1' });
    expect(a2).toMatchObject({ AssetId: 'A2' });
    const s1 = JSON.parse(a1!.IntegrationState) as { externalId: string; version: number };
    expect(s1.version).toBe(1);
    expect(s1.externalId).not.toBe(JSON.parse(a2!.IntegrationState).externalId);
    const second = await deliver([action('A1', 'FileSystem:/a1.png', a1!.IntegrationState)]);
    expect(JSON.parse(items(second.text)[0]!.IntegrationState)).toEqual({ externalId: s1.externalId, version: 2 });
    const gone = await deliver([action('A1', 'FileSystem:/a1.png', items(second.text)[0]!.IntegrationState, 'deleted')]);
    expect(JSON.parse(items(gone.text)[0]!.IntegrationState)).toEqual({ externalId: s1.externalId, version: 3, deleted: true });
    expect(receiver.objects().find((o) => o.assetId === 'A1')).toMatchObject({ externalId: s1.externalId, version: 3, deleted: true });
  });

  it('answers a delivery id + asset seen before with the same Item (no second object, no new version)', async () => {
    const deliveryId = randomUUID();
    const once = await deliver([action('D1', 'FileSystem:/d1.png')], { deliveryId });
    const twice = await deliver([action('D1', 'FileSystem:/d1.png')], { deliveryId });
    expect(items(twice.text)).toEqual(items(once.text));
    expect(receiver.received().filter((r) => r.assetId === 'D1').map((r) => r.outcome)).toEqual(['answered', 'duplicate']);
    // Without a state but under another delivery id it is still the same external object.
    const again = await deliver([action('D1', 'FileSystem:/d1.png')]);
    const [before, after] = [JSON.parse(items(once.text)[0]!.IntegrationState), JSON.parse(items(again.text)[0]!.IntegrationState)];
    expect(after).toEqual({ externalId: before.externalId, version: before.version + 1 });
  });

  it('refuses a wrong, stale or missing signature with 401, and a body that is not a delivery with 400', async () => {
    const rejected = receiver.rejected();
    expect((await deliver([action('S', 'FileSystem:/s.png')], { secret: 'other' })).status).toBe(401);
    expect((await deliver([action('S', 'FileSystem:/s.png')], { t: Math.floor(Date.now() / 1000) - 301 })).status).toBe(401);
    expect((await deliver([action('S', 'FileSystem:/s.png')], { signature: null })).status).toBe(401);
    expect((await deliver([action('S', 'FileSystem:/s.png')], { signature: 't=1,v1=zz' })).status).toBe(401);
    expect(receiver.rejected()).toBe(rejected + 4);
    expect((await deliver([{ type: 'sync', assetId: 'S' }])).status).toBe(400);
    expect(receiver.objects().some((o) => o.assetId === 'S')).toBe(false);
  });
});

describe('failure rules', () => {
  it('status500 fails the request and applies nothing; malformed answers 200 with a body that is not JSON', async () => {
    receiver.setRule({ mode: 'status500', failUris: 'bad' });
    const hit = await deliver([action('R1', 'FileSystem:/ok.png'), action('R2', 'FileSystem:/bad.png')]);
    expect(hit.status).toBe(500);
    const miss = await deliver([action('R3', 'FileSystem:/ok.png')]);
    expect(miss.status).toBe(200);
    receiver.setRule({ mode: 'malformed' });
    const malformed = await deliver([action('R4', 'FileSystem:/ok.png')]);
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    receiver.setRule(null);
    expect(receiver.objects().filter((o) => ['R1', 'R2', 'R4'].includes(o.assetId))).toEqual([]);
  });

  it('dropItem leaves out the matching actions (a /regex/ too); timeout never answers', async () => {
    receiver.setRule({ mode: 'dropItem', failUris: '/drop-\\d+\\.png$/' });
    const r = await deliver([action('X1', 'FileSystem:/keep.png'), action('X2', 'FileSystem:/drop-2.png')]);
    expect(items(r.text).map((i) => i.AssetId)).toEqual(['X1']);
    receiver.setRule({ mode: 'timeout' });
    await expect(deliver([action('X3', 'FileSystem:/t.png')], { timeoutMs: 300 })).rejects.toThrow();
    receiver.setRule(null);
    expect(receiver.received().filter((x) => x.assetId.startsWith('X')).map((x) => [x.assetId, x.outcome]))
      .toEqual([['X1', 'answered'], ['X2', 'dropped'], ['X3', 'unanswered']]);
  });

  it('rate 0 never hits; a list of modes picks one per hit request', async () => {
    receiver.setRule({ mode: ['status500', 'malformed'], rate: 0 });
    for (let i = 0; i < 5; i++) expect((await deliver([action(`Z${i}`, 'FileSystem:/z.png')])).status).toBe(200);
    receiver.setRule({ mode: ['status500', 'malformed'], rate: 1 });
    const outcomes = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const res = await deliver([action(`Y${i}`, 'FileSystem:/y.png')]);
      outcomes.add(res.status === 500 ? 'status500' : 'malformed');
    }
    expect(outcomes).toEqual(new Set(['status500', 'malformed']));
    receiver.setRule(null);
  });
});

describe('admin endpoints', () => {
  it('GET/PUT /admin/rule validates the rule; GET /admin/received lists what came', async () => {
    const put = (body: string) => fetch(`${receiver.baseUrl}/admin/rule`, { method: 'PUT', body });
    expect((await put('{"mode":"explode"}')).status).toBe(400);
    expect((await put('{"mode":"dropItem","extra":1}')).status).toBe(400);
    expect((await put('not json')).status).toBe(400);
    const ok = await put('{"mode":"dropItem","failUris":"T_Sky.png"}');
    expect(ok.status).toBe(200);
    expect(await (await fetch(`${receiver.baseUrl}/admin/rule`)).json()).toEqual({ mode: 'dropItem', failUris: 'T_Sky.png' });
    expect(receiver.rule()).toEqual({ mode: 'dropItem', failUris: 'T_Sky.png' });
    expect((await put('null')).status).toBe(200);
    expect(receiver.rule()).toBeNull();
    const received = await (await fetch(`${receiver.baseUrl}/admin/received?limit=2`)).json() as unknown[];
    expect(received).toEqual(receiver.received(2));
    expect(received).toHaveLength(2);
  });

  it('refuses every request a web page makes (any Origin): a visited site cannot change the rule or read the deliveries', async () => {
    const before = receiver.rule();
    const evil = { Origin: 'https://evil.example' };
    const put = await fetch(`${receiver.baseUrl}/admin/rule`, { method: 'PUT', body: '{"mode":"dropItem","failUris":"x"}', headers: evil });
    expect(put.status).toBe(403);
    expect(receiver.rule()).toEqual(before);
    expect((await fetch(`${receiver.baseUrl}/admin/received`, { headers: evil })).status).toBe(403);
    expect((await fetch(`${receiver.baseUrl}/webhook`, { method: 'POST', body: '{}', headers: evil })).status).toBe(403);
  });

  it('keeps what it received across a restart (dataFile)', async () => {
    const count = receiver.received().length;
    await receiver.close();
    receiver = await startReceiver({ port: 0, secret: SECRET, dataFile: path.join(dir, 'received.sqlite'), logger: silentLogger() });
    expect(receiver.received()).toHaveLength(count);
  });
});
