/**
 * A Sync all of an integration, from its live `Sync` figures: while it runs, a progress bar (Current of Total) with
 * Cancel (CancelSync: "Cancelling…" until the server says it stopped); once it ended, what its sends came to (tracked,
 * failed with the reasons, pending), coloured by the worst of them (syncVerdict.ts), and, once retries or re-syncs
 * changed that picture, what the integration says now.
 */
import { useEffect, useState } from 'react';
import type { TIntegrationEntry } from '../../../../shared/assethub/integrations.ts';
import { useToasts } from '../../store/toasts.ts';
import { timeTexts } from '../../lib/time.ts';
import { attempt, cancelSync } from '../../commands/index.ts';
import { sinceSync, syncVerdict, toneClass, type LiveCounts } from './syncVerdict.ts';

export function SyncStatus({ name, sync, live, now, online, paused, compact }: {
  name: string; sync: TIntegrationEntry['Sync']; live: LiveCounts; now: number; online: boolean; paused: boolean; compact?: boolean;
}) {
  const push = useToasts((s) => s.push);
  const [cancelling, setCancelling] = useState(false);
  const running = sync?.Running === true;
  useEffect(() => {
    if (!running) setCancelling(false);
  }, [running]);

  if (!sync) return <span className="muted" data-testid="int-sync-none">{compact ? '—' : 'No Sync all has run.'}</span>;
  const started = timeTexts(sync.StartedAt, now);
  const pct = Math.round(Math.min(1, Math.max(0, sync.Progress)) * 100);
  const amount = `${sync.Current.toLocaleString('en-US')} of ${sync.Total.toLocaleString('en-US')}`;

  if (!running) {
    const verdict = syncVerdict(sync);
    const since = sinceSync(sync, live);
    return (
      <div
        className="int-sync-done"
        data-testid="int-sync-done"
        data-outcome={sync.Outcome}
        data-tone={verdict.tone}
        data-delivered={sync.Delivered}
        data-failed={sync.Failed}
        data-pending={sync.Pending}
        title={compact ? [`${verdict.headline} · ${verdict.detail}`, ...(since ? [since.text] : [])].join('\n') : undefined}
      >
        <strong className={toneClass(verdict.tone)} data-testid="int-sync-headline">{verdict.headline}</strong>
        <span className="muted"> · {amount} sent</span>
        <div className={compact ? 'int-sub int-sync-detail-compact' : 'int-sub'} data-testid="int-sync-detail">{verdict.detail}</div>
        {since && <div className={`int-sub ${toneClass(since.tone)}${compact ? ' int-sync-detail-compact' : ''}`} data-testid="int-sync-since" data-tone={since.tone}>{since.text}</div>}
        {!(compact && since) && <div className="muted int-sub" title={started.absolute}>started {started.relative}</div>}
      </div>
    );
  }

  const cancel = async () => {
    setCancelling(true);
    const outcome = await attempt(cancelSync({ Integration: name }), { failure: `Sync all of ${name} not cancelled` });
    if (outcome.ok && outcome.value.Cancelled) return;
    setCancelling(false);
    if (outcome.ok) push({ kind: 'info', title: `The Sync all of ${name} had already ended`, message: '' });
  };

  return (
    <div className="int-sync" data-testid="int-sync-running">
      <div className="int-sync-line">
        <strong>Sync all</strong>
        <span className="int-sync-amount" data-testid="int-sync-amount">{amount}</span>
        {paused && <span className="int-warn" title="Deliveries of this integration are paused: the Sync all goes on once they are enabled again" data-testid="int-sync-paused">paused</span>}
        <span className="int-sync-pct">{pct} %</span>
      </div>
      <div className="int-sync-row">
        <div
          className="ws-bar int-bar"
          role="progressbar"
          aria-label={`Sync all of ${name}`}
          aria-valuemin={0}
          aria-valuemax={sync.Total}
          aria-valuenow={sync.Current}
          aria-valuetext={`${amount} assets sent (${pct} %)`}
          data-testid="int-sync-bar"
        >
          <div className="ws-bar-fill" style={{ width: `${pct}%` }} />
        </div>
        <button type="button" className="int-small" onClick={() => void cancel()} disabled={cancelling || !online} aria-label={`Cancel the Sync all of ${name}`} data-testid="int-sync-cancel">
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      {!compact && <div className="muted int-sub" title={started.absolute}>started {started.relative} · {started.absolute}</div>}
    </div>
  );
}
