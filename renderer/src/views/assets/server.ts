/**
 * The catalogue Calls on AssetHubServer as the Assets view uses them: each answer is checked against the shared
 * schema (a mismatch is an error that says where, never half-shown data), each refusal carries the service's code.
 */
import type { z } from 'zod';
import {
  ExportAssetsResult,
  ImportAssetsResult,
  QueryAssetsResult,
  QueryRelationshipsResult,
} from '../../../../shared/assethub/catalogue.ts';
import { QueryIntegrationAssetsResult } from '../../../../shared/assethub/integrations.ts';
import { SERVER_NAME } from '../../shell/selectors.ts';
import { errorInfo } from '../../shell/useCommand.ts';
import { usePanel } from '../../store/panel.ts';
import type { CallFailure } from './model.ts';

/** An Error with the service's code, so callers (and loadMore) can tell CURSOR_EXPIRED from the rest. */
export class ServerCallError extends Error implements CallFailure {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export const asFailure = (error: unknown): CallFailure =>
  error instanceof ServerCallError ? { code: error.code, message: error.message } : errorInfo(error);

async function call<S extends z.ZodTypeAny>(method: string, params: Record<string, unknown>, schema: S): Promise<z.infer<S>> {
  let result: unknown;
  try {
    result = await usePanel.getState().invoke('call', { service: SERVER_NAME, method, params });
  } catch (error) {
    const { code, message } = errorInfo(error);
    throw new ServerCallError(code, message);
  }
  const parsed = schema.safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(the answer)'}: ${issue.message}` : 'unexpected shape';
    throw new ServerCallError('INVALID_ANSWER', `${method} answered something this panel cannot read (${where})`);
  }
  return parsed.data;
}

export interface QueryParams { Repository: string; Branch: string; Filters: string; Cursor?: string; Limit: number }

export const queryAssets = (params: QueryParams) => call('QueryAssets', { ...params }, QueryAssetsResult);
export const queryRelationships = (params: QueryParams) => call('QueryRelationships', { ...params }, QueryRelationshipsResult);
export const exportAssets = (params: { Repository: string; Branch: string; Tags?: string[]; Keywords?: string[]; AssetId?: string }) =>
  call('ExportAssets', { ...params }, ExportAssetsResult);
export const importAssets = (document: unknown) => call('ImportAssets', { Document: document }, ImportAssetsResult);
export const queryIntegrationAssets = (params: { Integration: string; Status: 'Tracked' | 'Failed' | 'Pending'; Filter: string; Limit: number }) =>
  call('QueryIntegrationAssets', { ...params }, QueryIntegrationAssetsResult);
