/**
 * A view that needs an extension of AssetHubServer (the catalogue, integrations) opens only when the server offers
 * it; otherwise it is one line saying so and why, and nothing is asked of the server. While the server is asked what
 * it offers, the view waits (a moment on this project's services; the Call timeout on a silent one).
 */
import type { ReactNode } from 'react';
import type { OfferVerdict } from '../../../shared/panel/offer.ts';
import './not-offered.css';

export function FeatureGate({ feature, title, verdict, children }: { feature: string; title: string; verdict: OfferVerdict; children: ReactNode }) {
  if (verdict.state === 'offered') return <>{children}</>;
  return (
    <div className="feature-gate" data-testid="feature-gate" data-feature={feature} data-state={verdict.state}>
      <h2>{title}</h2>
      <p className={verdict.state === 'checking' ? 'muted' : 'not-offered'} role="status">
        {verdict.state === 'checking' ? capitalise(verdict.reason) : `Not available here. ${capitalise(verdict.reason)}.`}
      </p>
    </div>
  );
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
