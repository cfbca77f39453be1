/** Validating a whole state Value of a named service, with `[dot]` keys decoded first. */
import type { z } from 'zod';
import { dictFrom } from '../dict.ts';
import { decodeKey, decodeValueKeys } from '../protocol/dot.ts';
import { CLIENT_SERVICE, SERVER_NAME, parseServiceName } from '../protocol/names.ts';
import { err, ok, type Result } from '../result.ts';
import { IntegrationsState } from './integrations.ts';
import { keyedStateNames } from './state-traits.ts';
import { PART_SCHEMAS, STATE_NAMES, STATE_SCHEMAS, type ServiceKind, type StateName, isStateName } from './states.ts';

export function serviceKindOf(serviceName: string): ServiceKind | null {
  if (serviceName === SERVER_NAME) return 'server';
  return parseServiceName(serviceName)?.service === CLIENT_SERVICE ? 'client' : null;
}

export interface StateProblem {
  state: string;
  /** One line per issue: `path: message`. */
  issues: string[];
}

export function formatIssues(error: z.core.$ZodError): string[] {
  return error.issues.slice(0, 20).map((i) => `${i.path.length ? i.path.join('.') : '(value)'}: ${i.message}`);
}

/**
 * Decodes the `[dot]` keys of a whole state's Value as received and validates it against the documented schema for that
 * kind of service.
 */
export function parseState(kind: ServiceKind, stateName: StateName, wireValue: unknown): Result<unknown, StateProblem> {
  const result = STATE_SCHEMAS[kind][stateName].safeParse(decodeValueKeys([stateName], wireValue));
  return result.success ? ok(result.data) : err({ state: stateName, issues: formatIssues(result.error) });
}

/**
 * States a server has beyond the four documented ones (docs/PROTOCOL.md §4): `Integrations` (docs/PROTOCOL.md §5). A
 * panel reads, caches and validates them like those.
 */
export const SERVER_EXTRA_STATES = { Integrations: IntegrationsState } as const;
const SERVER_STATE_NAMES: readonly string[] = [...STATE_NAMES, ...Object.keys(SERVER_EXTRA_STATES)];

/** Every state a panel reads of a kind of service. */
export const stateNamesOf = (kind: ServiceKind): readonly string[] => (kind === 'server' ? SERVER_STATE_NAMES : STATE_NAMES);

/** The schema of a state of a kind of service (decoded Value), or null when that kind has no such state. */
export function stateSchemaOf(kind: ServiceKind, name: string): z.ZodType | null {
  if (isStateName(name)) return STATE_SCHEMAS[kind][name];
  if (kind === 'server' && Object.prototype.hasOwnProperty.call(SERVER_EXTRA_STATES, name)) return SERVER_EXTRA_STATES[name as keyof typeof SERVER_EXTRA_STATES];
  return null;
}

/**
 * The schema of the value at `path` below a state (`['Clients', name]`, `['Status']`) when that part is validated on
 * its own (PART_SCHEMAS); null for any other path, whose Update is validated with its whole state.
 */
export function partSchemaOf(kind: ServiceKind, state: string, path: readonly string[]): z.ZodType | null {
  if (state !== 'WorkspaceInfo') return null;
  const parts = PART_SCHEMAS[kind][state];
  const [first, key] = path;
  if (first === undefined) return null;
  if (path.length === 1) return Object.prototype.hasOwnProperty.call(parts.fields, first) ? parts.fields[first as keyof typeof parts.fields] : null;
  if (path.length === 2 && key !== undefined && Object.prototype.hasOwnProperty.call(parts.entries, first)) {
    return (parts.entries as Record<string, z.ZodType>)[first] ?? null;
  }
  return null;
}

/** States that are themselves a marked map (their traits say keyedByName: the `Integrations` state, docs/PROTOCOL.md §5). */
const MAP_STATES = keyedStateNames();

/**
 * Decodes the `[dot]` keys of a Value at a decoded Name path: decodeValueKeys, plus the top-level keys of a state that
 * is itself a marked map (`Integrations`; `keyed`: the states whose traits say so), which decodeValueKeys leaves as they are. A key without `[` decodes to
 * itself, so a service that sends such names unencoded reads the same.
 */
export function decodeStateValue(path: readonly string[], wireValue: unknown, keyed: ReadonlySet<string> = MAP_STATES): unknown {
  const value = decodeValueKeys(path, wireValue);
  if (path.length !== 1 || !keyed.has(path[0] as string) || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const map = value as Record<string, unknown>;
  if (!Object.keys(map).some((k) => k.includes('['))) return map;
  return dictFrom(Object.entries(map).map(([k, v]) => [decodeKey(k), v] as const));
}

export function parseStateByName(kind: ServiceKind, name: string, wireValue: unknown): Result<unknown, StateProblem> {
  if (isStateName(name)) return parseState(kind, name, wireValue);
  const schema = stateSchemaOf(kind, name);
  if (!schema) return err({ state: name, issues: [`unknown state "${name}"`] });
  const result = schema.safeParse(decodeStateValue([name], wireValue));
  return result.success ? ok(result.data) : err({ state: name, issues: formatIssues(result.error) });
}
