// Tolerant reading of real Pixotope peers (docs/PROTOCOL-EXTENSIONS.md "Messages"): a frame is never refused for a
// field its receiver does not need, nor for the shape of a body this project chose (Self, Log, Startup, Identify). Each
// tolerance once over WebSocket frames, and the ones real ZeroMQ peers send once over multipart.
import { describe, expect, it } from 'vitest';
import {
  bounded, decodeFrame, decodeMultipart, encodeFrame, LOG_MESSAGE_MAX_CHARS, readLogLevel, type DecodeError, type Envelope,
  type Result,
} from './index.ts';

const enc = new TextEncoder();
const message = (result: Result<{ kind: string; envelope?: Envelope }, DecodeError>): Envelope => {
  if (!result.ok) throw new Error(`refused: ${result.error.code} ${result.error.message}`);
  if (!result.value.envelope) throw new Error('not a message');
  return result.value.envelope;
};
const frame = (topic: unknown, body: unknown): Envelope => message(decodeFrame(JSON.stringify({ Topic: topic, Message: body })));
const parts = (topic: unknown, body: unknown): Envelope => {
  const decoded = decodeMultipart([enc.encode(JSON.stringify(topic)), enc.encode(JSON.stringify(body))]);
  if (!decoded.ok) throw new Error(`refused: ${decoded.error.code} ${decoded.error.message}`);
  return decoded.value.envelope;
};
/** A decoded message encodes canonically and decodes to itself again (what routers forward). */
const stable = (m: Envelope): Envelope => {
  expect(message(decodeFrame(encodeFrame(m)))).toEqual(m);
  return m;
};

describe('already tolerated (documented variants)', () => {
  it('reads "Value":"null" as null, in an Update and in a CallResult Result', () => {
    expect(frame({ Type: 'Update', Target: 'P', Source: 'A', Name: 'Nope' }, { Value: 'null' }).message).toEqual({ Value: null });
    expect(frame({ Type: 'CallResult', Target: 'P', ExecutedOn: 'A', Method: 'M', ID: '1' }, { Result: 'null' }).message).toEqual({ Result: null });
  });

  it('reads a Get whose message is {"Value":{}} as a plain Get', () => {
    const get = frame({ Type: 'Get', Target: 'A', Name: 'State', RespondTo: 'P' }, { Value: {} });
    expect(get).toEqual({ topic: { Type: 'Get', Target: 'A', Name: 'State', RespondTo: 'P' }, message: {} });
  });

  it('reads topic keys in any order, the Update order of the other documentation page (Type, Source, Target, Name) included', () => {
    const want = { Type: 'Update', Target: 'BROADCAST', Source: 'Store', Name: 'State' };
    expect(parts({ Type: 'Update', Source: 'Store', Target: 'BROADCAST', Name: 'State' }, { Value: 1 }).topic).toEqual(want);
    expect(frame({ Name: 'State', Target: 'BROADCAST', Source: 'Store', Type: 'Update' }, { Value: 1 }).topic).toEqual(want);
  });
});

describe('topic fields a receiver can do without', () => {
  it('reads an Update, Self, Startup or Log without Target as addressed to BROADCAST', () => {
    expect(stable(parts({ Type: 'Update', Source: 'Store', Name: 'State' }, { Value: { A: 1 } })).topic)
      .toEqual({ Type: 'Update', Target: 'BROADCAST', Source: 'Store', Name: 'State' });
    expect(stable(frame({ Type: 'Update', Target: null, Source: 'Store', Name: 'State' }, { Value: 1 })).topic)
      .toEqual({ Type: 'Update', Target: 'BROADCAST', Source: 'Store', Name: 'State' });
    for (const type of ['Self', 'Startup', 'Log'] as const) {
      expect(stable(frame({ Type: type, Source: 'Machine1-CTS' }, {})).topic).toEqual({ Type: type, Target: 'BROADCAST', Source: 'Machine1-CTS' });
    }
  });

  it('still refuses what a receiver needs: whom to answer, what to read, the ID of a Call, who sent it', () => {
    const refused: Array<[unknown, string]> = [
      [{ Type: 'Get', Name: 'State', RespondTo: 'P' }, 'Topic.Target'],
      [{ Type: 'Get', Target: 'A', RespondTo: 'P' }, 'Topic.Name'],
      [{ Type: 'Get', Target: 'A', Name: 'State' }, 'Topic.RespondTo'],
      [{ Type: 'Set', Target: 'A' }, 'Topic.Name'],
      [{ Type: 'Reset' }, 'Topic.Target'],
      [{ Type: 'Call', Target: 'A', RespondTo: 'P', Method: 'M' }, 'Topic.ID'],
      [{ Type: 'CallResult', Target: 'P', ExecutedOn: 'A', Method: 'M' }, 'Topic.ID'],
      [{ Type: 'Update', Target: 'BROADCAST', Name: 'State' }, 'Topic.Source'],
      [{ Type: 'Update', Target: 'BROADCAST', Source: 'A' }, 'Topic.Name'],
      [{ Type: 'Identify' }, 'Topic.Source'],
      [{ Type: 'Log', Target: 'BROADCAST' }, 'Topic.Source'],
    ];
    for (const [topic, path] of refused) {
      const result = decodeFrame(JSON.stringify({ Topic: topic, Message: { Value: 1, Params: {}, Result: 1 } }));
      expect(result.ok ? 'ok' : `${result.error.code} ${result.error.path}`, JSON.stringify(topic)).toBe(`MISSING_FIELD ${path}`);
    }
    // An empty Target is not a missing one: refused as before.
    expect(decodeFrame('{"Topic":{"Type":"Update","Target":"","Source":"A","Name":"S"},"Message":{"Value":1}}')).toMatchObject({ ok: false, error: { code: 'INVALID_FIELD' } });
  });
});

describe('a Self body of any shape', () => {
  const self = (body: unknown) => stable(frame({ Type: 'Self', Target: 'P', Source: 'Store' }, body)).message;

  it('keeps strings, turns numbers into their text, and reads anything else as unknown (null)', () => {
    expect(self({ Value: { Version: '26.2.0', Machine: 'STAGE-A', StartedAt: 't' } })).toEqual({ Value: { Version: '26.2.0', Machine: 'STAGE-A', StartedAt: 't' } });
    expect(self({ Value: { Version: 26.2, Machine: true, StartedAt: { At: 1 }, Role: 'Store', Extra: [1] } })).toEqual({ Value: { Version: '26.2', Machine: null, StartedAt: null } });
    expect(self({ Value: { Version: '', Machine: Number.MAX_VALUE, StartedAt: null } })).toEqual({ Value: { Version: null, Machine: String(Number.MAX_VALUE), StartedAt: null } });
  });

  it('reads a body without a Value object: its own fields, or nothing', () => {
    const none = { Value: { Version: null, Machine: null, StartedAt: null } };
    expect(self({})).toEqual(none);
    expect(self({ Value: 'Store' })).toEqual(none);
    expect(self({ Value: [1, 2] })).toEqual(none);
    expect(self({ Value: null })).toEqual(none);
    expect(self({ Name: 'Store', Role: 'Store', Version: '26.2.0', Machine: 'M1' })).toEqual({ Value: { Version: '26.2.0', Machine: 'M1', StartedAt: null } });
  });

  it('bounds each field', () => {
    const long = self({ Value: { Version: 'v'.repeat(100_000) } }) as { Value: { Version: string } };
    expect(long.Value.Version.length).toBeLessThanOrEqual(1024);
    expect(long.Value.Version.endsWith('…')).toBe(true);
  });
});

describe('a Log body of any shape', () => {
  const log = (body: unknown) => stable(frame({ Type: 'Log', Target: 'BROADCAST', Source: 'Director' }, body)).message;

  it('maps the Level case-insensitively to Info, Warning or Error; anything else is Info', () => {
    const cases: Array<[unknown, string]> = [
      ['Info', 'Info'], ['Warning', 'Warning'], ['Error', 'Error'], ['warning', 'Warning'], ['ERROR', 'Error'], [' info ', 'Info'],
      ['Warn', 'Warning'], ['fatal', 'Error'], ['Critical', 'Error'], ['Debug', 'Info'], ['Trace', 'Info'], ['Loud', 'Info'],
      ['constructor', 'Info'], ['__proto__', 'Info'], [2, 'Info'], [null, 'Info'], [undefined, 'Info'], [{ Level: 'Error' }, 'Info'],
    ];
    for (const [level, want] of cases) {
      expect(readLogLevel(level), String(level)).toBe(want);
      expect(log({ Level: level, Message: 'x' }), String(level)).toEqual({ Level: want, Message: 'x' });
    }
  });

  it('stringifies a Message that is not a string, and a body without one', () => {
    expect(log({ Level: 'Info', Message: 42 })).toEqual({ Level: 'Info', Message: '42' });
    expect(log({ Level: 'Info', Message: { Text: 'disk full', Code: 7 } })).toEqual({ Level: 'Info', Message: '{"Text":"disk full","Code":7}' });
    expect(log({ Level: 'Warning', Message: null })).toEqual({ Level: 'Warning', Message: '' });
    expect(log({})).toEqual({ Level: 'Info', Message: '' });
    // A Pixotope-style body of unknown shape: nothing it said is lost.
    expect(log({ Severity: 'warning', Text: 'license expires', Time: 1 })).toEqual({ Level: 'Info', Message: '{"Severity":"warning","Text":"license expires","Time":1}' });
    expect(log({ Level: 'debug', Text: 'x' })).toEqual({ Level: 'Info', Message: '{"Text":"x"}' });
  });

  it('bounds the text, a string Message and a stringified one alike', () => {
    for (const body of [{ Level: 'Error', Message: 'y'.repeat(LOG_MESSAGE_MAX_CHARS * 2) }, { Level: 'Error', Message: { Big: 'z'.repeat(LOG_MESSAGE_MAX_CHARS) } }]) {
      const m = log(body) as { Level: string; Message: string };
      expect([m.Level, m.Message.length, m.Message.endsWith('…')]).toEqual(['Error', LOG_MESSAGE_MAX_CHARS, true]);
    }
    expect(bounded('ab😀', 3)).toBe('ab…');
    expect(bounded('a😀bc', 4)).toBe('a😀…');
    expect(bounded('a😀b', 3)).toBe('a…');
  });
});

describe('Startup and Identify bodies', () => {
  it('accept any object', () => {
    for (const body of [{}, { Value: {} }, { Name: 'Store', Role: 'Store', Version: 26 }, { Value: 'x', Extra: [1, { a: null }] }]) {
      expect(stable(frame({ Type: 'Identify', Source: 'Store' }, body)).message).toEqual({});
      expect(stable(parts({ Type: 'Startup', Target: 'BROADCAST', Source: 'Store' }, body)).message).toEqual({});
    }
  });
});
