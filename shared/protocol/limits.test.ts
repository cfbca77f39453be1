import { describe, expect, it } from 'vitest';
import { decodeFrame } from './frame.ts';
import { jsonDepthOver, MAX_JSON_DEPTH, NAME_MAX_CHARS, NAME_MAX_SEGMENTS } from './limits.ts';
import { decodeMultipart } from './multipart.ts';

const frame = (name: string, value: string) => `{"Topic":{"Type":"Set","Target":"AssetHubServer","Name":${JSON.stringify(name)}},"Message":{"Value":${value}}}`;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('what one message may hold', () => {
  it('counts nesting outside strings only, escapes included', () => {
    expect(jsonDepthOver('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthOver('['.repeat(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonDepthOver(JSON.stringify({ a: '['.repeat(1000), b: 'x\\"{{{{' }))).toBe(false);
    expect(jsonDepthOver(`["\\\\",${'['.repeat(MAX_JSON_DEPTH + 1)}`)).toBe(true);
  });

  it('refuses a frame nested too deep, a Name with too many segments or characters, on both fabrics', () => {
    const deep = frame('State', '['.repeat(10_000) + ']'.repeat(10_000));
    expect(decodeFrame(deep)).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    const segments = Array.from({ length: 100_000 }, () => 'a').join('.');
    expect(decodeFrame(frame(segments, '1'))).toMatchObject({ ok: false, error: { code: 'TOO_LARGE', path: 'Topic.Name' } });
    expect(decodeFrame(frame(Array.from({ length: NAME_MAX_SEGMENTS }, () => 'a').join('.'), '1')).ok).toBe(true);
    expect(decodeFrame(frame('x'.repeat(NAME_MAX_CHARS + 1), '1'))).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    const topic = bytes(JSON.stringify({ Type: 'Set', Target: 'AssetHubServer', Name: segments }));
    expect(decodeMultipart([topic, bytes('{"Value":1}')])).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    expect(decodeMultipart([bytes('{"Type":"Set","Target":"S","Name":"State"}'), bytes(`{"Value":${'['.repeat(500)}${']'.repeat(500)}}`)])).toMatchObject({ ok: false, error: { code: 'TOO_LARGE', path: 'Message' } });
  });
});
