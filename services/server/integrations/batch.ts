/** What a batch is (the unit a receiver is sent, and settled), and its request body. */
import type { TAsset } from '../../../shared/assethub/catalogue.ts';
import type { TIntegrationConfig } from '../../../shared/assethub/integrations.ts';
import { deliveryBody, type Action, type SyncType } from './contract.ts';
import type { RecordRow } from './db.ts';

/** One asset of a batch. */
export interface Member {
  assetId: string;
  repository: string;
  branch: string;
  uri: string;
  action: SyncType;
  asset: TAsset;
  /** The record as it was when the batch was built (null: none). */
  record: RecordRow | null;
  /** contentHash of `asset` (empty for a `deleted`: there is no content to manage). */
  hash: string;
}

/** Where a Sync all stands once a stream batch of it is settled. */
export interface StreamPosition { gen: string; branchIndex: number; after: string | null; count: number }

export interface Batch {
  /** `records`: queued or retrying work; `stream`: a page of a Sync all. */
  kind: 'records' | 'stream';
  deliveryId: string;
  members: Member[];
  /** The request body; emptied once handed to the sender. */
  body: string;
  /** Stream batches: assets left to their own pending work (forced), and the Sync all cursor after this batch. */
  forced: string[];
  stream: StreamPosition | null;
  /**
   * The integration's record epoch (IntegrationsDb.epoch) when the members' records were read, if they were read as
   * they are in the database (stream batches); while it is unchanged they still are, and settling needs no lookup.
   */
  epoch: number | null;
}

/** Whether two batches share no asset (members or forced). */
export function disjoint(a: Batch, b: Batch): boolean {
  const ids = new Set<string>(a.forced);
  for (const m of a.members) ids.add(m.assetId);
  return !b.members.some((m) => ids.has(m.assetId)) && !b.forced.some((id) => ids.has(id));
}

/** The request body for `members` under an integration's configuration. */
export function requestBody(config: TIntegrationConfig, members: readonly Member[]): string {
  const actions: Action[] = members.map((m) => ({
    type: m.action,
    asset: m.asset,
    integrationState: m.record?.integrationState ?? null,
    assetStateHash: m.record?.assetStateHash ?? null,
    assetId: m.assetId,
  }));
  return deliveryBody(actions, config.Configuration, config.TenantId);
}
