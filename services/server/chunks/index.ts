/** The data plane: a content-addressed chunk store on disk, its HTTP handler, and the client that talks to it. */
export { MAX_CHUNK_BYTES, assertChunkHash, isChunkHash } from './address.ts';
export { ChunkStore, ChunkStoreError, type ChunkStoreErrorCode, type ReadableChunk, type WriteOptions, type WriteResult } from './store.ts';
export { CHUNKS_PREFIX, createChunkHandler, routeChunkRequest, type ChunkHandlerOptions, type ChunkRequestHandler } from './http.ts';
export {
  ChunkHttpError, ChunkIntegrityError, chunkAgent, downloadChunk, uploadChunk,
  type ChunkBody, type DownloadResult, type TransferOptions, type UploadResult,
} from './client.ts';
export { collectChunks, type CollectOptions, type CollectResult } from './collect.ts';
export { isWildcardHost, requestGuard, type RequestGuardOptions } from './guard.ts';
export { hashFileChunks, type ChunkRef, type FileChunks } from './split.ts';
export { sha256File } from './digest.ts';
