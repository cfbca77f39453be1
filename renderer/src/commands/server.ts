/**
 * What the views ask of AssetHubServer, by name: the repository Calls (docs/PROTOCOL.md §4), the catalogue (§6) and
 * the managed integrations (§5), each with its method's shared Params and checked Result; and the Sets of the
 * server's State and Integrations, each resolved when the server's Update shows it (SET_REFUSED with its reason, or
 * TIMEOUT, otherwise).
 */
import type { CallParams, ServerMethod } from '../../../shared/assethub/calls.ts';
import type { IntegrationInput, TIntegrationConfig, TIntegrationEntry } from '../../../shared/assethub/integrations.ts';
import type { ServerStates } from '../../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../../shared/protocol/names.ts';
import type { z } from 'zod';
import { call, set } from './send.ts';

const server = <M extends ServerMethod>(method: M) => (params: CallParams<'server', M>) => call('server', SERVER_NAME, method, params);

// Repositories and claims
export const createRepository = server('CreateRepository');
export const createBranch = server('CreateBranch');
export const tagCommit = server('TagCommit');
export const untagCommit = server('UntagCommit');
export const releaseClaim = server('ReleaseClaim');

// The asset catalogue
export const queryAssets = server('QueryAssets');
export const countAssets = server('CountAssets');
export const queryRelationships = server('QueryRelationships');
export const exportAssets = server('ExportAssets');
export const importAssets = server('ImportAssets');
/** An integration filter's values looked up in the catalogue at the heads of these repositories (all when none). */
export const checkFilter = server('CheckFilter');

// Managed integrations
export const queryIntegrationAssets = server('QueryIntegrationAssets');
/** The listed assets, or every Failed one (`AllFailed`), queued for delivery again. */
export const resyncAssets = server('ResyncAssets');
export const syncAll = server('SyncAllAssets');
export const cancelSync = server('CancelSync');

type RepositorySetting = ServerStates['State']['Repositories'][string];

/** The server's default AutoPull of a repository, for the workspaces without their own. */
export const setRepositoryAutoPull = (repository: string, value: RepositorySetting['AutoPull']): Promise<void> =>
  set(SERVER_NAME, ['State', 'Repositories', repository, 'AutoPull'], value);

const setIntegration = (path: readonly string[], value: z.input<typeof IntegrationInput> | TIntegrationEntry['Enabled']): Promise<void> =>
  set(SERVER_NAME, ['Integrations', ...path], value);

/** Creates or replaces an integration. */
export const saveIntegration = (name: string, config: TIntegrationConfig): Promise<void> => setIntegration([name], config);
export const setIntegrationEnabled = (name: string, enabled: TIntegrationEntry['Enabled']): Promise<void> => setIntegration([name, 'Enabled'], enabled);
/** A Set of null, confirmed when the entry is gone from the server's state. */
export const deleteIntegration = (name: string): Promise<void> => setIntegration([name], null);
