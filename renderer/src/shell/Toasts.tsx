/** The toast stack: failures with the service's code stay until dismissed; notices fade. Announced to screen readers. */
import { useToasts } from '../store/toasts.ts';

export function Toasts() {
  const { toasts, dismiss } = useToasts();
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} data-testid="toast">
          <div className="toast-text">
            <strong>{t.title}</strong>
            {t.code && <code className="toast-code" data-testid="toast-code">{t.code}</code>}
            {t.message && <span className="toast-message">{t.message}</span>}
          </div>
          <button type="button" className="toast-close" onClick={() => dismiss(t.id)} aria-label="Dismiss">×</button>
        </div>
      ))}
    </div>
  );
}
