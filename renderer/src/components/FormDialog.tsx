/**
 * A modal form for the repository actions (create repository, create branch, tag a commit): focus moves into it and
 * returns where it was; Escape cancels; Enter submits. While the call runs the form is busy; a refusal is shown inline
 * with the service's code (and as a toast by the caller).
 */
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

export interface FormDialogProps {
  title: string;
  children: ReactNode;
  submitLabel: string;
  busy: boolean;
  /** The last refusal: code and message. */
  error: { code: string; message: string } | null;
  canSubmit: boolean;
  /** Why it cannot be submitted yet (shown beside the disabled button), when `canSubmit` is false. */
  why?: string | null;
  onSubmit(): void;
  onCancel(): void;
  testId?: string;
}

export function FormDialog({ title, children, submitLabel, busy, error, canSubmit, why, onSubmit, onCancel, testId }: FormDialogProps) {
  const titleId = useId();
  const whyId = useId();
  const dialog = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = dialog.current?.querySelector<HTMLInputElement>('input');
    first?.focus();
    first?.setSelectionRange(first.value.length, first.value.length);
    return () => before?.focus();
  }, []);
  // Escape cancels even when focus left the dialog (the submit button is disabled while the call runs).
  const cancel = useRef(onCancel);
  cancel.current = busy ? () => {} : onCancel;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') cancel.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  // After a refusal, focus returns to the first field so the operator can correct it.
  useEffect(() => {
    if (error && !busy) dialog.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, [error, busy]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (canSubmit && !busy) onSubmit();
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <form
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-busy={busy}
        onSubmit={submit}
        data-testid={testId}
      >
        <h2 id={titleId}>{title}</h2>
        <div className="modal-body repo-form">{children}</div>
        {error && (
          <p className="repo-form-error" role="alert" data-testid="dialog-error">
            <code>{error.code}</code> {error.message}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onCancel} disabled={busy}>Cancel</button>
          {!canSubmit && !busy && why && (
            <span className="muted repo-form-why" id={whyId} data-testid="dialog-why">{why}</span>
          )}
          <button type="submit" className="primary" disabled={!canSubmit || busy} aria-describedby={!canSubmit && why ? whyId : undefined}>
            {busy ? 'Working…' : submitLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
