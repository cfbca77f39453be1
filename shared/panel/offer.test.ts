import { describe, expect, it } from 'vitest';
import type { ServiceOffer } from './api.ts';
import { featureVerdict, offerVerdict } from './offer.ts';

const offer = (source: ServiceOffer['source'], methods: string[], states: string[] = [], reason: string | null = null): ServiceOffer => ({ source, methods, states, reason });

describe('what a service offers, in the operator’s words', () => {
  it('does not judge a service whose offer is unknown', () => {
    expect(offerVerdict('S', null, 'Pull')).toEqual({ state: 'offered' });
    expect(featureVerdict('S', undefined, 'catalogue')).toEqual({ state: 'offered' });
  });

  it('offers what is listed; while asking, only the documented methods', () => {
    expect(offerVerdict('S', offer('discovered', ['Pull']), 'Pull')).toEqual({ state: 'offered' });
    expect(offerVerdict('S', offer('checking', ['Health']), 'Health')).toEqual({ state: 'offered' });
    expect(offerVerdict('S', offer('checking', ['Health']), 'QueryAssets')).toEqual({ state: 'checking', reason: 'asking S what it offers…' });
  });

  it('says why a method is not offered', () => {
    expect(offerVerdict('C', offer('documented', [], [], 'no answer to GetCapabilities'), 'Push')).toEqual({
      state: 'not-offered', reason: "C does not offer Push: it offers Pixotope's documented protocol only (no answer to GetCapabilities)",
    });
    expect(offerVerdict('C', offer('discovered', ['Pull']), 'Push')).toEqual({ state: 'not-offered', reason: 'C does not offer Push: it is not among what it says it offers' });
  });

  it('needs every method and state of a feature', () => {
    expect(featureVerdict('AssetHubServer', offer('discovered', ['QueryAssets', 'CountAssets']), 'catalogue')).toEqual({ state: 'offered' });
    expect(featureVerdict('AssetHubServer', offer('discovered', ['QueryIntegrationAssets']), 'integrations').state).toBe('not-offered');
    expect(featureVerdict('AssetHubServer', offer('discovered', ['QueryIntegrationAssets'], ['Integrations']), 'integrations')).toEqual({ state: 'offered' });
    expect(featureVerdict('AssetHubServer', offer('documented', ['Health'], [], 'no answer to GetCapabilities'), 'catalogue')).toEqual({
      state: 'not-offered', reason: "AssetHubServer does not offer the asset catalogue: it offers Pixotope's documented protocol only (no answer to GetCapabilities)",
    });
  });
});
