/**
 * An integration's Enabled switch. The switch shows the asked value with "pending…" until the server's Update
 * confirms it; a refusal (or a timeout) puts it back to what the server holds and says why beside it and in a toast.
 * While the server is offline the switch is disabled: a Set could only time out.
 */
import { setIntegrationEnabled, usePendingSet } from '../../commands/index.ts';

export function EnabledToggle({ name, value, online }: { name: string; value: boolean; online: boolean }) {
  const { shown = value, busy, request, failure: error } = usePendingSet(value, {
    send: (want: boolean) => setIntegrationEnabled(name, want),
    failed: (want) => `${name} was not ${want ? 'enabled' : 'paused'}`,
  });

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
          onChange={(e) => void request(e.target.checked)}
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
