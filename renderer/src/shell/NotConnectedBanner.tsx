/**
 * Above every view while the panel is not on its hub: why (in the operator's words and the technical detail), what
 * the views below show (the last known data and its age, or nothing), and the way to the Connection view's hub form.
 */
import { usePanel } from '../store/panel.ts';
import { useUi } from '../store/ui.ts';
import { clockTime, connectionText, relativeTime } from '../lib/format.ts';
import { HUB_FORM_ID, hubWords } from '../lib/hub-form.ts';
import type { NotConnected } from './not-connected.ts';

function focusHubForm(): void {
  // After the Connection view rendered: its checked hub kind, else the hub card itself.
  requestAnimationFrame(() => {
    const form = document.getElementById(HUB_FORM_ID);
    // (One selector at a time: a selector list would give the first match in document order, not the checked kind.)
    const target = form?.querySelector<HTMLElement>('input:checked') ?? form?.querySelector<HTMLElement>('input') ?? document.querySelector<HTMLElement>('[data-testid="hub-card"] h2');
    if (target?.tagName === 'H2' && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target?.focus();
    target?.scrollIntoView({ block: 'center' });
  });
}

export function NotConnectedBanner({ state, now }: { state: NotConnected; now: number }) {
  const connection = usePanel((s) => s.data?.connection);
  const setView = useUi((s) => s.setView);
  if (!connection) return null;
  const hub = hubWords(connection.hubUrl);
  const retry = connection.state === 'reconnecting' ? connectionText(connection, now) : connection.state === 'failed' ? 'Not retrying: change the hub or its token.' : null;
  return (
    <section className={`notconnected-banner${state.problem ? ' is-problem' : ''}`} aria-label="Hub connection problem" data-testid="not-connected">
      <p className="notconnected-headline" role={state.problem ? 'alert' : 'status'} data-testid="not-connected-headline">
        {state.headline}
      </p>
      <p className="notconnected-hub">
        Hub: {hub ? <>{hub.fabric} <code>{hub.where}</code></> : <code>{connection.hubUrl}</code>}
        {retry && <span className="muted" data-testid="not-connected-retry"> · {retry}</span>}
      </p>
      {state.advice && <p data-testid="not-connected-advice">{state.advice}</p>}
      {state.detail && (
        <p className="muted">
          Detail: <code data-testid="not-connected-detail">{state.detail}</code>
        </p>
      )}
      <p className="muted" data-testid="not-connected-data">
        {state.staleSince === null
          ? 'Nothing is known from this hub yet: the views stay empty until the panel is connected.'
          : `Below: the last known data, from ${clockTime(state.staleSince)} (${relativeTime(state.staleSince, now)}). It is not live.`}
      </p>
      <div className="offer-actions">
        <button
          type="button"
          className="button primary"
          data-testid="change-hub"
          onClick={() => {
            setView('connection');
            focusHubForm();
          }}
        >
          Change the hub…
        </button>
      </div>
    </section>
  );
}
