/**
 * The workspace actions that ask for something first: Pull (up to which commit) and Push (a comment, required; it
 * lists the files it will push and warns of those another machine has claimed).
 */
import { useId, useState } from 'react';
import type { TAssetChange, TClaim, TCommit } from '../../../../shared/assethub/states.ts';
import { FormDialog } from '../../components/FormDialog.tsx';
import { VirtualList } from '../../components/VirtualList.tsx';
import { shortId } from '../../lib/selectors.ts';
import { changeLabel } from './model.ts';

export function PullDialog({ where, ahead, onPull, onCancel }: { where: string; ahead: TCommit[]; onPull(upTo: string | undefined): void; onCancel(): void }) {
  const [upTo, setUpTo] = useState('');
  const newestFirst = [...ahead].reverse();
  return (
    <FormDialog title={`Pull ${where}`} submitLabel="Pull" canSubmit onSubmit={() => onPull(upTo || undefined)} onCancel={onCancel} testId="pull-dialog" bodyClassName="">
      <label className="field">
        Up to
        <select value={upTo} onChange={(e) => setUpTo(e.target.value)} data-testid="pull-upto">
          <option value="">Everything (the branch head)</option>
          {newestFirst.map((c) => (
            <option key={c.ID} value={c.ID}>{`${shortId(c.ID)} — ${c.Comment || '(no comment)'}${c.Tags.length ? ` [${c.Tags.join(', ')}]` : ''}`}</option>
          ))}
        </select>
      </label>
      <p className="muted ws-dialog-note">
        {ahead.length === 0 ? 'The branch has no commit after this workspace’s.' : `${ahead.length} commit(s) after this workspace’s.`}
      </p>
    </FormDialog>
  );
}

/** The local changes that another machine holds a claim on: the server refuses a push of them (CLAIMED_BY_OTHER). */
export function claimedElsewhere(changes: readonly TAssetChange[], claims: readonly TClaim[], machine: string): TClaim[] {
  const pushed = new Set(changes.map((c) => c.URI));
  return claims.filter((c) => c.Owner !== machine && pushed.has(c.URI));
}

const ROW = 26;

export function PushDialog({ where, machine, changes, claims, onPush, onCancel }: {
  where: string; machine: string; changes: readonly TAssetChange[]; claims: readonly TClaim[]; onPush(comment: string): void; onCancel(): void;
}) {
  const [comment, setComment] = useState('');
  const id = useId();
  const ok = comment.trim().length > 0;
  const held = claimedElsewhere(changes, claims, machine);
  const count = changes.length;
  return (
    <FormDialog title={`Push ${where}`} submitLabel="Push" canSubmit={ok} onSubmit={() => onPush(comment.trim())} onCancel={onCancel} testId="push-dialog" bodyClassName="">
      <p className="ws-dialog-note">{count === 1 ? '1 local change' : `${count.toLocaleString('en-US')} local changes`} will be pushed as one commit:</p>
      <VirtualList
        items={changes}
        rowHeight={ROW}
        height={Math.min(220, Math.max(1, count) * ROW + 2)}
        label="Changes to push"
        testId="push-changes"
        empty="No local changes: the client will say there is nothing to push."
        render={(c) => (
          <>
            <span className={`ws-type ws-type-${c.Type}`}>{changeLabel(c)}</span>
            <span className="ws-uri" title={c.URI}>{c.URI}</span>
          </>
        )}
      />
      {held.length > 0 && (
        <div className="ws-warn ws-push-claims" role="note" data-testid="push-claimed">
          <strong>{held.length === 1 ? '1 of these files is' : `${held.length} of these files are`} claimed by another machine.</strong> The push will be
          refused (CLAIMED_BY_OTHER) until {held.length === 1 ? 'its claim is' : 'their claims are'} released (Claims view):
          <ul>
            {held.slice(0, 5).map((c) => (
              <li key={c.URI}><code>{c.URI}</code> by <strong>{c.Owner}</strong></li>
            ))}
            {held.length > 5 && <li>and {held.length - 5} more</li>}
          </ul>
        </div>
      )}
      <label className="field" htmlFor={id}>
        Comment (required)
        <textarea id={id} rows={3} value={comment} required onChange={(e) => setComment(e.target.value)} data-testid="push-comment" />
      </label>
    </FormDialog>
  );
}
