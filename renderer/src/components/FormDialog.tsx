/**
 * A modal form (the Modal frame: focus in and back, Escape cancels, Enter submits) for an action that asks for
 * something first. When `onSubmit` sends a command it returns its promise: the form is busy until it settles and a
 * refusal it resolves to is shown inline with the service's code (the command layer has toasted it), the focus back
 * in the first field to correct it.
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Modal } from './Modal.tsx';
import './form-dialog.css';

type Refusal = { code: string; message: string };

export interface FormDialogProps {
  title: string;
  children: ReactNode;
  submitLabel: string;
  canSubmit: boolean;
  /** Why it cannot be submitted yet (shown beside the disabled button), when `canSubmit` is false. */
  why?: string | null;
  onSubmit(): void | Promise<Refusal | null>;
  onCancel(): void;
  testId?: string;
  /** The body's layout: the repository forms' column by default. */
  bodyClassName?: string;
}

const FIELD = 'input, select, textarea';

export function FormDialog({ title, children, submitLabel, canSubmit, why, onSubmit, onCancel, testId, bodyClassName = 'repo-form' }: FormDialogProps) {
  const whyId = useId();
  const body = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Refusal | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canSubmit || busy) return;
    const sent = onSubmit();
    if (!sent) return;
    setBusy(true);
    setError(null);
    const refusal = await sent;
    setBusy(false);
    if (!refusal) return;
    setError(refusal);
    body.current?.querySelector<HTMLElement>(FIELD)?.focus();
  };
  return (
    <Modal title={title} onClose={onCancel} busy={busy} testId={testId} initialFocus={FIELD} onSubmit={(e) => void submit(e)}>
      <div ref={body} className={bodyClassName ? `modal-body ${bodyClassName}` : 'modal-body'}>{children}</div>
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
    </Modal>
  );
}
