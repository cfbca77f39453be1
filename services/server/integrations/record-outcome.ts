/**
 * Settle, the writing half: a batch's outcome recorded for each of its assets in one transaction, with the Sync all
 * cursor and tally (settle.ts decides what to write from the records read here).
 */
import type { Batch } from './batch.ts';
import type { PostOutcome } from './contract.ts';
import type { RecordRow, RecordSeq } from './db.ts';
import type { Loaded, Pipeline } from './pipeline.ts';
import { settle } from './settle.ts';
import { addToTally, type SyncTally } from './sync-tally.ts';
import type { SyncAllStream } from './sync-all.ts';

/** Sync all outcomes are committed together: after this many batches or this long, whichever comes first. */
const GROUP_BATCHES = 100;
const GROUP_DELAY_MS = 500;

/** Records the outcome of `batch` of integration `it` (whose Sync all `stream` is, if the batch is one of its pages). */
export function recordOutcome(p: Pipeline, it: Loaded, stream: SyncAllStream, batch: Batch, outcome: PostOutcome): void {
  const db = p.db;
  const now = p.now();
  // A Sync all batch is committed with the next ones (group commit): lost in a crash, it is sent again. Any other
  // batch is committed at once, not waiting for the disk: lost in a power cut, it is sent again (same delivery id).
  const atomically = <T>(fn: () => T): T => (batch.kind === 'stream' ? db.grouped(fn, GROUP_BATCHES, GROUP_DELAY_MS) : db.transaction(fn, 'redoable'));
  const { tally, error } = atomically((): { tally: SyncTally | null; error: string | null } => {
    // The records as they are now: those read for the batch when nothing wrote this integration's records since, else
    // their work sequence and status read again (with the old statuses, writeRecords keeps the counts exact).
    const seqs: ReadonlyMap<string, RecordSeq> = batch.epoch !== null && batch.epoch === db.epoch(it.name)
      ? new Map(batch.members.flatMap((m) => (m.record ? [[m.assetId, { workSeq: m.record.workSeq, status: m.record.status }] as const] : [])))
      : db.workSeqs(it.name, batch.members.map((m) => m.assetId));
    const records = new Map<string, RecordRow>();
    for (const m of batch.members) {
      const seq = seqs.get(m.assetId)?.workSeq;
      if (seq === undefined) continue;
      // Only new work changes a record while its batch is out (the worker is its only other writer): unchanged, the
      // record read for the batch is still as it is.
      const rec = seq !== (m.record?.workSeq ?? 0) || !m.record ? db.record(it.name, m.assetId) : m.record;
      if (rec) records.set(m.assetId, rec);
    }
    const settled = settle(batch, outcome, records, it.config.Retry, now);
    for (const id of settled.deletes) db.deleteRecord(it.name, id);
    db.writeRecords(it.name, settled.writes, seqs); // the old statuses (for the counts) as read above
    if (batch.forced.length > 0) db.forcePending(it.name, batch.forced);
    let tally: SyncTally | null = null;
    if (batch.stream) {
      tally = addToTally(stream.tallyBefore(batch.stream), settled.tally, batch.forced.length);
      db.advanceSync(it.name, batch.stream.gen, batch.stream.branchIndex, batch.stream.after, batch.stream.count, tally);
    }
    if (settled.delivery) {
      db.setDeliveryInfo(it.name, settled.delivery.at, settled.delivery.error);
      it.lastDeliveryAt = settled.delivery.at ?? it.lastDeliveryAt;
      it.lastError = settled.delivery.error;
    }
    return { tally, error: settled.delivery?.error ?? null };
  });
  if (batch.stream && tally) stream.advanced(it.name, batch.stream, tally);
  if (error !== null) p.logger.warn({ integration: it.name, deliveryId: batch.deliveryId, error }, 'delivery failed');
  p.touched(it.name);
}
