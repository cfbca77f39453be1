/**
 * The integration Calls and Sets on AssetHubServer (PROTOCOL.md §5) as this view uses them. Every answer is checked
 * against the shared schema: an answer the panel cannot read is an error that says where, never half-shown data.
 * Every refusal keeps the service's code (UNKNOWN_INTEGRATION, INVALID_FILTER, CURSOR_EXPIRED, SET_REFUSED, …).
 */
import type { z } from 'zod';
import { QueryAssetsResult } from '../../../../shared/assethub/catalogue.ts';
import {
  CancelSyncResult,
  QueryIntegrationAssetsResult,
  ResyncAssetsResult,
  SyncAllAssetsResult,
  type TIntegrationConfig,
  type TIntegrationStatus,
} from '../../../../shared/assethub/integrations.ts';
import { SERVER_NAME } from '../../shell/selectors.ts';
import { errorInfo } from '../../shell/useCommand.ts';
import { usePanel } from '../../store/panel.ts';

export interface Failure { code: string; message: string }

export class CallError extends Error implements Failure {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export const failureOf = (error: unknown): Failure => (error instanceof CallError ? { code: error.code, message: error.message } : errorInfo(error));

async function call<S extends z.ZodType>(method: string, params: Record<string, unknown>, schema: S): Promise<z.infer<S>> {
  let result: unknown;
  try {
    result = await usePanel.getState().invoke('call', { service: SERVER_NAME, method, params });
  } catch (error) {
    const { code, message } = errorInfo(error);
    throw new CallError(code, message);
  }
  const parsed = schema.safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(the answer)'}: ${issue.message}` : 'unexpected shape';
    throw new CallError('INVALID_ANSWER', `${method} answered something this panel cannot read (${where})`);
  }
  return parsed.data;
}

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

/** Creates or replaces an integration; resolves when the server's Update shows it (SET_REFUSED with its reason otherwise). */
export async function saveIntegration(name: string, config: TIntegrationConfig): Promise<void> {
  try {
    await usePanel.getState().invoke('set', { service: SERVER_NAME, path: ['Integrations', name], value: config });
  } catch (error) {
    const { code, message } = errorInfo(error);
    throw new CallError(code, message);
  }
}

export async function setEnabled(name: string, enabled: boolean): Promise<void> {
  try {
    await usePanel.getState().invoke('set', { service: SERVER_NAME, path: ['Integrations', name, 'Enabled'], value: enabled });
  } catch (error) {
    const { code, message } = errorInfo(error);
    throw new CallError(code, message);
  }
}

/** Removes an integration: a Set of null, confirmed when the entry is gone from the server's state. */
export async function deleteIntegration(name: string): Promise<void> {
  try {
    await usePanel.getState().invoke('set', { service: SERVER_NAME, path: ['Integrations', name], value: null });
  } catch (error) {
    const { code, message } = errorInfo(error);
    throw new CallError(code, message);
  }
}
