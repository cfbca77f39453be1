// The "managed" content hash is stored with every record: it must stay the same function of an asset's content
// (a changed value would re-deliver every asset once). A receiver's answer is read up to a limit and for TimeoutMs.
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAsset } from '../../../shared/assethub/catalogue.ts';
import { MAX_RESPONSE_BYTES, contentHash, postBatch, signature } from './contract.ts';
import { scriptedReceiver, streamBody, type ScriptedReceiver } from './testing/rig.ts';

/** The hash as first defined: SHA-256 (hex) of the JSON of the compared fields. */
function reference(asset: TAsset): string {
  const metadata = asset.attributes.data.filter((a) => a.category !== 'system').map((a) => [a.category, a.name, a.value]);
  const text = JSON.stringify([asset.externalComponentHash, asset.size, asset.uri, asset.name, asset.type, asset.tags, asset.keywords, metadata]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const asset = (over: Record<string, unknown>): TAsset => ({
  id: 'A1', revisionId: 'r1', type: 'assethub:texture-1.0.0', uri: 'FileSystem:/Content/T_Ä ü.png', name: 'T_Ä ü.png', size: 1024,
  externalComponentHash: 'a'.repeat(64), tags: ['x', 'ü'], keywords: ['k'],
  attributes: { id: 'A1', url: '/x', data: [
    { name: 'uri', value: 'FileSystem:/Content/T_Ä ü.png', category: 'system' },
    { name: 'Quality', value: 'High "q"', category: 'metadata' },
    { name: 'Notes', value: 'line\nbreak 😀', category: 'custom' },
  ] },
  ...over,
}) as unknown as TAsset;

it('keeps the content hash values (same fields, same bytes, same digest)', () => {
  for (const a of [asset({}), asset({ tags: [], keywords: [] }), asset({ size: 0, attributes: { id: 'A1', url: '/x', data: [] } })]) {
    expect(contentHash(a)).toBe(reference(a));
  }
  expect(contentHash(asset({}))).not.toBe(contentHash(asset({ tags: ['y'] })));
  expect(contentHash(asset({}))).toBe(contentHash(asset({ revisionId: 'r2' })));
});

it('signs t + "." + body, the same from the body text or its UTF-8 bytes', () => {
  const body = '{"actions":[{"asset":{"name":"Ä ü 😀"}}],"tenantId":"t"}';
  const expected = `t=1700000000,v1=${createHmac('sha256', 'secret').update(`1700000000.${body}`, 'utf8').digest('hex')}`;
  expect(signature('secret', body, 1700000000.9)).toBe(expected);
  expect(signature('secret', Buffer.from(body, 'utf8'), 1700000000.9)).toBe(expected);
});

describe('the answer read', () => {
  let receiver: ScriptedReceiver;
  beforeAll(async () => {
    receiver = await scriptedReceiver();
  });
  afterAll(() => receiver.close());

  const post = (limit: number | undefined, timeoutMs = 5_000) => postBatch({
    url: receiver.url, secret: 's', body: '{"actions":[],"configuration":{},"tenantId":""}', deliveryId: 'd', timeoutMs,
    cancel: new AbortController().signal, nowSeconds: 1_700_000_000, ...(limit !== undefined ? { maxResponseBytes: limit } : {}),
  });

  it('stops reading a streamed answer past the limit and fails it "response too large"; the connection is dropped', async () => {
    const cut = receiver.cut;
    // Streamed without end, as fast as the socket takes it: only a reader that drops the connection ends it.
    receiver.answer = ({ res }) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"Items":[],"padding":"');
      streamBody(res, Infinity);
    };
    const outcome = await post(64 * 1024);
    expect(outcome).toMatchObject({ ok: false, httpStatus: 200, reason: 'response too large: more than 65536 bytes' });
    expect(outcome.ok === false && outcome.response?.startsWith('{"Items":[],"padding":"xxx')).toBe(true);
    await expect.poll(() => receiver.cut).toBe(cut + 1);
    expect(MAX_RESPONSE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('refuses a Content-Length over the limit before reading any of the body', async () => {
    // Headers and a first piece, then nothing: a reader that waited for the body would time out instead.
    receiver.answer = ({ res }) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(1024 * 1024) });
      res.write('{"Items":[');
    };
    expect(await post(64 * 1024, 2_000)).toMatchObject({ ok: false, httpStatus: 200, reason: 'response too large: more than 65536 bytes', response: null });
  });

  it('bounds an answer that never ends by TimeoutMs', async () => {
    const cut = receiver.cut;
    // A byte now and then, forever: under the size limit, never complete.
    receiver.answer = ({ res }) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(timer));
    };
    expect(await post(64 * 1024, 300)).toMatchObject({ ok: false, httpStatus: 200, reason: 'timed out after 300 ms' });
    await expect.poll(() => receiver.cut).toBe(cut + 1);
  });
});
