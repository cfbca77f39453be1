// The "managed" content hash is stored with every record: it must stay the same function of an asset's content
// (a changed value would re-deliver every asset once).
import { createHash, createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import type { TAsset } from '../../../shared/assethub/catalogue.ts';
import { contentHash, signature } from './contract.ts';

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
