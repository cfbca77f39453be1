import { describe, expect, it } from 'vitest';
import { IntegrationConfig, IntegrationEntry, IntegrationInput, IntegrationsState, INTEGRATIONS_TRAITS } from './integrations.ts';
import { PLAIN_STATE, STATE_TRAITS, keyedStateNames, stateTraitsOf, writeOnlyFields, type StateTraitsTable } from './state-traits.ts';
import { decodeStateValue, stateNamesOf, stateSchemaOf } from './validate.ts';

const KINDS = ['server', 'client'] as const;

describe('STATE_TRAITS', () => {
  it.each(KINDS)('declares the traits of every state a panel reads of a %s, and of no other', (kind) => {
    expect(Object.keys(STATE_TRAITS[kind]).sort()).toEqual([...stateNamesOf(kind)].sort());
  });

  it('the documented four states are plain: objects of named fields, all readable', () => {
    for (const kind of KINDS) {
      for (const state of ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo']) expect(stateTraitsOf(kind, state), `${kind} ${state}`).toEqual(PLAIN_STATE);
    }
  });

  it('Integrations: entries keyed by name, removed by null, Secret write-only and shown as SecretSet', () => {
    expect(stateTraitsOf('server', 'Integrations')).toBe(INTEGRATIONS_TRAITS);
    expect(INTEGRATIONS_TRAITS).toEqual({ keyedByName: true, removableByNull: true, writeOnly: { Secret: 'SecretSet' } });
    expect(stateTraitsOf('client', 'Integrations')).toEqual(PLAIN_STATE);
  });

  it('agrees with the schemas: a write-only field is taken by a Set, never shown, and its flag is', () => {
    for (const kind of KINDS) {
      for (const [state, traits] of Object.entries(STATE_TRAITS[kind])) {
        if (traits.removableByNull) expect(traits.keyedByName, `${state}: only entries are removed`).toBe(true);
        if (traits.keyedByName) expect(stateSchemaOf(kind, state)?.safeParse({}).success, `${state} is a map`).toBe(true);
        for (const [field, flag] of Object.entries(traits.writeOnly)) expect(flag).not.toBe(field);
      }
    }
    // The one state with write-only fields today: its schemas say the same as its traits.
    expect(Object.keys(IntegrationConfig.shape)).toContain('Secret');
    expect(Object.keys(IntegrationEntry.shape)).not.toContain('Secret');
    expect(IntegrationEntry.shape.SecretSet.safeParse(true).success).toBe(true);
    expect(IntegrationInput.safeParse(null).success).toBe(true);
    const shown = IntegrationsState.parse({ H: { ...entry('H'), Secret: 'leak' } });
    expect(shown.H).not.toHaveProperty('Secret');
  });
});

describe('stateTraitsOf', () => {
  it('a state or kind without declared traits is plain, names from the wire included', () => {
    expect(stateTraitsOf('server', 'Unknown')).toBe(PLAIN_STATE);
    expect(stateTraitsOf('hub', 'Stats')).toBe(PLAIN_STATE);
    expect(stateTraitsOf('server', '__proto__')).toBe(PLAIN_STATE);
    expect(stateTraitsOf('server', 'constructor')).toBe(PLAIN_STATE);
    expect(stateTraitsOf('constructor', 'State')).toBe(PLAIN_STATE);
  });

  it('reads another table when given one', () => {
    const token = { keyedByName: false, removableByNull: false, writeOnly: { Token: 'TokenSet' } };
    const table: StateTraitsTable = { hub: { Stats: token } };
    expect(stateTraitsOf('hub', 'Stats', table)).toBe(token);
    expect(stateTraitsOf('server', 'Integrations', table)).toBe(PLAIN_STATE);
    expect(writeOnlyFields(table)).toEqual(['Token']);
    expect(keyedStateNames(table)).toEqual(new Set());
  });

  it('lists every write-only field and every keyed state of the shared table', () => {
    expect(writeOnlyFields()).toEqual(['Secret']);
    expect(keyedStateNames()).toEqual(new Set(['Integrations']));
  });
});

describe('decodeStateValue', () => {
  it("decodes the top-level keys of the states keyed by name, by the traits' list", () => {
    expect(decodeStateValue(['Integrations'], { 'a[dot]b': 1 })).toEqual({ 'a.b': 1 });
    expect(decodeStateValue(['Integrations'], { 'a[dot]b': 1 }, new Set())).toEqual({ 'a[dot]b': 1 });
    expect(decodeStateValue(['Stats'], { 'a[dot]b': 1 }, new Set(['Stats']))).toEqual({ 'a.b': 1 });
  });
});

function entry(name: string) {
  return {
    Name: name, Enabled: true, EndpointUrl: 'http://127.0.0.1:9/hook', Filter: '', Configuration: {}, TenantId: 't1',
    BatchSize: 50, TimeoutMs: 10_000, Retry: { MaxAttempts: 5, InitialDelayMs: 1000, Multiplier: 2 }, Repositories: [],
    SecretSet: false, Tracked: 0, Failed: 0, Pending: 0, Sync: null, LastDeliveryAt: null, LastError: null,
  };
}
