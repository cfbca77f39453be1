/**
 * Changes → work: what lands in the catalogue becomes queued work (records Pending, due now). New commits are read
 * page by page between each followed branch's cursor and its head, the work queued in the same transaction that moves
 * the cursor, so a commit that landed is delivered even if the server dies right after it (on start every cursor is
 * compared with its branch head again). Metadata changes are queued as they are reported.
 */
import type { TAsset } from '../../../shared/assethub/catalogue.ts';
import type { MetadataChange } from '../catalogue/index.ts';
import { assetForDelivery, contentHash } from './contract.ts';
import { cursorKey, type RecordRow } from './db.ts';
import type { Loaded, Pipeline } from './pipeline.ts';

/** Changes queued per step. */
export const SCAN_PAGE = 500;

/**
 * One change of the catalogue becomes work, or not (the managed rule: the receiver already has exactly this content;
 * a REMOVE of an asset never delivered); returns whether anything was written.
 */
function queueChange(p: Pipeline, it: Loaded, repository: string, branch: string, asset: TAsset, record: RecordRow | null): boolean {
  const now = p.now();
  if (asset.operation === 'REMOVE') {
    if (!record) return false;
    if (record.integrationState === null) {
      // Never delivered: nothing to tell the receiver.
      p.db.deleteRecord(it.name, asset.id);
      return true;
    }
    p.db.enqueue(it.name, {
      assetId: asset.id, repository, branch, uri: asset.uri, action: 'deleted', revisionId: asset.revisionId, force: false,
      pendingAsset: JSON.stringify(assetForDelivery(asset)), dueAt: now,
    });
    return true;
  }
  if (record && record.status === 'Tracked' && record.integrationState !== null && record.contentHash === contentHash(asset)) return false;
  p.db.enqueue(it.name, {
    assetId: asset.id, repository, branch, uri: asset.uri, action: 'sync', revisionId: asset.revisionId, force: false, pendingAsset: null, dueAt: now,
  });
  return true;
}

/** A page of changes of one branch becomes work, in one transaction with `then` (which moves a cursor); whether any was written. */
function queuePage(p: Pipeline, it: Loaded, repository: string, branch: string, page: readonly TAsset[], then?: () => void): boolean {
  let queued = false;
  // With a cursor move (a commit scan) redoable: lost with it in a power cut, the page is scanned again. Metadata
  // changes have no cursor to find them again: durable.
  p.db.transaction(() => {
    const records = p.db.records(it.name, page.map((a) => a.id));
    for (const asset of page) queued = queueChange(p, it, repository, branch, asset, records.get(asset.id) ?? null) || queued;
    then?.();
  }, then ? 'redoable' : 'durable');
  return queued;
}

/** One page of one branch's unqueued commits becomes work; false when every cursor is at its head. */
export function scanStep(p: Pipeline, it: Loaded): boolean {
  const cursors = p.db.cursors(it.name);
  for (const { repository, branch } of p.branches.followed(it.config)) {
    const c = cursors.get(cursorKey(repository.name, branch.name)) ?? { repository: repository.name, branch: branch.name, position: -1, target: null, after: null };
    const head = p.store.head(branch.id).position;
    if (c.target === null && c.position >= head) continue;
    const target = c.target ?? head;
    const page = p.catalogue.page(branch, { from: c.position, to: target }, it.filter, c.after, SCAN_PAGE);
    queuePage(p, it, repository.name, branch.name, page, () => {
      const last = page.at(-1);
      p.db.putCursor(it.name, page.length < SCAN_PAGE || !last
        ? { ...c, position: target, target: null, after: null }
        : { ...c, target, after: last.uri });
    });
    return true;
  }
  return false;
}

/** Assets whose metadata changed (at their branch heads) become work for the integrations following them. */
export function queueMetadataChanges(p: Pipeline, integrations: Iterable<Loaded>, changed: readonly MetadataChange[]): void {
  const byBranch = new Map<string, { repository: string; branch: string; ids: string[] }>();
  for (const c of changed) {
    const key = cursorKey(c.repository, c.branch);
    const entry = byBranch.get(key) ?? { repository: c.repository, branch: c.branch, ids: [] };
    entry.ids.push(c.assetId);
    byBranch.set(key, entry);
  }
  for (const it of integrations) {
    let queued = false;
    for (const { repository, branch: branchName, ids } of byBranch.values()) {
      if (!p.branches.follows(it.config, repository)) continue;
      const branch = p.branches.branchOf(repository, branchName);
      if (!branch) continue;
      const head = p.store.head(branch.id).position;
      for (let i = 0; i < ids.length; i += SCAN_PAGE) {
        const chunk = ids.slice(i, i + SCAN_PAGE);
        const assets = p.catalogue.page(branch, { from: null, to: head }, { ...it.filter, assetIds: [...it.filter.assetIds, chunk] }, null, SCAN_PAGE);
        queued = queuePage(p, it, repository, branchName, assets) || queued;
      }
    }
    if (queued) p.touched(it.name);
  }
}
