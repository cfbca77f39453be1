/** Reading a client's request (request.ts) and turning it into the message the Gateway publishes (publish.ts). */
import { describe, expect, it } from 'vitest';
import { toPublication } from './publish.ts';
import { parseBody, parseQuery } from './request.ts';

const filler = { source: 'STAGE-A-Gateway-00aa', machine: 'STAGE-A' };

describe('the GET form', () => {
  it('JSON-decodes values that parse, keeps the text of those that do not', () => {
    const parsed = parseQuery('Type=Call&Target=AssetHubServer&Method=M&ParamLimit=5&ParamForce=true&ParamName=%22x%22&ParamPath=C:/a b&ParamObj=%7B%22a%22:1%7D&ParamNull=null');
    expect(parsed).toEqual({
      ok: true,
      value: {
        topic: { Type: 'Call', Target: 'AssetHubServer', Method: 'M' },
        message: { Params: { Limit: 5, Force: true, Name: 'x', Path: 'C:/a b', Obj: { a: 1 }, Null: null } },
      },
    });
  });

  it('keeps topic fields strings (Name=5 is the name "5"), Value= goes to Message.Value', () => {
    const parsed = parseQuery('Type=Set&Target=%22AssetHubServer%22&Name=5&Value=%7B%22Repositories%22:%7B%7D%7D');
    expect(parsed).toEqual({ ok: true, value: { topic: { Type: 'Set', Target: 'AssetHubServer', Name: '5' }, message: { Value: { Repositories: {} } } } });
  });

  it('ignores empty pairs, empty values, a bare Param and unknown keys; the last of a repeated key wins', () => {
    const parsed = parseQuery('&&Type=Get&Target=A&Target=B&Name=State&Value=&Param=1&x=1&=2&&');
    expect(parsed).toEqual({ ok: true, value: { topic: { Type: 'Get', Target: 'B', Name: 'State' }, message: {} } });
  });

  it('keys from the wire are plain keys of prototype-free objects', () => {
    const parsed = parseQuery('Type=Call&Target=A&Method=M&Param__proto__=%7B%22polluted%22:1%7D&Paramconstructor=1');
    if (!parsed.ok) throw new Error(parsed.reason);
    const params = parsed.value.message.Params as Record<string, unknown>;
    expect(Object.getPrototypeOf(params)).toBeNull();
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('says so when there is no topic at all', () => {
    expect(parseQuery('')).toMatchObject({ ok: false });
    expect(parseQuery('Value=1')).toMatchObject({ ok: false });
  });
});

describe('the POST form', () => {
  it('a missing Message is an empty one; Topic keys are copied without a prototype', () => {
    const parsed = parseBody('{"Topic":{"__proto__":{"x":1},"Type":"Get","Target":"A","Name":"S"}}');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(Object.getPrototypeOf(parsed.value.topic)).toBeNull();
    expect(parsed.value.message).toEqual({});
  });
});

describe('what the Gateway publishes', () => {
  const raw = (topic: Record<string, unknown>, message: Record<string, unknown> = {}) => ({ topic, message });

  it('a Get: RespondTo is the request\'s name, whatever the client wrote; ~LOCAL~ is the machine', () => {
    const built = toPublication(raw({ Type: 'Get', Target: '~LOCAL~-AssetHubClient', Name: 'State', RespondTo: 'Companion' }), 'G-1', filler);
    expect(built).toMatchObject({ ok: true, value: { envelope: { topic: { Type: 'Get', Target: 'STAGE-A-AssetHubClient', Name: 'State', RespondTo: 'G-1' }, message: {} }, awaited: { kind: 'get' } } });
  });

  it('a Call: RespondTo and ID are the Gateway\'s; Params default to {}', () => {
    const built = toPublication(raw({ Type: 'Call', Target: 'AssetHubServer', Method: 'Health', ID: 'mine', RespondTo: 'x' }), 'G-2', filler);
    if (!built.ok) throw new Error(built.reason);
    const topic = built.value.envelope.topic as { ID: string; RespondTo: string };
    expect(topic.RespondTo).toBe('G-2');
    expect(topic.ID).not.toBe('mine');
    expect(built.value.awaited).toEqual({ kind: 'call', id: topic.ID });
    expect(built.value.envelope.message).toEqual({ Params: {} });
  });

  it('a Set or Reset waits for the target\'s broadcast of the state its Name starts with', () => {
    expect(toPublication(raw({ Type: 'Set', Target: 'S', Name: 'State.Repositories.X.AutoPull' }, { Value: true }), 'G-3', filler))
      .toMatchObject({ ok: true, value: { awaited: { kind: 'broadcast', source: 'S', state: 'State' } } });
    expect(toPublication(raw({ Type: 'Reset', Target: 'S' }), 'G-4', filler))
      .toMatchObject({ ok: true, value: { awaited: { kind: 'broadcast', source: 'S', state: 'State' } } });
    expect(toPublication(raw({ Type: 'Reset', Target: 'S', Name: 'Integrations' }), 'G-5', filler))
      .toMatchObject({ ok: true, value: { awaited: { kind: 'broadcast', source: 'S', state: 'Integrations' } } });
  });

  it('an Update or a Log has the Gateway as Source and waits for nothing', () => {
    expect(toPublication(raw({ Type: 'Update', Target: 'BROADCAST', Name: 'X', Source: 'Fake' }, { Value: 1 }), 'G-6', filler))
      .toMatchObject({ ok: true, value: { envelope: { topic: { Source: filler.source } }, awaited: { kind: 'none' } } });
  });

  it('refuses what speaks for a service, and what the codec refuses', () => {
    for (const Type of ['Identify', 'Self', 'Startup']) expect(toPublication(raw({ Type, Target: 'T', Source: 'S' }), 'G', filler).ok).toBe(false);
    expect(toPublication(raw({ Type: 'Get', Target: 'A:::B', Name: 'S' }), 'G', filler)).toMatchObject({ ok: false, reason: expect.stringMatching(/:::/) as unknown });
    expect(toPublication(raw({ Type: 'Get', Name: 'S' }), 'G', filler)).toMatchObject({ ok: false, reason: expect.stringMatching(/Target/) as unknown });
  });

  it('refuses a Target that is the Gateway or one of its requests (a client would answer another client\'s request)', () => {
    for (const Type of ['Update', 'Log', 'CallResult', 'Get', 'Call', 'Set']) {
      for (const Target of [filler.source, `${filler.source}-7`, `${filler.source}-`]) {
        const topic = { Type, Target, Name: 'State', Method: 'M', ExecutedOn: 'AssetHubServer', ID: 'x' };
        expect(toPublication(raw(topic, { Value: 1, Result: {} }), 'G', filler), `${Type} ${Target}`).toMatchObject({ ok: false, reason: expect.stringMatching(/Gateway's own name/) as unknown });
      }
    }
    // Another Gateway, or a service whose name merely starts alike, is addressed as usual.
    expect(toPublication(raw({ Type: 'Update', Target: `${filler.source}x-1`, Name: 'S' }, { Value: 1 }), 'G', filler).ok).toBe(true);
    expect(toPublication(raw({ Type: 'Update', Target: 'STAGE-A-Gateway-11bb-1', Name: 'S' }, { Value: 1 }), 'G', filler).ok).toBe(true);
  });
});
