/**
 * What a Set of the `Integrations` state may do, checked before anything is written:
 * - `Integrations.<name>` with an IntegrationInput creates the integration (EndpointUrl and Secret required, the rest
 *   from INTEGRATION_DEFAULTS) or changes it (fields left out keep their value; `Retry` may be partial); null
 *   deletes it. The live fields of a Get (SecretSet, Tracked, Failed, Pending, Sync, LastDeliveryAt, LastError) may be
 *   sent back and are ignored; any other unknown field is refused. `Name`, when given, must be the key.
 * - `Integrations.<name>.<Field>[.<sub>]` sets one field of an existing integration.
 * - `Integrations` with an object applies each of its entries as above (entries not named are left alone).
 * Secret is write-only: a Set without it keeps the old one.
 */
import { z } from 'zod';
import {
  INTEGRATION_DEFAULTS, IntegrationConfig, type TIntegrationConfig,
} from '../../../shared/assethub/integrations.ts';
import { compileFilter, type CompiledFilter } from '../../../shared/rsql/filter.ts';
import { ServiceFailure } from '../../lib/failure.ts';
import { withValueAt } from '../states.ts';

export const LIVE_FIELDS = ['SecretSet', 'Tracked', 'Failed', 'Pending', 'Sync', 'LastDeliveryAt', 'LastError'] as const;
const CONFIG_FIELDS = Object.keys(IntegrationConfig.shape) as Array<keyof TIntegrationConfig>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const issues = (error: z.ZodError): string => error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');

/** An asset Filter compiled; INVALID_FILTER naming the part at fault. */
export function assetFilter(text: string): CompiledFilter {
  const compiled = compileFilter(text, 'assets');
  if (!compiled.ok) throw new ServiceFailure('INVALID_FILTER', `Filter: ${compiled.error.message} (at "${compiled.error.part}")`);
  return compiled.value;
}

/** The compiled Filter of an integration; INVALID_FILTER naming the part at fault. */
export function integrationFilter(text: string): CompiledFilter {
  const f = assetFilter(text);
  if (f.fromRevision !== null || f.toRevision !== null) {
    throw new ServiceFailure('INVALID_FILTER', 'Filter: exchange.snapshot.fromRevision/toRevision choose revisions; an integration always follows branch heads, so they are not allowed here');
  }
  return f;
}

/** Validates a whole configuration (Secret required) and its Filter. */
export function checkConfig(candidate: unknown, knownRepositories: ReadonlySet<string>): { config: TIntegrationConfig; filter: CompiledFilter } {
  const parsed = IntegrationConfig.safeParse(candidate);
  if (!parsed.success) throw new ServiceFailure('INVALID_PARAMS', issues(parsed.error));
  const config = parsed.data;
  if (config.Secret === undefined) throw new ServiceFailure('INVALID_PARAMS', 'Secret: a new integration needs a Secret (its deliveries are signed with it)');
  const unknown = config.Repositories.filter((r) => !knownRepositories.has(r));
  if (unknown.length > 0) throw new ServiceFailure('UNKNOWN_REPOSITORY', `Repositories: no repository ${unknown.map((r) => `"${r}"`).join(', ')}`);
  return { config, filter: integrationFilter(config.Filter) };
}

/** The configuration an entry Set leads to, from the current one (null for a new integration). */
export function resolveInput(name: string, current: TIntegrationConfig | null, input: unknown): unknown {
  if (!isObject(input)) throw new ServiceFailure('INVALID_PARAMS', `Integrations.${name}: expected an object (or null to delete it)`);
  const fields: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if ((LIVE_FIELDS as readonly string[]).includes(key)) continue;
    if (!(CONFIG_FIELDS as string[]).includes(key)) unknown.push(key);
    else if (value !== undefined) fields[key] = value;
  }
  if (unknown.length > 0) throw new ServiceFailure('INVALID_PARAMS', `Integrations.${name}: unknown field(s) ${unknown.join(', ')}`);
  if (fields.Name !== undefined && fields.Name !== name) {
    throw new ServiceFailure('INVALID_PARAMS', `Name "${String(fields.Name)}" differs from the key "${name}": an integration cannot be renamed`);
  }
  if (current === null && fields.EndpointUrl === undefined) throw new ServiceFailure('INVALID_PARAMS', 'EndpointUrl: a new integration needs an EndpointUrl');
  const base: Record<string, unknown> = current ?? { ...INTEGRATION_DEFAULTS, Retry: { ...INTEGRATION_DEFAULTS.Retry }, Repositories: [] };
  const retry = isObject(fields.Retry) && isObject(base.Retry) ? { ...base.Retry, ...fields.Retry } : fields.Retry ?? base.Retry;
  return { ...base, ...fields, Retry: retry, Name: name };
}

/** The configuration a Set of one field (`Integrations.<name>.<path…>`) leads to. */
export function resolveField(name: string, current: TIntegrationConfig, path: readonly string[], value: unknown): unknown {
  const field = path[0] ?? '';
  if ((LIVE_FIELDS as readonly string[]).includes(field)) throw new ServiceFailure('INVALID_PARAMS', `Integrations.${name}.${field} is live: it cannot be Set`);
  if (!(CONFIG_FIELDS as string[]).includes(field)) throw new ServiceFailure('INVALID_PARAMS', `Integrations.${name}: unknown field ${field}`);
  if (field === 'Name' && path.length === 1 && value !== name) throw new ServiceFailure('INVALID_PARAMS', 'an integration cannot be renamed');
  return withValueAt(current, path, value);
}
