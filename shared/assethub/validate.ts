/** Validating a whole state Value of a named service, with `[dot]` keys decoded first. */
import type { z } from 'zod';
import { decodeValueKeys } from '../protocol/dot.ts';
import { CLIENT_SERVICE, SERVER_NAME, parseServiceName } from '../protocol/names.ts';
import { err, ok, type Result } from '../result.ts';
import { STATE_SCHEMAS, type ServiceKind, type StateName, isStateName } from './states.ts';

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
 * Decodes the `[dot]` keys of a whole state's Value as received and validates it against the seed's schema for that
 * kind of service.
 */
export function parseState(kind: ServiceKind, stateName: StateName, wireValue: unknown): Result<unknown, StateProblem> {
  const result = STATE_SCHEMAS[kind][stateName].safeParse(decodeValueKeys([stateName], wireValue));
  return result.success ? ok(result.data) : err({ state: stateName, issues: formatIssues(result.error) });
}

export const parseStateByName = (kind: ServiceKind, name: string, wireValue: unknown): Result<unknown, StateProblem> =>
  isStateName(name) ? parseState(kind, name, wireValue) : err({ state: name, issues: [`unknown state "${name}"`] });
