// Property-based: random bytes, random JSON and mutated valid frames thrown at the decoders. Nothing may escape as
// an exception; every result is a valid message (which re-encodes to itself) or a typed error.
import fc from 'fast-check';
import { mutatedFrames } from '../../scripts/testing/mutate.ts';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame, decodeMultipart, encodeFrame, encodeMultipart, encodeTopic, envelope, type DecodeError, type Envelope,
  type Frame, type Result,
} from './index.ts';

const ERROR_CODES = new Set(['INVALID_JSON', 'INVALID_UTF8', 'NOT_AN_OBJECT', 'MISSING_FIELD', 'INVALID_FIELD', 'UNKNOWN_TYPE', 'FORBIDDEN_SEQUENCE', 'INVALID_MULTIPART']);

function checkError(error: DecodeError): void {
  expect(ERROR_CODES.has(error.code), error.code).toBe(true);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
}

function checkFrame(result: Result<Frame, DecodeError>): void {
  if (!result.ok) return checkError(result.error);
  const frame = result.value;
  if (frame.kind !== 'message') {
    expect(frame.prefixes.every((p) => typeof p === 'string')).toBe(true);
    return;
  }
  expect(encodeTopic(frame.envelope.topic)).toMatch(/^\{"Type":/);
  // A decoded message is fully valid: encoding it and decoding again gives the same message.
  const again = decodeFrame(encodeFrame(frame.envelope, frame.attachment));
  expect(again).toEqual({ ok: true, value: frame });
}

const SAMPLES: Envelope[] = [
  envelope<'Get'>({ Type: 'Get', Target: 'AssetHubServer', Name: 'State', RespondTo: 'OPS-AssetHubPanel' }, {}),
  envelope<'Set'>({ Type: 'Set', Target: 'AssetHubServer', Name: 'State.Repositories.Project[dot]Beta.AutoPull' }, { Value: true }),
  envelope<'Reset'>({ Type: 'Reset', Target: 'STAGE-A-AssetHubClient' }, {}),
  envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: 'AssetHubServer', Name: 'State' }, { Value: { Repositories: { a: { AutoPull: false } } } }),
  envelope<'Call'>({ Type: 'Call', Target: 'AssetHubServer', RespondTo: 'P', Method: 'CreateRepository', ID: '42' }, { Params: { Name: 'x', Branch: 'Main' } }),
  envelope<'CallResult'>({ Type: 'CallResult', Target: 'P', ExecutedOn: 'AssetHubServer', Method: 'Health', ID: '1' }, { Failure: { Message: 'm', Code: 'C' } }),
  envelope<'Identify'>({ Type: 'Identify', Source: 'P' }, {}),
  envelope<'Self'>({ Type: 'Self', Target: 'P', Source: 'AssetHubServer' }, { Value: { Version: '1', Machine: 'M', StartedAt: '2026-01-01T00:00:00.000Z' } }),
  envelope<'Log'>({ Type: 'Log', Target: 'P', Source: 'Hub' }, { Level: 'Warning', Message: 'dropped' }),
];
const validFrames = SAMPLES.map((s) => encodeFrame(s));

const mutated = mutatedFrames(validFrames);

/** Structurally plausible frames with wrong or odd field values. */
const TOPIC_KEYS = ['Type', 'Target', 'Name', 'RespondTo', 'Source', 'Method', 'ID', 'ExecutedOn'];
const plausible = fc
  .record({
    Topic: fc.oneof(
      fc.dictionary(fc.constantFrom(...TOPIC_KEYS), fc.oneof(fc.constantFrom('Get', 'Set', 'Reset', 'Update', 'Call', 'CallResult', 'Identify', 'Self', 'Startup', 'Log', ':::', ''), fc.jsonValue())),
      fc.jsonValue(),
    ),
    Message: fc.oneof(fc.dictionary(fc.constantFrom('Value', 'Params', 'Result', 'Failure', 'Level', 'Message'), fc.jsonValue()), fc.jsonValue()),
    Attachment: fc.option(fc.oneof(fc.integer(), fc.double(), fc.string())),
  })
  .map((f) => JSON.stringify(f.Attachment === null ? { Topic: f.Topic, Message: f.Message } : f));

describe('decoder under random input', () => {
  it('random bytes', () => {
    const loose = new TextDecoder('utf-8');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => checkFrame(decodeFrame(loose.decode(bytes)))), { numRuns: 3000 });
  });

  it('random JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => checkFrame(decodeFrame(JSON.stringify(value) ?? 'null'))), { numRuns: 3000 });
  });

  it('plausible frames with arbitrary fields', () => {
    fc.assert(fc.property(plausible, (text) => checkFrame(decodeFrame(text))), { numRuns: 5000 });
  });

  it('mutated valid frames', () => {
    fc.assert(fc.property(mutated, (text) => checkFrame(decodeFrame(text))), { numRuns: 5000 });
  });

  it('multipart: random parts and mutated valid parts', () => {
    const valid = SAMPLES.map((s) => encodeMultipart(s));
    const parts = fc.oneof(
      fc.array(fc.uint8Array({ maxLength: 128 }), { maxLength: 4 }),
      fc.tuple(fc.constantFrom(...valid), fc.nat(3), fc.uint8Array({ maxLength: 16 })).map(([p, i, junk]) => p.map((part, j) => (j === i ? junk : part))),
    );
    fc.assert(
      fc.property(parts, (p) => {
        const result = decodeMultipart(p);
        if (!result.ok) return checkError(result.error);
        expect(decodeMultipart(encodeMultipart(result.value.envelope, result.value.attachment))).toEqual(result);
      }),
      { numRuns: 3000 },
    );
  });
});
