/**
 * The data plane's server half: a content-addressed chunk store on disk and its HTTP handler. What a chunk is and the
 * client that talks to the store are services/lib/chunks/, shared with the AssetHubClient.
 */
export { ChunkStore, ChunkStoreError, type ChunkStoreErrorCode, type ReadableChunk, type WriteOptions, type WriteResult } from './store.ts';
export { CHUNKS_PREFIX, createChunkHandler, routeChunkRequest, type ChunkHandlerOptions, type ChunkRequestHandler } from './http.ts';
export { collectChunks, type CollectOptions, type CollectResult } from './collect.ts';
export { isWildcardHost, requestGuard, type RequestGuardOptions } from './guard.ts';
