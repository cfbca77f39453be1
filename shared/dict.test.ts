// Names from the wire are plain keys: `__proto__`, `constructor` and the like as repository, workspace, client or
// integration names survive decoding and validation as own keys of prototype-free maps, and names nobody sent read as
// undefined.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IntegrationsState, STATE_SCHEMAS, decodeStateValue, integrationNameProblem, parseState } from './assethub/index.ts';
import { copyDict, dictFrom, nameRecord } from './dict.ts';
import { decodeValueKeys, encodeValueKeys } from './protocol/dot.ts';

const STATUS = { Incoming: false, Outcoming: false, Activity: 'Idle', Stage: 'Finalizing', Current: 0, Total: 0, Progress: 1 };
/** A map as JSON.parse reads it off the wire: `__proto__` is an own key there. */
const wire = (text: string): unknown => JSON.parse(text);

const own = (map: unknown): string[] => Object.keys(map as object);

describe('the [dot] codec', () => {
  it('keeps `__proto__` an own key when another key of the map is decoded or encoded', () => {
    const decoded = decodeValueKeys(['State'], wire('{"Repositories":{"Project[dot]Alpha":{"AutoPull":true},"__proto__":{"AutoPull":false},"constructor":{"AutoPull":true}}}')) as { Repositories: object };
    expect(own(decoded.Repositories)).toEqual(['Project.Alpha', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(decoded.Repositories, '__proto__')?.value).toEqual({ AutoPull: false });
    const map = decodeValueKeys(['State', 'Workspaces'], wire('{"a[dot]b":1,"__proto__":2}'));
    expect(own(map)).toEqual(['a.b', '__proto__']);

    const encoded = encodeValueKeys(['State'], { Repositories: dictFrom([['Project.Alpha', { AutoPull: true }], ['__proto__', { AutoPull: false }]]) });
    expect(JSON.stringify(encoded)).toBe('{"Repositories":{"Project[dot]Alpha":{"AutoPull":true},"__proto__":{"AutoPull":false}}}');
  });
});

describe('state schemas', () => {
  it('read Repositories, Clients and Workspaces named `__proto__` or `constructor` as plain keys', () => {
    const state = parseState('server', 'State', wire('{"Repositories":{"__proto__":{"AutoPull":true},"constructor":{"AutoPull":false},"A[dot]B":{"AutoPull":true}}}'));
    expect(state.ok).toBe(true);
    const repositories = (state.ok ? state.value : null) as { Repositories: Record<string, { AutoPull: boolean }> };
    expect(own(repositories.Repositories)).toEqual(['__proto__', 'constructor', 'A.B']);
    expect(Object.getPrototypeOf(repositories.Repositories)).toBeNull();
    expect(repositories.Repositories.constructor).toEqual({ AutoPull: false });

    const client = (name: string) => ({ Name: name, Status: STATUS });
    const clients = `{"__proto__":${JSON.stringify(client('__proto__'))},"constructor":${JSON.stringify(client('constructor'))}}`;
    const info = STATE_SCHEMAS.server.WorkspaceInfo.parse(decodeValueKeys(['WorkspaceInfo'], wire(`{"Status":${JSON.stringify(STATUS)},"Clients":${clients}}`)));
    expect(own(info.Clients)).toEqual(['__proto__', 'constructor']);
    // The documentation's array form of Clients (docs/PROTOCOL.md §4) is keyed by Name the same way.
    const listed = STATE_SCHEMAS.server.WorkspaceInfo.parse({ Status: STATUS, Clients: [client('__proto__'), client('toString')] });
    expect(own(listed.Clients)).toEqual(['__proto__', 'toString']);
    expect(Object.getPrototypeOf(listed.Clients)).toBeNull();

    const workspaces = STATE_SCHEMAS.client.State.parse(wire('{"Workspaces":{"__proto__":{"AutoPull":true}}}'));
    expect(own(workspaces.Workspaces)).toEqual(['__proto__']);
  });

  it('read a name nobody sent as absent, not as a member of Object.prototype', () => {
    const persistent = STATE_SCHEMAS.server.PersistentState.parse({ Repositories: {} });
    expect(persistent.Repositories.constructor).toBeUndefined();
    expect(persistent.Repositories.toString).toBeUndefined();
    expect('hasOwnProperty' in persistent.Repositories).toBe(false);
  });

  it('keep an `Integrations` entry and Configuration keys named `__proto__`', () => {
    const entry = {
      Name: 'x', Enabled: true, EndpointUrl: 'http://127.0.0.1/hook', Filter: '', Configuration: wire('{"__proto__":{"polluted":true},"constructor":1}'),
      TenantId: '', BatchSize: 1, TimeoutMs: 1000, Retry: { MaxAttempts: 1, InitialDelayMs: 0, Multiplier: 1 }, Repositories: [],
      SecretSet: true, Tracked: 0, Failed: 0, Pending: 0, Sync: null, LastDeliveryAt: null, LastError: null,
    };
    const decoded = decodeStateValue(['Integrations'], wire(`{"__proto__":${JSON.stringify(entry)},"a[dot]b":${JSON.stringify(entry)}}`));
    const parsed = IntegrationsState.parse(decoded);
    expect(own(parsed)).toEqual(['__proto__', 'a.b']);
    expect(own(parsed['__proto__']?.Configuration)).toEqual(['__proto__', 'constructor']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('report issues at the key, as z.record does', () => {
    const result = STATE_SCHEMAS.server.State.safeParse({ Repositories: { a: { AutoPull: 'yes' } } });
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['Repositories.a.AutoPull: Invalid input: expected boolean, received string']);
    expect(nameRecord(z.number()).safeParse([]).success).toBe(false);
  });
});

it('refuses integration names that are empty, reserved or hold control characters, naming the rule', () => {
  expect(integrationNameProblem('DAM.Main')).toBeNull();
  expect(integrationNameProblem('  ')).toMatch(/must not be empty/);
  for (const name of ['__proto__', 'constructor', 'prototype']) expect(integrationNameProblem(name)).toMatch(/__proto__, constructor and prototype are reserved/);
  expect(integrationNameProblem('a\u0007b')).toMatch(/control characters/);
  expect(integrationNameProblem('a\u0085b')).toMatch(/control characters/);
});

it('copyDict copies a map\'s own keys, `__proto__` among them, into a map without a prototype', () => {
  const source = wire('{"__proto__":{"a":1},"constructor":2,"STAGE-1":3}') as Record<string, unknown>;
  const copy = copyDict(source);
  expect(Object.getPrototypeOf(copy)).toBeNull();
  expect(own(copy)).toEqual(['__proto__', 'constructor', 'STAGE-1']);
  expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toBe(Object.getOwnPropertyDescriptor(source, '__proto__')?.value);
  copy['STAGE-1'] = 4;
  expect(source['STAGE-1']).toBe(3);
  // Inherited keys are not the map's own: not copied.
  expect(own(copyDict(Object.create({ inherited: 1 }) as Record<string, unknown>))).toEqual([]);
});
