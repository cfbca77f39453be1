/**
 * A modal confirmation for destructive actions. Focus moves into it and returns where it was; Escape cancels. With
 * `typeToConfirm` the operator must type that text before the action is enabled.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface ConfirmProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Styles the confirm button as dangerous. */
  danger?: boolean;
  typeToConfirm?: string;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger, typeToConfirm, onConfirm, onCancel }: ConfirmProps) {
  const titleId = useId();
  const [typed, setTyped] = useState('');
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLElement>('input, button')?.focus();
    return () => before?.focus();
  }, []);
  const ready = typeToConfirm === undefined || typed === typeToConfirm;
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onCancel()}>
      <div
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <div className="modal-body">{children}</div>
        {typeToConfirm !== undefined && (
          <label className="field">
            <span>Type <code>{typeToConfirm}</code> to confirm</span>
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
          </label>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onCancel}>Cancel</button>
          <button type="button" className={danger ? 'danger' : 'primary'} disabled={!ready} onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
