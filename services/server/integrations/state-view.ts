/** How the `Integrations` state and QueryIntegrationAssets show an integration and a record (docs/PROTOCOL-EXTENSIONS.md). */
import type { TIntegrationAsset, TIntegrationEntry } from '../../../shared/assethub/integrations.ts';
import type { RecordRow, StatusCounts, SyncRow } from './db.ts';
import type { Loaded } from './pipeline.ts';
import { tallyFields } from './sync-tally.ts';

/** An integration's entry: its configuration (no Secret) with its live figures. */
export function integrationEntry(it: Loaded, counts: StatusCounts, s: SyncRow | null): TIntegrationEntry {
  const c = it.config;
  return {
    Name: it.name,
    Enabled: c.Enabled,
    EndpointUrl: c.EndpointUrl,
    Filter: c.Filter,
    Configuration: c.Configuration,
    TenantId: c.TenantId,
    BatchSize: c.BatchSize,
    TimeoutMs: c.TimeoutMs,
    Retry: c.Retry,
    Repositories: c.Repositories,
    SecretSet: c.Secret !== undefined,
    Tracked: counts.Tracked,
    Failed: counts.Failed,
    Pending: counts.Pending,
    Sync: s === null ? null : {
      Running: s.outcome === 'Running',
      Current: s.current,
      Total: s.total,
      Progress: s.total === 0 ? 1 : Math.min(1, s.current / s.total),
      StartedAt: s.startedAt,
      Outcome: s.outcome,
      ...tallyFields(s.tally),
    },
    LastDeliveryAt: it.lastDeliveryAt,
    LastError: it.lastError,
  };
}

/** A record as QueryIntegrationAssets returns it. */
export function assetEntry(r: RecordRow): TIntegrationAsset {
  let attempts: TIntegrationAsset['attempts'];
  try {
    attempts = JSON.parse(r.attemptLog) as TIntegrationAsset['attempts'];
  } catch {
    attempts = [];
  }
  return {
    assetId: r.assetId,
    status: r.status,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    attempts,
    ...(r.integrationState !== null ? { integrationState: r.integrationState } : {}),
    ...(r.assetStateHash !== null ? { assetStateHash: r.assetStateHash } : {}),
    revisionId: r.revisionId,
    ...(r.lastSyncedAt !== null ? { lastSyncedAt: r.lastSyncedAt } : {}),
    ...(r.status === 'Pending' && r.dueAt !== null ? { nextRetryAt: new Date(r.dueAt).toISOString() } : {}),
    repository: r.repository,
    branch: r.branch,
    uri: r.uri,
    action: r.action,
  };
}
