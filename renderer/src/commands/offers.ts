/**
 * What a service offers, for the views: an action a service does not offer is shown as not offered, with the reason
 * (shared/panel/offer.ts), instead of being sent into silence; `call` (send.ts) refuses it the same way.
 */
import type { ExtensionFeature } from '../../../shared/assethub/capabilities.ts';
import { own } from '../../../shared/dict.ts';
import { featureVerdict, offerVerdict, type OfferVerdict } from '../../../shared/panel/offer.ts';
import { SERVER_NAME } from '../../../shared/protocol/names.ts';
import { usePanel, type PanelData } from '../store/panel.ts';

export type { OfferVerdict };

const offerOf = (data: PanelData | null, service: string) => own(data?.services, service)?.offer;

/** The verdict on `method` of `service` in the data a view already holds (inside a list, where a hook cannot go). */
export const verdictIn = (data: PanelData | null, service: string, method: string): OfferVerdict => offerVerdict(service, offerOf(data, service), method);

/** The verdict on `method` of `service` now (outside React). */
export const verdictNow = (service: string, method: string): OfferVerdict => offerVerdict(service, offerOf(usePanel.getState().data, service), method);

/** What `service` offers, kept current (for NotOffered). */
export const useServiceOffer = (service: string) => usePanel((s) => offerOf(s.data, service));

/** The verdict on `method` of `service`, kept current. */
export function useOffer(service: string, method: string): OfferVerdict {
  const offer = usePanel((s) => offerOf(s.data, service));
  return offerVerdict(service, offer, method);
}

/** The verdict on one of the panel's features that needs an extension of AssetHubServer. */
export function useFeature(feature: ExtensionFeature): OfferVerdict {
  const offer = usePanel((s) => offerOf(s.data, SERVER_NAME));
  return featureVerdict(SERVER_NAME, offer, feature);
}

/** A button's `disabled` and `title` for an action: not offered (or not known yet) disables it and says why. */
export const offerProps = (verdict: OfferVerdict, title?: string): { disabled: boolean; title: string | undefined } =>
  verdict.state === 'offered' ? { disabled: false, title } : { disabled: true, title: verdict.reason };
