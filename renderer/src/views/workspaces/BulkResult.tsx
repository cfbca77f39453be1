/**
 * A bulk AutoPull's progress and its outcome per workspace: failures first, in a virtualised list (500 machines), with
 * the tallies as data attributes a benchmark can wait on.
 */
import { useMemo } from 'react';
import { VirtualList } from '../../components/VirtualList.tsx';
import { progressWords, sortOutcomes, tally, type BulkOutcome } from './bulk-model.ts';

const WORDS = { pending: 'pending…', confirmed: 'confirmed', refused: 'refused', silent: 'not answering' } as const;

function OutcomeRow({ o }: { o: BulkOutcome }) {
  return (
    <span className={`ws-bulk-${o.state}`} data-testid="bulk-outcome" data-state={o.state} data-machine={o.machine}>
      <strong>{o.machine}</strong> <span className="muted">{o.workspace}</span> {WORDS[o.state]}
      {o.code && o.state === 'refused' && <> <code>{o.code}</code> <span className="ws-bulk-msg" title={o.message}>{o.message}</span></>}
    </span>
  );
}

export function BulkResult({ outcomes }: { outcomes: readonly BulkOutcome[] }) {
  const t = useMemo(() => tally(outcomes), [outcomes]);
  const sorted = useMemo(() => sortOutcomes(outcomes), [outcomes]);
  return (
    <div
      className="ws-bulk-result"
      data-testid="bulk-result"
      data-total={t.total}
      data-confirmed={t.confirmed}
      data-refused={t.refused}
      data-silent={t.silent}
      data-pending={t.pending}
    >
      <p className="ws-bulk-progress" role="status" aria-live="polite" data-testid="bulk-progress">{progressWords(t)}</p>
      <VirtualList
        items={sorted}
        rowHeight={26}
        height={Math.min(sorted.length * 26 + 2, 182)}
        label="AutoPull outcome per workspace, failures first"
        itemKey={(o) => o.key}
        render={(o) => <OutcomeRow o={o} />}
      />
    </div>
  );
}
