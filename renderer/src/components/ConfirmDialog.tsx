/**
 * A modal confirmation for destructive actions (the Modal frame: focus in and back, Escape cancels). With
 * `typeToConfirm` the operator must type that text before the action is enabled.
 */
import { useState, type ReactNode } from 'react';
import { Modal } from './Modal.tsx';

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
  const [typed, setTyped] = useState('');
  const ready = typeToConfirm === undefined || typed === typeToConfirm;
  return (
    <Modal title={title} onClose={onCancel} initialFocus="input, button">
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
    </Modal>
  );
}
