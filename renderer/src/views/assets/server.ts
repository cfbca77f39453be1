/**
 * The catalogue Calls on AssetHubServer as the Assets view uses them: each answer is checked against the shared
 * schema (a mismatch is an error that says where, never half-shown data), each refusal carries the service's code.
 */
import {
  CountAssetsResult,
  ExportAssetsResult,
  ImportAssetsResult,
  QueryAssetsResult,
  QueryRelationshipsResult,
} from '../../../../shared/assethub/catalogue.ts';
import { QueryIntegrationAssetsResult } from '../../../../shared/assethub/integrations.ts';
import { callServer as call } from '../../lib/serverCall.ts';

export interface QueryParams { Repository: string; Branch: string; Filters: string; Cursor?: string; Limit: number }

export const queryAssets = (params: QueryParams) => call('QueryAssets', { ...params }, QueryAssetsResult);
export const countAssets = (params: { Repository: string; Branch: string; Filters?: string }) => call('CountAssets', { ...params }, CountAssetsResult);
export const queryRelationships = (params: QueryParams) => call('QueryRelationships', { ...params }, QueryRelationshipsResult);
export const exportAssets = (params: { Repository: string; Branch: string; Tags?: string[]; Keywords?: string[]; AssetId?: string }) =>
  call('ExportAssets', { ...params }, ExportAssetsResult);
export const importAssets = (document: unknown) => call('ImportAssets', { Document: document }, ImportAssetsResult);
export const queryIntegrationAssets = (params: { Integration: string; Status: 'Tracked' | 'Failed' | 'Pending'; Filter: string; Limit: number }) =>
  call('QueryIntegrationAssets', { ...params }, QueryIntegrationAssetsResult);
