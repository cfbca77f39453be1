/**
 * The Integrations view's data, without React: the server's `Integrations` state as rows, the configuration form
 * (text fields → a checked IntegrationConfig, with one message per field), and the words for attempts, durations,
 * retry schedules and JSON. Nothing here invents a value: what the server has not said is null.
 */
import {
  DEFAULT_RETRY,
  INTEGRATION_DEFAULTS,
  IntegrationConfig,
  type TIntegrationAsset,
  type TIntegrationConfig,
  type TIntegrationEntry,
  type TIntegrationStatus,
} from '../../../../shared/assethub/integrations.ts';
import { QUERY_LIMIT_MAX } from '../../../../shared/assethub/catalogue.ts';
import { compileFilter } from '../../../../shared/rsql/index.ts';
import { DEFAULT_EXAMPLES } from '../../components/RsqlFilterInput.tsx';
import { SERVER_NAME } from '../../lib/selectors.ts';
import type { PanelData } from '../../store/panel.ts';
import { assetNameOf, uriPath } from '../../../../shared/assethub/uri.ts';

export const STATUSES: readonly TIntegrationStatus[] = ['Failed', 'Pending', 'Tracked'];

export interface IntegrationRow {
  /** The key in the server's map: the name every Set and Call uses. */
  name: string;
  entry: TIntegrationEntry;
}

/**
 * The server's integrations by name, or null while the `Integrations` state has not been read (the engine caches it
 * only after validating it, so an entry here has every field of IntegrationEntry).
 */
export function integrationRows(data: PanelData | null): IntegrationRow[] | null {
  const state = data?.states[SERVER_NAME]?.['Integrations'] as Record<string, TIntegrationEntry> | undefined;
  if (!state) return null;
  return Object.keys(state)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => ({ name, entry: state[name] as TIntegrationEntry }));
}

/** Repository names the server reports (history or AutoPull), sorted. */
export function serverRepositories(data: PanelData | null): string[] {
  const server = data?.states[SERVER_NAME] as { PersistentState?: { Repositories: Record<string, unknown> }; State?: { Repositories: Record<string, unknown> } } | undefined;
  const names = new Set([...Object.keys(server?.PersistentState?.Repositories ?? {}), ...Object.keys(server?.State?.Repositories ?? {})]);
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** The branches of each repository, from the server's PersistentState. */
export function serverBranches(data: PanelData | null): Map<string, string[]> {
  const repos = (data?.states[SERVER_NAME] as { PersistentState?: { Repositories: Record<string, { Branches: Array<{ Name: string }> }> } } | undefined)?.PersistentState?.Repositories ?? {};
  return new Map(Object.entries(repos).map(([name, r]) => [name, r.Branches.map((b) => b.Name)]));
}

/** Where the integration looks: each followed repository (every one when it follows all) with each of its branches. */
export function scopesOf(entry: TIntegrationEntry, branches: ReadonlyMap<string, readonly string[]>): Array<{ repository: string; branch: string }> {
  const repos = entry.Repositories.length > 0 ? entry.Repositories : [...branches.keys()].sort((a, b) => a.localeCompare(b));
  return repos.flatMap((repository) => (branches.get(repository) ?? []).map((branch) => ({ repository, branch })));
}

// ---- words ----

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** 850 → "850 ms", 10000 → "10 s", 120000 → "2 min", 5400000 → "1 h 30 min", 86400000 → "1 d". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  const sec = s % 60;
  if (min < 60) return sec ? `${min} min ${sec} s` : `${min} min`;
  const h = Math.floor(min / 60);
  const m = min % 60;
  if (h < 24) return m ? `${h} h ${m} min` : `${h} h`;
  const d = Math.floor(h / 24);
  const hh = h % 24;
  return hh ? `${d} d ${hh} h` : `${d} d`;
}

/** "in 3 min" for a time ahead, "due now" once it has passed. */
export function untilText(time: number, now: number): string {
  const ms = time - now;
  return ms <= 999 ? 'due now' : `in ${duration(ms)}`;
}

/** The waits before each retry (InitialDelayMs × Multiplier^(n-1)), MaxAttempts − 1 of them. */
export function retryDelays(retry: TIntegrationConfig['Retry']): number[] {
  const out: number[] = [];
  for (let n = 1; n < retry.MaxAttempts; n++) out.push(retry.InitialDelayMs * retry.Multiplier ** (n - 1));
  return out;
}

/** "1 attempt, no retries" / "5 attempts: retries after 2 min, 4 min, 8 min, 16 min (30 min in all)". */
export function retrySummary(retry: TIntegrationConfig['Retry']): string {
  const delays = retryDelays(retry);
  if (delays.length === 0) return '1 attempt, no retries';
  const shown = delays.length > 6 ? [...delays.slice(0, 5).map(duration), '…', duration(delays.at(-1) as number)] : delays.map(duration);
  const total = delays.reduce((a, b) => a + b, 0);
  return `${plural(retry.MaxAttempts, 'attempt')}: retries after ${shown.join(', ')} (${duration(total)} in all)`;
}

/** Attempts, oldest first (as they happened, whatever order they came in). */
export function attemptsInOrder(asset: TIntegrationAsset): TIntegrationAsset['attempts'] {
  return [...asset.attempts].sort((a, b) => (Date.parse(a.at) || 0) - (Date.parse(b.at) || 0));
}

export const lastAttempt = (asset: TIntegrationAsset): TIntegrationAsset['attempts'][number] | null => attemptsInOrder(asset).at(-1) ?? null;

/** What an attempt came to: "HTTP 500", "HTTP 200", or the error (timeout, refused connection, bad answer). */
export function attemptOutcome(attempt: TIntegrationAsset['attempts'][number]): { text: string; ok: boolean } {
  if (attempt.error) {
    if (attempt.httpStatus === null) return { text: attempt.error, ok: false };
    // The error may already start with the status ("HTTP 500: …"): say it once.
    const rest = attempt.error.replace(new RegExp(`^HTTP ${attempt.httpStatus}:?\\s*`), '');
    return { text: rest ? `HTTP ${attempt.httpStatus}: ${rest}` : `HTTP ${attempt.httpStatus}`, ok: false };
  }
  if (attempt.httpStatus !== null) return { text: `HTTP ${attempt.httpStatus}`, ok: attempt.httpStatus >= 200 && attempt.httpStatus < 300 };
  return { text: 'no answer recorded', ok: false };
}

/** The start of a response body, cut at `max` characters, with whitespace runs folded. */
export function snippet(text: string | null, max = 240): string | null {
  if (text === null || text === '') return null;
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length > max ? `${folded.slice(0, max)}…` : folded;
}

/** Pretty-printed JSON when the text parses, else the text as it is. */
export function prettyJson(text: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}

/** `FileSystem:/Content/Textures/T_Sky.png` → `T_Sky.png` (the whole URI when it has no segment). */
export const assetName = (uri: string): string => assetNameOf(uri) || uri;
/** `FileSystem:/Content/Textures/T_Sky.png` → `Content/Textures/T_Sky.png`. */
export const assetPath = uriPath;

// ---- filters ----

/**
 * Integration filters and list filters are matched against each asset at its branch head: revision selectors are
 * refused by the server (INVALID_FILTER), so they are explained here before anything is sent.
 */
export function revisionProblem(text: string): string | null {
  const compiled = compileFilter(text, 'assets');
  if (!compiled.ok) return null;
  return compiled.value.fromRevision !== null || compiled.value.toRevision !== null
    ? 'exchange.snapshot.fromRevision / toRevision choose revisions: integrations always follow the branch heads, so they cannot be used here.'
    : null;
}

/** The catalogue's example filters without the revision ones. */
export const FILTER_EXAMPLES = DEFAULT_EXAMPLES.assets.filter((e) => !e.text.includes('exchange.snapshot'));

// ---- the configuration form ----

/** What the editor holds: text as typed, so a half-typed number is shown as typed and explained, never coerced. */
export interface ConfigForm {
  Name: string;
  Enabled: boolean;
  EndpointUrl: string;
  Filter: string;
  Configuration: string;
  TenantId: string;
  /** Empty: keep the stored secret (a new integration needs one). */
  Secret: string;
  BatchSize: string;
  TimeoutMs: string;
  MaxAttempts: string;
  InitialDelayMs: string;
  Multiplier: string;
  Repositories: string[];
}

export type FormField = keyof ConfigForm;

export function formOf(entry: TIntegrationEntry | null): ConfigForm {
  const e = entry;
  const retry = e?.Retry ?? DEFAULT_RETRY;
  return {
    Name: e?.Name ?? '',
    Enabled: e?.Enabled ?? INTEGRATION_DEFAULTS.Enabled,
    EndpointUrl: e?.EndpointUrl ?? '',
    Filter: e?.Filter ?? INTEGRATION_DEFAULTS.Filter,
    Configuration: JSON.stringify(e?.Configuration ?? INTEGRATION_DEFAULTS.Configuration, null, 2),
    TenantId: e?.TenantId ?? INTEGRATION_DEFAULTS.TenantId,
    Secret: '',
    BatchSize: String(e?.BatchSize ?? INTEGRATION_DEFAULTS.BatchSize),
    TimeoutMs: String(e?.TimeoutMs ?? INTEGRATION_DEFAULTS.TimeoutMs),
    MaxAttempts: String(retry.MaxAttempts),
    InitialDelayMs: String(retry.InitialDelayMs),
    Multiplier: String(retry.Multiplier),
    Repositories: [...(e?.Repositories ?? INTEGRATION_DEFAULTS.Repositories)],
  };
}

/** A number typed in a field: NaN when it is not one (empty, "1e", "abc"). */
const numberOf = (text: string): number => (/^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN);

/** Where the JSON parser stopped, as "line L, column C", when its message gives a position. */
function jsonProblem(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = /position (\d+)/.exec(message);
  if (!at || /line \d+/.test(message)) return message;
  const pos = Number(at[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

export function endpointProblem(text: string): string | null {
  const url = text.trim();
  if (url === '') return 'The endpoint URL is required.';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Not a URL: write it in full, e.g. https://receiver.example.com/hooks/assets';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return url.includes('://') ? `Must be an http:// or https:// URL, not ${parsed.protocol}//.` : 'Not a full URL: start it with http:// or https://, e.g. https://receiver.example.com/hooks/assets';
  }
  if (!parsed.hostname) return 'The URL has no host.';
  return null;
}

export interface FormCheck {
  /** The configuration to send (Secret only when typed), when every field is valid. */
  config: TIntegrationConfig | null;
  errors: Partial<Record<FormField, string>>;
}

/**
 * Checks the form as the server will (IntegrationConfig) and says per field what is wrong. `filterProblem` is the
 * RSQL check of the filter input (the same compiler the server uses); `taken` are the names of other integrations
 * (a new one may not replace one of them by accident).
 */
export function checkForm(form: ConfigForm, options: { isNew: boolean; taken: readonly string[]; filterProblem: string | null }): FormCheck {
  const errors: Partial<Record<FormField, string>> = {};
  const name = form.Name.trim();
  if (name === '') errors.Name = 'A name is required.';
  else if (options.isNew && options.taken.includes(name)) errors.Name = `An integration named “${name}” already exists: edit it instead.`;
  if (options.isNew && form.Secret === '') errors.Secret = 'A new integration needs a secret: every delivery is signed with it.';
  const endpoint = endpointProblem(form.EndpointUrl);
  if (endpoint) errors.EndpointUrl = endpoint;
  if (options.filterProblem) errors.Filter = options.filterProblem;

  let configuration: unknown = null;
  try {
    configuration = JSON.parse(form.Configuration.trim() === '' ? '{}' : form.Configuration);
    if (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration)) {
      errors.Configuration = `Must be a JSON object ({ … }), not ${Array.isArray(configuration) ? 'an array' : configuration === null ? 'null' : `a ${typeof configuration}`}.`;
    }
  } catch (error) {
    errors.Configuration = jsonProblem(form.Configuration, error);
  }

  const ints: Array<[FormField, string, number, number]> = [
    ['BatchSize', 'Batch size', 1, QUERY_LIMIT_MAX],
    ['TimeoutMs', 'Timeout', 100, 300_000],
    ['MaxAttempts', 'Attempts', 1, 20],
    ['InitialDelayMs', 'First retry delay', 0, 86_400_000],
  ];
  const numbers: Partial<Record<FormField, number>> = {};
  for (const [field, label, min, max] of ints) {
    const n = numberOf(form[field] as string);
    if (!Number.isInteger(n)) errors[field] = `${label}: a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}.`;
    else if (n < min || n > max) errors[field] = `${label} must be from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}.`;
    else numbers[field] = n;
  }
  const multiplier = numberOf(form.Multiplier);
  if (Number.isNaN(multiplier) || multiplier < 1 || multiplier > 10) errors.Multiplier = 'Backoff multiplier: a number from 1 to 10.';

  if (Object.keys(errors).length > 0) return { config: null, errors };
  const candidate = {
    Name: name,
    Enabled: form.Enabled,
    EndpointUrl: form.EndpointUrl.trim(),
    Filter: form.Filter.trim(),
    Configuration: configuration as Record<string, unknown>,
    TenantId: form.TenantId.trim(),
    ...(form.Secret !== '' ? { Secret: form.Secret } : {}),
    BatchSize: numbers.BatchSize as number,
    TimeoutMs: numbers.TimeoutMs as number,
    Retry: { MaxAttempts: numbers.MaxAttempts as number, InitialDelayMs: numbers.InitialDelayMs as number, Multiplier: multiplier },
    Repositories: [...form.Repositories],
  };
  // The shared schema has the last word: what it refuses, the server refuses too.
  const parsed = IntegrationConfig.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const top = String(issue.path[0] ?? 'Name');
      const field = (top === 'Retry' ? String(issue.path[1] ?? 'MaxAttempts') : top) as FormField;
      errors[field] ??= issue.message;
    }
    return { config: null, errors };
  }
  return { config: parsed.data, errors };
}

/** The fields of a stored entry that an editor shows, to tell whether it changed on the server meanwhile. */
export function configSignature(entry: TIntegrationEntry | undefined): string {
  if (!entry) return '';
  const { Name, Enabled, EndpointUrl, Filter, Configuration, TenantId, BatchSize, TimeoutMs, Retry, Repositories, SecretSet } = entry;
  return JSON.stringify({ Name, Enabled, EndpointUrl, Filter, Configuration, TenantId, BatchSize, TimeoutMs, Retry, Repositories, SecretSet });
}
