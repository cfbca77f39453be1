/**
 * The outcome of a bulk AutoPull per workspace, and the tallies the operator (and a benchmark) read: confirmed, refused
 * with the service's code and message, not answering (the panel's own TIMEOUT: nothing came back in time), pending.
 */
import type { Failure } from '../../commands/failure.ts';

export type BulkState = 'pending' | 'confirmed' | 'refused' | 'silent';

export interface BulkOutcome {
  key: string;
  machine: string;
  workspace: string;
  state: BulkState;
  code?: string;
  message?: string;
}

/** What a Set's answer says of it: no failure is confirmed; a TIMEOUT is a client not answering; anything else refused. */
export function outcomeOf(base: Pick<BulkOutcome, 'key' | 'machine' | 'workspace'>, failure: Failure | null): BulkOutcome {
  if (!failure) return { ...base, state: 'confirmed' };
  return { ...base, state: failure.code === 'TIMEOUT' ? 'silent' : 'refused', code: failure.code, message: failure.message };
}

export type BulkTally = Record<BulkState, number> & { total: number };

export function tally(outcomes: Iterable<BulkOutcome>): BulkTally {
  const t: BulkTally = { total: 0, pending: 0, confirmed: 0, refused: 0, silent: 0 };
  for (const o of outcomes) {
    t.total++;
    t[o.state]++;
  }
  return t;
}

/** Failures first (refused, then not answering), then those still pending, then confirmed; by machine within each. */
const ORDER: Record<BulkState, number> = { refused: 0, silent: 1, pending: 2, confirmed: 3 };
const byName = new Intl.Collator().compare;

export function sortOutcomes(outcomes: Iterable<BulkOutcome>): BulkOutcome[] {
  return [...outcomes].sort((a, b) => ORDER[a.state] - ORDER[b.state] || byName(a.machine, b.machine) || byName(a.workspace, b.workspace));
}

/** "312 of 500 confirmed…", then how it ended. */
export function progressWords(t: BulkTally): string {
  const failed = [t.refused > 0 ? `${t.refused} refused` : '', t.silent > 0 ? `${t.silent} not answering` : ''].filter(Boolean).join(', ');
  const head = `${t.confirmed.toLocaleString('en-US')} of ${t.total.toLocaleString('en-US')} confirmed`;
  return t.pending > 0 ? `${head}…${failed ? ` (${failed})` : ''}` : `${head}${failed ? `; ${failed}` : ''}`;
}

/**
 * Sets in flight at once: the browser bridge refuses a socket's commands beyond 256 in flight (BUSY), and the other
 * views' commands need room beside a bulk of 500.
 */
export const BULK_IN_FLIGHT = 128;

/** Runs `run` on every item, at most `limit` at a time, in order of the items. */
export async function inPool<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
