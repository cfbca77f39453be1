/**
 * What a state's schema alone does not say, but every reader and writer of the state must know: declared here, next
 * to the schemas, for every state of every kind of service, so that the panel engine reads them instead of naming
 * states (docs/PROTOCOL.md §1, §5).
 */
import { own } from '../dict.ts';
import { INTEGRATIONS_TRAITS } from './integrations.ts';
import type { StateName } from './states.ts';

export interface StateTraits {
  /**
   * The state is itself a map of entries keyed by name (docs/PROTOCOL.md §5: `Integrations`), not an object of named
   * fields: its keys are names (`[dot]`-encoded on the wire) and a path's first segment below the state names an entry.
   */
  readonly keyedByName: boolean;
  /** A Set or Update of one entry (a path of one segment below the state) with null removes that entry. */
  readonly removableByNull: boolean;
  /**
   * Fields a Set may carry that no Get or Update shows (a secret), each with the boolean field shown instead: true when
   * a non-empty value is stored. They are fields of each entry when the state is keyed by name, else of the state.
   */
  readonly writeOnly: Readonly<Record<string, string>>;
}

/** A state with none of the traits: an object of named fields, every field readable. */
export const PLAIN_STATE: StateTraits = Object.freeze({ keyedByName: false, removableByNull: false, writeOnly: Object.freeze({}) });

/** Traits by kind of service, then state name. */
export type StateTraitsTable = Readonly<Record<string, Readonly<Record<string, StateTraits>>>>;

/** Every state a panel reads (stateNamesOf), with its traits: a state added to a kind needs its line here. */
export const STATE_TRAITS = {
  server: { State: PLAIN_STATE, WorkspaceInfo: PLAIN_STATE, PersistentState: PLAIN_STATE, AssetInfo: PLAIN_STATE, Integrations: INTEGRATIONS_TRAITS },
  client: { State: PLAIN_STATE, WorkspaceInfo: PLAIN_STATE, PersistentState: PLAIN_STATE, AssetInfo: PLAIN_STATE },
} as const satisfies { server: Record<StateName | 'Integrations', StateTraits>; client: Record<StateName, StateTraits> };

/** The traits of a state of a kind of service (in `table`, STATE_TRAITS unless a test gives another); none declared: a plain state. */
export const stateTraitsOf = (kind: string, state: string, table: StateTraitsTable = STATE_TRAITS): StateTraits => {
  const states = own(table, kind);
  return (states && own(states, state)) ?? PLAIN_STATE;
};

/** Every write-only field name of every state in the table: what a log must never show, whatever the state. */
export function writeOnlyFields(table: StateTraitsTable = STATE_TRAITS): string[] {
  const names = new Set<string>();
  for (const states of Object.values(table)) for (const traits of Object.values(states)) for (const field of Object.keys(traits.writeOnly)) names.add(field);
  return [...names].sort();
}

/** Names of the states, of any kind, that are keyed by name: their top-level keys are names. */
export function keyedStateNames(table: StateTraitsTable = STATE_TRAITS): ReadonlySet<string> {
  const names = new Set<string>();
  for (const states of Object.values(table)) for (const [state, traits] of Object.entries(states)) if (traits.keyedByName) names.add(state);
  return names;
}
