/**
 * The integration Calls and Sets on AssetHubServer (docs/PROTOCOL.md §5) as this view uses them. Every answer is
 * checked against the shared schema: an answer the panel cannot read is an error that says where, never half-shown
 * data. Every refusal keeps the service's code (UNKNOWN_INTEGRATION, INVALID_FILTER, CURSOR_EXPIRED, SET_REFUSED, …).
 */
import { CheckFilterResult, QueryAssetsResult } from '../../../../shared/assethub/catalogue.ts';
import {
  CancelSyncResult,
  QueryIntegrationAssetsResult,
  ResyncAssetsResult,
  SyncAllAssetsResult,
  type TIntegrationConfig,
  type TIntegrationStatus,
} from '../../../../shared/assethub/integrations.ts';
import { callServer as call, setServer, type CallFailure } from '../../lib/serverCall.ts';

export type Failure = CallFailure;
export { failureOf } from '../../lib/serverCall.ts';

export interface AssetQuery { Integration: string; Status: TIntegrationStatus; Filter?: string; Cursor?: string; Limit: number }

export const queryIntegrationAssets = (q: AssetQuery) =>
  call('QueryIntegrationAssets', {
    Integration: q.Integration,
    Status: q.Status,
    Limit: q.Limit,
    ...(q.Filter ? { Filter: q.Filter } : {}),
    ...(q.Cursor ? { Cursor: q.Cursor } : {}),
  }, QueryIntegrationAssetsResult);

export const resyncAssets = (integration: string, assetIds: string[]) => call('ResyncAssets', { Integration: integration, AssetIds: assetIds }, ResyncAssetsResult);
export const resyncAllFailed = (integration: string) => call('ResyncAssets', { Integration: integration, AllFailed: true }, ResyncAssetsResult);
export const syncAllAssets = (integration: string) => call('SyncAllAssets', { Integration: integration }, SyncAllAssetsResult);
export const cancelSync = (integration: string) => call('CancelSync', { Integration: integration }, CancelSyncResult);
export const queryAssets = (params: { Repository: string; Branch: string; Filters: string; Cursor?: string; Limit: number }) =>
  call('QueryAssets', {
    Repository: params.Repository,
    Branch: params.Branch,
    Filters: params.Filters,
    Limit: params.Limit,
    ...(params.Cursor ? { Cursor: params.Cursor } : {}),
  }, QueryAssetsResult);

/** An integration filter's values looked up in the catalogue at the heads of these repositories (all when none). */
export const checkFilter = (filter: string, repositories: readonly string[]) =>
  call('CheckFilter', { Filter: filter, Repositories: [...repositories] }, CheckFilterResult);

/** Creates or replaces an integration; resolves when the server's Update shows it (SET_REFUSED with its reason otherwise). */
export const saveIntegration = (name: string, config: TIntegrationConfig): Promise<void> => setServer(['Integrations', name], config);

export const setEnabled = (name: string, enabled: boolean): Promise<void> => setServer(['Integrations', name, 'Enabled'], enabled);

/** Removes an integration: a Set of null, confirmed when the entry is gone from the server's state. */
export const deleteIntegration = (name: string): Promise<void> => setServer(['Integrations', name], null);
