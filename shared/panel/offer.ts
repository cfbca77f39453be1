/**
 * Whether a service offers a method, and if not why, in the operator's words: one verdict for the engine (which
 * never sends a Call a service does not offer) and for the views (which show the action as not offered instead).
 */
import { EXTENSION_FEATURES, type ExtensionFeature } from '../assethub/capabilities.ts';
import type { ServiceOffer } from './api.ts';

export type OfferVerdict =
  | { state: 'offered' }
  /** Its GetCapabilities is being asked: the method is not documented, so it is not known yet. */
  | { state: 'checking'; reason: string }
  | { state: 'not-offered'; reason: string };

const OFFERED: OfferVerdict = { state: 'offered' };

/** Why a service with this offer lacks what it lacks: it offers Pixotope's documented protocol only, or it said so. */
export function whyLacking(offer: ServiceOffer, plural = false): string {
  return offer.source === 'documented'
    ? `it offers Pixotope's documented protocol only (${offer.reason ?? 'it did not say what it offers'})`
    : plural ? 'they are not among what it says it offers' : 'it is not among what it says it offers';
}

const lacking = (service: string, offer: ServiceOffer, what: string): string => `${service} does not offer ${what}: ${whyLacking(offer)}`;

/**
 * The verdict on `method` of `service`. An offer not known (null: not a server or client, not heard yet) is not
 * judged: the Call goes, and its answer or its timeout tells.
 */
export function offerVerdict(service: string, offer: ServiceOffer | null | undefined, method: string): OfferVerdict {
  if (!offer || offer.methods.includes(method)) return OFFERED;
  if (offer.source === 'checking') return { state: 'checking', reason: `asking ${service} what it offers…` };
  return { state: 'not-offered', reason: lacking(service, offer, method) };
}

/** The verdict on one of the panel's features that need an extension (the catalogue, integrations). */
export function featureVerdict(service: string, offer: ServiceOffer | null | undefined, feature: ExtensionFeature): OfferVerdict {
  if (!offer) return OFFERED;
  const needs = EXTENSION_FEATURES[feature];
  const has = needs.methods.every((m) => offer.methods.includes(m)) && needs.states.every((s: string) => offer.states.includes(s));
  if (has) return OFFERED;
  if (offer.source === 'checking') return { state: 'checking', reason: `asking ${service} what it offers…` };
  return { state: 'not-offered', reason: lacking(service, offer, needs.label) };
}
