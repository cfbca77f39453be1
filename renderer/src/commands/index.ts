/**
 * The renderer's command layer: what views and the shell send, by name, typed from the shared Call and State
 * schemas; one failure policy (failure.ts) and one pending-until-confirmed switch (pending.ts) for all of them.
 */
export * from './client.ts';
export * from './server.ts';
export * from './engine.ts';
export { attempt, submit, failureOf, toastFailure, CommandError, type Failure } from './failure.ts';
export { usePendingSet, usePendingSets } from './usePending.ts';
export { useOffer, useFeature, useServiceOffer, offerProps, verdictIn, type OfferVerdict } from './offers.ts';
