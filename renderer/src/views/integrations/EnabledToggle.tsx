/**
 * An integration's Enabled switch. The switch shows the asked value with "pending…" until the server's Update
 * confirms it; a refusal (or a timeout) puts it back to what the server holds and says why beside it and in a toast.
 * While the server is offline the switch is disabled: a Set could only time out.
 */
import { useState } from 'react';
import { usePendingSet } from '../../lib/usePendingSet.ts';
import { useToasts } from '../../store/toasts.ts';
import { failureOf, setEnabled, type Failure } from './server.ts';

export function EnabledToggle({ name, value, online }: { name: string; value: boolean; online: boolean }) {
  const push = useToasts((s) => s.push);
  const [error, setError] = useState<Failure | null>(null);
  const { shown, busy, request } = usePendingSet(value, (want: boolean) => setEnabled(name, want), (e, want) => {
    const failure = failureOf(e);
    setError(failure);
    push({ kind: 'error', title: `${name} was not ${want ? 'enabled' : 'paused'}`, code: failure.code, message: failure.message });
  });
  const toggle = (want: boolean) => {
    setError(null);
    return request(want);
  };

  return (
    <div className="int-enabled">
      <label className="ws-switch" title={online ? undefined : 'AssetHubServer is offline: the switch cannot be changed now'}>
        <input
          type="checkbox"
          role="switch"
          checked={shown}
          aria-checked={shown}
          disabled={busy || !online}
          aria-busy={busy}
          aria-label={`Deliveries of ${name}`}
          onChange={(e) => void toggle(e.target.checked)}
          data-testid="int-enabled"
        />
        <span className="ws-switch-track" aria-hidden="true" />
        <span className="ws-switch-text" data-testid="int-enabled-text">
          {busy ? <span className="int-pending">pending…</span> : shown ? 'Enabled' : 'Paused'}
        </span>
      </label>
      {error && (
        <div className="int-inline-error" role="alert" data-testid="int-enabled-error">
          Not changed: <code>{error.code}</code> {error.message}
        </div>
      )}
    </div>
  );
}
