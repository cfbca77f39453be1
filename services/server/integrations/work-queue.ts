/**
 * The work queue → batches: records Pending and due (new work, retries) are taken a batch at a time; a batch that failed
 * as a whole is retried together under its delivery id. Work that needs no sending is settled here: a `deleted` never
 * delivered is dropped, a sync whose content the receiver already has is Tracked again (the managed rule), a sync whose
 * asset vanished becomes a `deleted`. ResyncAssets puts records back on the queue.
 */
import { randomUUID } from 'node:crypto';
import type { TAsset } from '../../../shared/assethub/catalogue.ts';
import { emptyFilter } from '../../../shared/rsql/filter.ts';
import { fail } from '../../lib/failure.ts';
import { requestBody, type Batch, type Member } from './batch.ts';
import { assetForDelivery, contentHash } from './contract.ts';
import type { RecordRow } from './db.ts';
import type { Loaded, Pipeline } from './pipeline.ts';

/**
 * The next batch of due work, none of whose assets is in `inFlight`; 'progress' when records were settled without
 * sending; null when nothing is due. `scanPending`: the commit scan has changes to queue (an asset gone from the
 * catalogue is left to it, which turns it into a `deleted` or drops it).
 */
export function recordBatch(p: Pipeline, it: Loaded, inFlight: readonly Batch[], scanPending: boolean): Batch | 'progress' | null {
  const now = p.now();
  const size = it.config.BatchSize;
  if (!p.db.anyDue(it.name, now)) return null;
  const busy = new Set(inFlight.flatMap((b) => b.members.map((m) => m.assetId)));
  let rows = p.db.due(it.name, now, size + busy.size).filter((r) => !busy.has(r.assetId));
  const first = rows[0];
  if (!first) return null;
  rows = first.deliveryId !== null
    ? p.db.dueOfDelivery(it.name, first.deliveryId, now, size + busy.size).filter((r) => !busy.has(r.assetId)).slice(0, size)
    : rows.filter((r) => r.deliveryId === null).slice(0, size);
  const members: Member[] = [];
  let progress = false;
  // Redoable, like the delivery id below: lost in a power cut, the same records are taken up again.
  p.db.transaction(() => {
    for (const r of rows) {
      if (r.action === 'deleted') {
        if (r.integrationState === null || r.pendingAsset === null) {
          p.db.deleteRecord(it.name, r.assetId);
          progress = true;
          continue;
        }
        const asset = JSON.parse(r.pendingAsset) as TAsset;
        members.push({ assetId: r.assetId, repository: r.repository, branch: r.branch, uri: r.uri, action: 'deleted', asset, record: r, hash: '' });
        continue;
      }
      const found = p.catalogue.byId(r.assetId);
      if (!found) {
        if (scanPending) continue;
        progress = true;
        vanished(p, it, r);
        continue;
      }
      const hash = contentHash(found.asset);
      if (!r.force && r.integrationState !== null && r.contentHash === hash) {
        p.db.writeRecord(it.name, { ...r, status: 'Tracked', dueAt: null, deliveryId: null, force: false, reason: null });
        progress = true;
        continue;
      }
      members.push({ assetId: r.assetId, repository: r.repository, branch: r.branch, uri: found.asset.uri, action: 'sync', asset: found.asset, record: r, hash });
    }
  }, 'redoable');
  if (members.length === 0) return progress ? 'progress' : null;
  const deliveryId = first.deliveryId ?? randomUUID();
  // Remembered before sending: a batch cut short by a crash is sent again under the same id.
  const fresh = members.filter((m) => m.record?.deliveryId !== deliveryId);
  if (fresh.length > 0) {
    p.db.transaction(() => p.db.setDeliveryId(it.name, fresh.map((m) => ({ assetId: m.assetId, workSeq: m.record?.workSeq ?? 0 })), deliveryId), 'redoable');
  }
  return { kind: 'records', deliveryId, members, forced: [], stream: null, body: requestBody(it.config, members), epoch: null };
}

/** A sync record whose asset is gone from its branch without a REMOVE reaching the integration (e.g. the Filter changed). */
function vanished(p: Pipeline, it: Loaded, r: RecordRow): void {
  if (r.integrationState === null) {
    p.db.deleteRecord(it.name, r.assetId);
    return;
  }
  const last = assetAt(p, r.repository, r.branch, r.revisionId, r.assetId);
  if (last) {
    p.db.enqueue(it.name, {
      assetId: r.assetId, repository: r.repository, branch: r.branch, uri: r.uri, action: 'deleted', revisionId: r.revisionId,
      force: false, pendingAsset: JSON.stringify(assetForDelivery(last)), dueAt: p.now(),
    });
  } else {
    p.db.writeRecord(it.name, { ...r, status: 'Failed', dueAt: null, deliveryId: null, reason: 'the asset no longer exists on its branch and its last version cannot be read' });
  }
}

/** An asset as it was at a revision of its branch, or null. */
function assetAt(p: Pipeline, repository: string, branchName: string, revisionId: string, assetId: string): TAsset | null {
  const branch = p.branches.branchOf(repository, branchName);
  if (!branch) return null;
  try {
    const position = p.store.position(branch, revisionId);
    return p.catalogue.page(branch, { from: null, to: position }, { ...emptyFilter('assets'), assetIds: [[assetId]] }, null, 1)[0] ?? null;
  } catch {
    return null;
  }
}

/** ResyncAssets: records back on the queue for an immediate attempt, attempts reset and forced past the managed rule. */
export function requeue(p: Pipeline, params: { Integration: string; AssetIds: string[] } | { Integration: string; AllFailed: true }): number {
  const name = params.Integration;
  const now = p.now();
  if (!('AssetIds' in params)) return p.db.transaction(() => p.db.resyncFailed(name, now));
  const ids = [...new Set(params.AssetIds)];
  const known = p.db.knownIds(name, ids);
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    fail('UNKNOWN_ASSET', `integration "${name}" has no record of ${unknown.length} asset(s): ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}; nothing was queued`);
  }
  return p.db.transaction(() => p.db.resync(name, ids, now));
}
