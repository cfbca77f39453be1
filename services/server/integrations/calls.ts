/**
 * The managed-integration Calls on AssetHubServer (docs/PROTOCOL.md §5): QueryIntegrationAssets, ResyncAssets,
 * SyncAllAssets and CancelSync, for server.ts to merge into its `calls`.
 */
import { CALLS } from '../../../shared/assethub/calls.ts';
import type { IntegrationEngine } from './engine.ts';

type Server = (typeof CALLS)['server'];
type P<M extends keyof Server> = ReturnType<Server[M]['params']['parse']>;

export function integrationCalls(engine: IntegrationEngine) {
  return {
    QueryIntegrationAssets: {
      params: CALLS.server.QueryIntegrationAssets.params,
      handler: (p: P<'QueryIntegrationAssets'>) => engine.queryAssets(p),
    },
    ResyncAssets: { params: CALLS.server.ResyncAssets.params, handler: (p: P<'ResyncAssets'>) => engine.resync(p) },
    SyncAllAssets: { params: CALLS.server.SyncAllAssets.params, handler: (p: P<'SyncAllAssets'>) => engine.syncAll(p) },
    CancelSync: { params: CALLS.server.CancelSync.params, handler: (p: P<'CancelSync'>) => engine.cancelSync(p) },
  };
}
