/**
 * An integration's Enabled switch. The switch shows the asked value with "pending…" until the server's Update
 * confirms it; a refusal (or a timeout) puts it back to what the server holds and says why beside it and in a toast.
 * While the server is offline the switch is disabled: a Set could only time out.
 */
import { useEffect, useState } from 'react';
import { useToasts } from '../../store/toasts.ts';
import { failureOf, setEnabled, type Failure } from './server.ts';

export function EnabledToggle({ name, value, online }: { name: string; value: boolean; online: boolean }) {
  const push = useToasts((s) => s.push);
  const [pending, setPending] = useState<{ want: boolean; confirmed: boolean } | null>(null);
  const [error, setError] = useState<Failure | null>(null);

  // Once confirmed, the asked value stays shown until the store's copy has it too (the confirming Update and the
  // patch that carries it to the page travel separately).
  useEffect(() => {
    if (!pending?.confirmed) return;
    if (value === pending.want) {
      setPending(null);
      return;
    }
    // Changed again meanwhile (another panel): after a moment the switch shows what the server holds.
    const timer = setTimeout(() => setPending(null), 2000);
    return () => clearTimeout(timer);
  }, [pending, value]);

  const toggle = async (want: boolean) => {
    setPending({ want, confirmed: false });
    setError(null);
    try {
      await setEnabled(name, want);
      setPending({ want, confirmed: true });
    } catch (e) {
      const failure = failureOf(e);
      setPending(null); // back to what the server holds
      setError(failure);
      push({ kind: 'error', title: `${name} was not ${want ? 'enabled' : 'paused'}`, code: failure.code, message: failure.message });
    }
  };

  const busy = pending !== null && !pending.confirmed;
  const shown = pending ? pending.want : value;
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
