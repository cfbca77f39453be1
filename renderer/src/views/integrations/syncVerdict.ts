/**
 * How a Sync all ended, in words and a tone, from its own tally (Delivered / Failed per reason / Pending of the assets
 * it sent). The tone follows the worst of them: any failed → bad, else any pending → pending, else ok. A Sync all
 * that reached its end is not "Completed" in green when its deliveries failed.
 */
import type { TSyncProgress } from '../../../../shared/assethub/integrations.ts';

export type SyncTone = 'ok' | 'pending' | 'bad' | 'warn';

export interface SyncVerdict {
  tone: SyncTone;
  /** "Completed", "Completed with failures", "Nothing delivered", "Cancelled". */
  headline: string;
  /** "28 tracked · 12 failed: 10 × timed out after 400 ms, 2 × HTTP 500 · 3 pending". */
  detail: string;
}

const n = (x: number): string => x.toLocaleString('en-US');

/** "10 × timed out after 400 ms, 2 × HTTP 500": most frequent first. */
export function groupedReasons(reasons: TSyncProgress['FailedReasons']): string {
  return Object.entries(reasons)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, count]) => `${n(count)} × ${reason}`)
    .join(', ');
}

export function syncVerdict(sync: TSyncProgress): SyncVerdict {
  const parts: string[] = [];
  if (sync.Delivered > 0 || sync.Failed === 0) parts.push(sync.Delivered === sync.Total && sync.Total > 0 ? `all ${n(sync.Total)} tracked` : `${n(sync.Delivered)} tracked`);
  if (sync.Failed > 0) parts.push(`${n(sync.Failed)} failed: ${groupedReasons(sync.FailedReasons)}`);
  if (sync.Pending > 0) parts.push(`${n(sync.Pending)} pending (left to retries or queued work)`);
  const unsent = sync.Total - sync.Current;
  if (sync.Outcome === 'Cancelled') {
    return { tone: sync.Failed > 0 ? 'bad' : 'warn', headline: 'Cancelled', detail: [`${n(sync.Current)} of ${n(sync.Total)} sent`, ...parts, ...(unsent > 0 ? [`${n(unsent)} not sent`] : [])].join(' · ') };
  }
  if (sync.Total === 0) return { tone: 'ok', headline: 'Completed', detail: 'no asset matched the filter' };
  if (sync.Failed > 0) {
    const nothing = sync.Delivered === 0 && sync.Pending === 0;
    return { tone: 'bad', headline: nothing ? 'Nothing delivered' : 'Completed with failures', detail: parts.join(' · ') };
  }
  if (sync.Pending > 0) return { tone: 'pending', headline: 'Completed, deliveries pending', detail: parts.join(' · ') };
  return { tone: 'ok', headline: 'Completed', detail: parts.join(' · ') };
}

/** The integration's live figures (every asset its filter matches: what a Sync all covers). */
export interface LiveCounts { Tracked: number; Failed: number; Pending: number }

/**
 * What the integration says now, when that is no longer what the Sync all's end said: its tally is frozen at its
 * end, while retries of what it left pending and later re-syncs go on. Null while the end is still the picture.
 */
export function sinceSync(sync: TSyncProgress, live: LiveCounts): { tone: SyncTone; text: string } | null {
  if (sync.Running || (sync.Failed === 0 && sync.Pending === 0)) return null;
  if (live.Failed === sync.Failed && live.Pending === sync.Pending) return null;
  const parts = [`${n(live.Tracked)} tracked`, `${n(live.Failed)} failed`, ...(live.Pending > 0 ? [`${n(live.Pending)} pending`] : [])];
  const tone: SyncTone = live.Failed > 0 ? 'bad' : live.Pending > 0 ? 'pending' : 'ok';
  return { tone, text: `Now, after later retries and re-syncs: ${parts.join(' · ')}` };
}

/** The class that colours a tone (theme.css). */
export const toneClass = (tone: SyncTone): string => ({ ok: 'int-ok', pending: 'int-progress', bad: 'int-bad', warn: 'int-warn' })[tone];
