/** Managed integrations (webhook sync) of AssetHubServer: see engine.ts. */
export { IntegrationEngine, type IntegrationEngineOptions } from './engine.ts';
export { contentHash, deliveryBody, signature, stateHash } from './contract.ts';
export { integrationCalls } from './calls.ts';
