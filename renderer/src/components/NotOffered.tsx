/**
 * One line naming the actions a service does not offer, and why (shared/panel/offer.ts): shown where those actions
 * live, so a disabled button is never left unexplained.
 */
import type { ServiceOffer } from '../../../shared/panel/api.ts';
import { offerVerdict, whyLacking } from '../../../shared/panel/offer.ts';
import './not-offered.css';

/** `actions`: the operator's word for each method, e.g. `{ Pull: 'Pull', RevertLocalChanges: 'Revert' }`. */
export function NotOffered({ service, offer, actions }: { service: string; offer: ServiceOffer | null | undefined; actions: Readonly<Record<string, string>> }) {
  const verdicts = Object.entries(actions).map(([method, word]) => ({ word, verdict: offerVerdict(service, offer, method) }));
  const missing = verdicts.filter((v) => v.verdict.state === 'not-offered');
  if (missing.length === 0 || !offer) return null;
  const why = whyLacking(offer, true);
  return (
    <p className="muted not-offered" role="note" data-testid="not-offered" data-service={service}>
      Not offered by {service}: {missing.map((m) => m.word).join(', ')} — {why}.
    </p>
  );
}
