import { describe, expect, it } from 'vitest';
import {
  decodeFrame, decodeMultipart, encodeFrame, encodeMultipart, encodeSubscribe, encodeTopic, envelope, matchesPrefix,
  parseServiceName, parseTopic, serviceNameProblem, topicPrefix, type Envelope,
} from './index.ts';

const update: Envelope = envelope<'Update'>(
  { Type: 'Update', Target: 'BROADCAST', Source: 'STAGE-A-AssetHubClient', Name: 'State' },
  { Value: { Workspaces: {} } },
);

describe('topics', () => {
  it('encode canonically whatever order the keys arrived in', () => {
    const scrambled = { Name: 'State', RespondTo: 'Panel', Target: 'AssetHubServer', Type: 'Get', Extra: 1 };
    const topic = parseTopic(scrambled);
    expect(topic.ok && encodeTopic(topic.value)).toBe('{"Type":"Get","Target":"AssetHubServer","Name":"State","RespondTo":"Panel"}');
    const call = parseTopic({ ID: '7', Method: 'Health', RespondTo: 'P', Target: 'AssetHubServer', Type: 'Call' });
    expect(call.ok && encodeTopic(call.value)).toBe('{"Type":"Call","Target":"AssetHubServer","RespondTo":"P","Method":"Health","ID":"7"}');
  });

  it('allow Reset with or without Name', () => {
    const bare = parseTopic({ Type: 'Reset', Target: 'AssetHubServer' });
    expect(bare.ok && encodeTopic(bare.value)).toBe('{"Type":"Reset","Target":"AssetHubServer"}');
    const named = parseTopic({ Type: 'Reset', Target: 'X', Name: 'State' });
    expect(named.ok && encodeTopic(named.value)).toBe('{"Type":"Reset","Target":"X","Name":"State"}');
  });

  it('are refused with a typed error that says what is wrong', () => {
    const cases: Array<[unknown, string, string]> = [
      [[], 'NOT_AN_OBJECT', 'Topic'],
      [{ Target: 'x' }, 'MISSING_FIELD', 'Topic.Type'],
      [{ Type: 'Shout' }, 'UNKNOWN_TYPE', 'Topic.Type'],
      [{ Type: 'Get', Target: 'x', Name: 'State' }, 'MISSING_FIELD', 'Topic.RespondTo'],
      [{ Type: 'Get', Target: 5, Name: 'State', RespondTo: 'p' }, 'INVALID_FIELD', 'Topic.Target'],
      [{ Type: 'Identify', Source: 'a:::b' }, 'FORBIDDEN_SEQUENCE', 'Topic.Source'],
    ];
    for (const [value, code, path] of cases) {
      const result = parseTopic(value);
      expect(result.ok).toBe(false);
      if (!result.ok) expect([result.error.code, result.error.path, result.error.message.length > 0]).toEqual([code, path, true]);
    }
  });

  it('match subscriptions by canonical prefix, with the closing quote guarding longer names', () => {
    const canonical = encodeTopic({ Type: 'Get', Target: 'AssetHubServer', Name: 'State', RespondTo: 'P' });
    expect(matchesPrefix(canonical, topicPrefix('Get', { Target: 'AssetHubServer' }))).toBe(true);
    expect(matchesPrefix(canonical, topicPrefix('Get', { Target: 'AssetHub' }))).toBe(false);
    expect(matchesPrefix(canonical, topicPrefix('Update'))).toBe(false);
    expect(topicPrefix('Update', { Target: 'BROADCAST' })).toBe('{"Type":"Update","Target":"BROADCAST"');
    // A gap in the key order ends the prefix: Source without Target cannot be expressed.
    expect(topicPrefix('Update', { Source: 'X' })).toBe('{"Type":"Update"');
  });
});

describe('names', () => {
  it('split <Machine>-<Service> at the last dash', () => {
    expect(parseServiceName('STAGE-A-AssetHubClient')).toEqual({ machine: 'STAGE-A', service: 'AssetHubClient' });
    expect(parseServiceName('AssetHubServer')).toBeNull();
    expect(serviceNameProblem('BROADCAST')).toMatch(/everyone/);
    expect(serviceNameProblem('Explorer')).toMatch(/reserved/);
    expect(serviceNameProblem('OPS-AssetHubPanel')).toBeNull();
  });
});

describe('WebSocket frames', () => {
  it('round-trip a message, with its canonical topic and attachment length', () => {
    const text = encodeFrame(update, 12);
    expect(text).toBe('{"Topic":{"Type":"Update","Target":"BROADCAST","Source":"STAGE-A-AssetHubClient","Name":"State"},"Message":{"Value":{"Workspaces":{}}},"Attachment":12}');
    const frame = decodeFrame(text);
    expect(frame).toEqual({ ok: true, value: { kind: 'message', envelope: update, attachment: 12 } });
  });

  it('decode Subscribe and Unsubscribe control frames', () => {
    expect(decodeFrame(encodeSubscribe(['{"Type":"Get"']))).toEqual({ ok: true, value: { kind: 'subscribe', prefixes: ['{"Type":"Get"'] } });
    expect(decodeFrame('{"Unsubscribe":[]}')).toEqual({ ok: true, value: { kind: 'unsubscribe', prefixes: [] } });
    expect(decodeFrame('{"Subscribe":[1]}').ok).toBe(false);
  });

  it('read the documented variants: Get with {"Value":{}}, Value "null", CallResult Failure', () => {
    const get = decodeFrame('{"Topic":{"Type":"Get","Target":"A","Name":"State","RespondTo":"P"},"Message":{"Value":{}}}');
    expect(get.ok).toBe(true);
    const nullValue = decodeFrame('{"Topic":{"Type":"Update","Target":"P","Source":"A","Name":"Nope"},"Message":{"Value":"null"}}');
    expect(nullValue.ok && nullValue.value.kind === 'message' && nullValue.value.envelope.message).toEqual({ Value: null });
    const failure = decodeFrame('{"Topic":{"Type":"CallResult","Target":"P","ExecutedOn":"A","Method":"M","ID":"1"},"Message":{"Failure":{"Message":"no","Code":"NOT_AT_HEAD"}}}');
    expect(failure.ok && failure.value.kind === 'message' && failure.value.envelope.message).toEqual({ Failure: { Message: 'no', Code: 'NOT_AT_HEAD' } });
  });

  it('keep a Failure\'s well-formed Errors and drop malformed ones without refusing the frame', () => {
    const frame = (errors: string) => `{"Topic":{"Type":"CallResult","Target":"P","ExecutedOn":"A","Method":"ImportAssets","ID":"1"},"Message":{"Failure":{"Message":"bad","Code":"UNPROCESSABLE","Errors":${errors}}}}`;
    const kept = decodeFrame(frame('[{"Index":2,"Field":"tags[0]","Message":"must be a string","Extra":1}]'));
    expect(kept.ok && kept.value.kind === 'message' && kept.value.envelope.message).toEqual({
      Failure: { Message: 'bad', Code: 'UNPROCESSABLE', Errors: [{ Index: 2, Field: 'tags[0]', Message: 'must be a string' }] },
    });
    for (const malformed of ['"all wrong"', '[{"Index":"2","Field":"x","Message":"m"}]', '[null]']) {
      const dropped = decodeFrame(frame(malformed));
      expect(dropped.ok && dropped.value.kind === 'message' && dropped.value.envelope.message).toEqual({ Failure: { Message: 'bad', Code: 'UNPROCESSABLE' } });
    }
  });

  it('refuse malformed frames with typed errors', () => {
    const cases: Array<[string, string]> = [
      ['not json', 'INVALID_JSON'],
      ['[1,2]', 'NOT_AN_OBJECT'],
      ['{"Hello":1}', 'MISSING_FIELD'],
      ['{"Topic":{"Type":"Identify","Source":"A"}}', 'MISSING_FIELD'],
      ['{"Topic":{"Type":"Set","Target":"A","Name":"State"},"Message":{}}', 'MISSING_FIELD'],
      // Tolerant reading stops where a receiver needs the field (shared/protocol/tolerant.test.ts has what is read).
      ['{"Topic":{"Type":"Get","Name":"State","RespondTo":"P"},"Message":{}}', 'MISSING_FIELD'],
      ['{"Topic":{"Type":"Update","Target":"BROADCAST","Name":"State"},"Message":{"Value":1}}', 'MISSING_FIELD'],
      ['{"Topic":{"Type":"Log","Target":"A"},"Message":{"Level":"Info","Message":"x"}}', 'MISSING_FIELD'],
      ['{"Topic":{"Type":"Identify","Source":"A"},"Message":{},"Attachment":-1}', 'INVALID_FIELD'],
      ['{"Topic":{"Type":"Call","Target":"A","RespondTo":"B","Method":"M","ID":"1"},"Message":{"Params":[]}}', 'INVALID_FIELD'],
    ];
    for (const [text, code] of cases) {
      const frame = decodeFrame(text);
      expect(frame.ok ? 'ok' : frame.error.code, text).toBe(code);
    }
  });
});

describe('ZeroMQ multipart', () => {
  it('round-trips topic, message and attachment', () => {
    const attachment = new Uint8Array([1, 2, 3]);
    const parts = encodeMultipart(update, attachment);
    expect(new TextDecoder().decode(parts[0])).toBe(encodeTopic(update.topic));
    const decoded = decodeMultipart(parts);
    expect(decoded).toEqual({ ok: true, value: { envelope: update, attachment } });
  });

  it('refuses wrong part counts and bad UTF-8', () => {
    expect(decodeMultipart([new Uint8Array()])).toMatchObject({ ok: false, error: { code: 'INVALID_MULTIPART' } });
    expect(decodeMultipart([new Uint8Array([0xff, 0xfe]), new Uint8Array()])).toMatchObject({ ok: false, error: { code: 'INVALID_UTF8' } });
  });
});
