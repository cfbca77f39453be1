/**
 * What a Sync all's own sends came to: assets delivered (Tracked), failed for good (with their reasons, grouped) and
 * left Pending (a failed first attempt with retries to go, or work already queued that the Sync all left to it).
 * The per-asset records do not say which Sync all touched them, so the outcome of each of its batches is added here,
 * in the transaction that moves its cursor: the tally is exactly as far as `current`.
 */
import { dict, type Dict } from '../../../shared/dict.ts';

export interface SyncTally {
  delivered: number;
  failed: number;
  pending: number;
  /** Failed assets per reason (the error of their last attempt). */
  reasons: Dict<number>;
}

export const emptyTally = (): SyncTally => ({ delivered: 0, failed: 0, pending: 0, reasons: dict<number>() });

/** One asset's outcome in a Sync all batch. */
export type TallyItem = { kind: 'delivered' } | { kind: 'pending' } | { kind: 'failed'; reason: string };

/** A new tally: `t` plus a batch's outcomes (`forced` assets left to their own pending work count as pending). */
export function addToTally(t: SyncTally, items: readonly TallyItem[], forced: number): SyncTally {
  const reasons = dict<number>();
  Object.assign(reasons, t.reasons);
  const next: SyncTally = { delivered: t.delivered, failed: t.failed, pending: t.pending + forced, reasons };
  for (const item of items) {
    if (item.kind === 'delivered') next.delivered++;
    else if (item.kind === 'pending') next.pending++;
    else {
      next.failed++;
      reasons[item.reason] = (reasons[item.reason] ?? 0) + 1;
    }
  }
  return next;
}

/** The stored JSON (a column of `syncs`) read back; anything unreadable is an empty tally (a Sync all of schema 2). */
export function parseTally(text: string | null): SyncTally {
  const t = emptyTally();
  if (!text) return t;
  try {
    const v = JSON.parse(text) as Partial<SyncTally>;
    const n = (x: unknown): number => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : 0);
    t.delivered = n(v.delivered);
    t.failed = n(v.failed);
    t.pending = n(v.pending);
    if (v.reasons && typeof v.reasons === 'object') for (const [k, c] of Object.entries(v.reasons)) t.reasons[k] = n(c);
  } catch {
    // an empty tally
  }
  return t;
}

/** The tally as the `Sync` entry of the `Integrations` state shows it (docs/PROTOCOL-EXTENSIONS.md). */
export function tallyFields(t: SyncTally): { Delivered: number; Failed: number; Pending: number; FailedReasons: Dict<number> } {
  const reasons = dict<number>();
  Object.assign(reasons, t.reasons);
  return { Delivered: t.delivered, Failed: t.failed, Pending: t.pending, FailedReasons: reasons };
}
