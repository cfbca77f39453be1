/**
 * The frame every dialog shares: a backdrop, a `role="dialog"` box labelled by its title, focus moved in (to
 * `initialFocus`, else the first control), kept in by Tab, and given back to the opener when it closes. Escape and a
 * click on the backdrop close it, except while it is busy (a command it sent has not answered). With `onSubmit` its
 * content is a form, so Enter in a field submits.
 */
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

export interface ModalProps {
  title: ReactNode;
  /** What is under the title: the body, inline errors, the actions. */
  children: ReactNode;
  onClose(): void;
  busy?: boolean;
  /** Classes besides `modal` (its width, its layout). */
  className?: string;
  testId?: string;
  /** A selector inside the dialog for the control that gets the focus first. */
  initialFocus?: string;
  onSubmit?(event: FormEvent<HTMLFormElement>): void;
  noValidate?: boolean;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The dialogs open now, newest last: Escape and Tab belong to the newest. */
const stack: HTMLElement[] = [];

function focusables(box: HTMLElement): HTMLElement[] {
  return [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest('[inert]'));
}

function focusIn(el: HTMLElement | null | undefined): void {
  if (!el) return;
  el.focus();
  // A prefilled name is edited at its end, not replaced by the first key.
  if (el instanceof HTMLInputElement && /^(text|search|url)$/.test(el.type)) el.setSelectionRange(el.value.length, el.value.length);
}

export function Modal({ title, children, onClose, busy = false, className, testId, initialFocus, onSubmit, noValidate }: ModalProps) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  // Read while the opener still has the focus: the dialog's own effects run after its fields mounted.
  const opener = useRef<Element | null | undefined>(undefined);
  if (opener.current === undefined) opener.current = document.activeElement;
  const close = useRef(onClose);
  close.current = busy ? () => {} : onClose;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    stack.push(el);
    focusIn((initialFocus ? el.querySelector<HTMLElement>(initialFocus) : null) ?? focusables(el)[0]);
    const onKey = (e: KeyboardEvent) => {
      if (stack[stack.length - 1] !== el) return;
      if (e.key === 'Escape' && !e.defaultPrevented) close.current();
      if (e.key !== 'Tab') return;
      const list = focusables(el);
      const first = list[0];
      const last = list[list.length - 1];
      if (!first || !last) return;
      const at = document.activeElement;
      const inside = at instanceof Node && el.contains(at);
      if (e.shiftKey && (!inside || at === first)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (!inside || at === last)) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    const before = opener.current;
    return () => {
      document.removeEventListener('keydown', onKey);
      stack.splice(stack.indexOf(el), 1);
      if (before instanceof HTMLElement) before.focus();
    };
    // Once, when the dialog opens: later changes of `initialFocus` must not pull the focus back.
  }, []);

  const content = (
    <>
      <h2 id={titleId}>{title}</h2>
      {children}
    </>
  );
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close.current()}>
      <div
        ref={box}
        className={className ? `modal ${className}` : 'modal'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-busy={busy}
        data-testid={testId}
      >
        {/* Inside the dialog, not as it: a form may not take the dialog role. */}
        {onSubmit ? <form onSubmit={onSubmit} noValidate={noValidate}>{content}</form> : content}
      </div>
    </div>
  );
}
