/**
 * When a Data Hub answered on this machine's Pixotope ports at start, the host did not start the demo: this banner, on
 * every view, offers to join that hub or to start the demo instead. Whatever the operator picks is remembered.
 */
import { useState } from 'react';
import { chooseHub } from '../commands/index.ts';
import { usePanel } from '../store/panel.ts';

export function HubOffer() {
  const offer = usePanel((s) => s.data?.host.offer ?? null);
  const [busy, setBusy] = useState<'join' | 'demo' | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  if (!offer) return null;
  const act = async (which: 'join' | 'demo') => {
    setBusy(which);
    setFailure(null);
    try {
      await chooseHub(which === 'join' ? { kind: 'hub', hubUrl: offer.hubUrl } : { kind: 'embedded' });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="offer-banner" role="region" aria-label="Data Hub found on this machine" data-testid="hub-offer">
      <p>
        A Data Hub answers on this machine: <strong>{offer.description}</strong>. The demo was not started.
      </p>
      <div className="offer-actions">
        <button type="button" className="button primary" disabled={busy !== null} onClick={() => void act('join')} data-testid="hub-offer-join">
          {busy === 'join' ? 'Joining…' : 'Join it'}
        </button>
        <button type="button" className="button" disabled={busy !== null} onClick={() => void act('demo')} data-testid="hub-offer-demo">
          {busy === 'demo' ? 'Starting the demo…' : 'Start the demo instead'}
        </button>
      </div>
      {failure && <p className="problem-text" role="alert">{failure}</p>}
    </section>
  );
}
