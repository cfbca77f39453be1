/** The workspace actions that ask for something first: Pull (up to which commit) and Push (a comment, required). */
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { TCommit } from '../../../../shared/assethub/states.ts';
import { shortId } from '../../shell/selectors.ts';

interface FormDialogProps {
  title: string;
  children: ReactNode;
  submitLabel: string;
  canSubmit: boolean;
  onSubmit(): void;
  onCancel(): void;
  testId: string;
}

/** A modal form like ConfirmDialog: focus moves to its first field and returns where it was; Escape cancels. */
function FormDialog({ title, children, submitLabel, canSubmit, onSubmit, onCancel, testId }: FormDialogProps) {
  const titleId = useId();
  const dialog = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLElement>('textarea, select, input, button')?.focus();
    return () => before?.focus();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (canSubmit) onSubmit();
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onCancel()}>
      <form
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        onSubmit={submit}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <div className="modal-body">{children}</div>
        <div className="modal-actions">
          <button type="button" onClick={onCancel}>Cancel</button>
          <button type="submit" className="primary" disabled={!canSubmit}>{submitLabel}</button>
        </div>
      </form>
    </div>
  );
}

export function PullDialog({ where, ahead, onPull, onCancel }: { where: string; ahead: TCommit[]; onPull(upTo: string | undefined): void; onCancel(): void }) {
  const [upTo, setUpTo] = useState('');
  const newestFirst = [...ahead].reverse();
  return (
    <FormDialog title={`Pull ${where}`} submitLabel="Pull" canSubmit onSubmit={() => onPull(upTo || undefined)} onCancel={onCancel} testId="pull-dialog">
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

export function PushDialog({ where, count, onPush, onCancel }: { where: string; count: number; onPush(comment: string): void; onCancel(): void }) {
  const [comment, setComment] = useState('');
  const id = useId();
  const ok = comment.trim().length > 0;
  return (
    <FormDialog title={`Push ${where}`} submitLabel="Push" canSubmit={ok} onSubmit={() => onPush(comment.trim())} onCancel={onCancel} testId="push-dialog">
      <p className="ws-dialog-note">{count === 1 ? '1 local change' : `${count.toLocaleString('en-US')} local changes`} will be pushed as one commit.</p>
      <label className="field" htmlFor={id}>
        Comment (required)
        <textarea id={id} rows={3} value={comment} required onChange={(e) => setComment(e.target.value)} data-testid="push-comment" />
      </label>
    </FormDialog>
  );
}
