/**
 * Managed integrations (docs/PROTOCOL.md §5): the `Integrations` state of AssetHubServer, the webhook contract
 * (request body and response exactly as documented) and the Calls QueryIntegrationAssets, ResyncAssets,
 * SyncAllAssets and CancelSync. What the documentation leaves open is decided in docs/PROTOCOL-EXTENSIONS.md.
 */
import { z } from 'zod';
import { nameRecord } from '../dict.ts';
import { Asset, Pagination, QUERY_LIMIT_MAX } from './catalogue.ts';
import type { StateTraits } from './state-traits.ts';

export const IntegrationStatus = z.enum(['Tracked', 'Failed', 'Pending']);
export type TIntegrationStatus = z.infer<typeof IntegrationStatus>;

const HttpUrl = z.string().url().refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL');

/** Backoff between attempts: InitialDelayMs × Multiplier^(n-1), at most MaxAttempts attempts in all. */
export const RetryPolicy = z.object({
  MaxAttempts: z.number().int().min(1).max(20),
  InitialDelayMs: z.number().int().min(0).max(86_400_000),
  Multiplier: z.number().min(1).max(10),
});
export const DEFAULT_RETRY = { MaxAttempts: 5, InitialDelayMs: 120_000, Multiplier: 2 } as const; // 2+4+8+16 = 30 min

/** What an operator sets. `Secret` is write-only: Get shows `SecretSet` instead; a Set without it keeps the old one. */
export const IntegrationConfig = z.object({
  Name: z.string().min(1),
  Enabled: z.boolean(),
  EndpointUrl: HttpUrl,
  /** RSQL over asset fields (docs/PROTOCOL.md §6 selectors); empty = every asset. */
  Filter: z.string(),
  Configuration: nameRecord(z.unknown()),
  TenantId: z.string(),
  Secret: z.string().min(1).optional(),
  BatchSize: z.number().int().min(1).max(QUERY_LIMIT_MAX),
  TimeoutMs: z.number().int().min(100).max(300_000),
  Retry: RetryPolicy,
  /** Repositories the integration follows (every branch of each); empty = all. */
  Repositories: z.array(z.string().min(1)),
});
export type TIntegrationConfig = z.infer<typeof IntegrationConfig>;

/** Names that are confusing as keys of a map (they name Object.prototype's members). */
const RESERVED_INTEGRATION_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Why a name cannot name an integration (a Set of it is refused with this text), or null when it can. */
export function integrationNameProblem(name: string): string | null {
  if (name.trim() === '') return 'an integration name must not be empty or only white space';
  if (RESERVED_INTEGRATION_NAMES.includes(name)) return `${JSON.stringify(name)} cannot name an integration: __proto__, constructor and prototype are reserved`;
  if (/\p{Cc}/u.test(name)) return `${JSON.stringify(name)} cannot name an integration: an integration name must not contain control characters`;
  return null;
}

export const SyncProgress = z.object({
  Running: z.boolean(),
  Current: z.number().int().nonnegative(),
  Total: z.number().int().nonnegative(),
  Progress: z.number().min(0).max(1),
  StartedAt: z.string(),
  /** How it ended when not running: Completed or Cancelled. */
  Outcome: z.enum(['Running', 'Completed', 'Cancelled']),
  /**
   * What this Sync all's own sends came to (of Current): delivered and Tracked; Failed for good (retries used up),
   * counted per reason in FailedReasons; left Pending (retries to go, or work already queued). Later retries show in
   * the integration's Tracked/Failed/Pending, not here.
   */
  Delivered: z.number().int().nonnegative(),
  Failed: z.number().int().nonnegative(),
  Pending: z.number().int().nonnegative(),
  FailedReasons: nameRecord(z.number().int().nonnegative()),
});
export type TSyncProgress = z.infer<typeof SyncProgress>;

/** One entry of the `Integrations` state as Get returns it: the configuration without Secret, plus live figures. */
export const IntegrationEntry = IntegrationConfig.omit({ Secret: true }).extend({
  SecretSet: z.boolean(),
  Tracked: z.number().int().nonnegative(),
  Failed: z.number().int().nonnegative(),
  Pending: z.number().int().nonnegative(),
  Sync: SyncProgress.nullable(),
  LastDeliveryAt: z.string().nullable(),
  LastError: z.string().nullable(),
});
export type TIntegrationEntry = z.infer<typeof IntegrationEntry>;

/** The `Integrations` state: keyed by integration name (a marked map: `[dot]` rule applies). */
export const IntegrationsState = nameRecord(IntegrationEntry);

/**
 * Its traits (./state-traits.ts): entries keyed by integration name, an entry removed by a Set of null (see
 * IntegrationInput), and `Secret` write-only: Get and Update show `SecretSet` instead.
 */
export const INTEGRATIONS_TRAITS = {
  keyedByName: true,
  removableByNull: true,
  writeOnly: { Secret: 'SecretSet' },
} as const satisfies StateTraits;

/**
 * What a Set of `Integrations.<name>` accepts: a configuration (live fields, if sent back from a Get, are ignored),
 * or null to remove the integration. Fields left out keep their current value or take the defaults.
 */
export const IntegrationInput = IntegrationConfig.partial().passthrough().nullable();

export const INTEGRATION_DEFAULTS = {
  Enabled: true,
  Filter: '',
  Configuration: {},
  TenantId: '',
  BatchSize: 50,
  TimeoutMs: 10_000,
  Retry: DEFAULT_RETRY,
  Repositories: [] as string[],
} as const;

// ---- the webhook contract (docs/PROTOCOL.md §5) ----

export const SyncType = z.enum(['sync', 'deleted']);
export const DeliveryAction = z.object({
  type: SyncType,
  asset: Asset,
  integrationState: z.string().nullable(),
  assetStateHash: z.string().nullable(),
  assetId: z.string(),
});
export const DeliveryBody = z.object({
  actions: z.array(DeliveryAction),
  configuration: nameRecord(z.unknown()),
  tenantId: z.string(),
});
export type TDeliveryBody = z.infer<typeof DeliveryBody>;
export const DeliveryResponse = z.object({
  Items: z.array(z.object({ AssetId: z.string(), IntegrationState: z.string() })),
});

export const SIGNATURE_HEADER = 'X-AssetHub-Signature';
export const DELIVERY_HEADER = 'X-AssetHub-Delivery';
/** A receiver refuses signatures older than this (replay protection). */
export const SIGNATURE_TOLERANCE_S = 300;

// ---- Calls ----

export const DeliveryAttempt = z.object({
  at: z.string(),
  deliveryId: z.string(),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  response: z.string().nullable(),
});

export const IntegrationAsset = z.object({
  assetId: z.string(),
  status: IntegrationStatus,
  reason: z.string().optional(),
  attempts: z.array(DeliveryAttempt),
  integrationState: z.string().optional(),
  assetStateHash: z.string().optional(),
  revisionId: z.string(),
  lastSyncedAt: z.string().optional(),
  nextRetryAt: z.string().optional(),
  repository: z.string(),
  branch: z.string(),
  uri: z.string(),
  action: SyncType,
});
export type TIntegrationAsset = z.infer<typeof IntegrationAsset>;

export const QueryIntegrationAssetsParams = z.object({
  Integration: z.string().min(1),
  Status: IntegrationStatus,
  Filter: z.string().optional(),
  Cursor: z.string().min(1).optional(),
  Limit: z.number().int().min(1).max(QUERY_LIMIT_MAX).optional(),
});
export const QueryIntegrationAssetsResult = z.object({ pagination: Pagination, results: z.array(IntegrationAsset) });

/** Re-sync now: the listed assets, or every Failed one. */
export const ResyncAssetsParams = z.union([
  z.object({ Integration: z.string().min(1), AssetIds: z.array(z.string().min(1)).min(1).max(10_000) }),
  z.object({ Integration: z.string().min(1), AllFailed: z.literal(true) }),
]);
export const ResyncAssetsResult = z.object({ Queued: z.number().int().nonnegative() });
export const SyncAllAssetsParams = z.object({ Integration: z.string().min(1) });
export const SyncAllAssetsResult = z.object({ Total: z.number().int().nonnegative() });
export const CancelSyncParams = z.object({ Integration: z.string().min(1) });
export const CancelSyncResult = z.object({ Cancelled: z.boolean() });
