/**
 * The data plane's shared half, used by the server's chunk store and by the client: what a chunk is, SHA-256 digests,
 * splitting a file into chunks, and the HTTP client that uploads and downloads them.
 */
export { MAX_CHUNK_BYTES, assertChunkHash, isChunkHash } from './address.ts';
export {
  ChunkHttpError, ChunkIntegrityError, bytesBody, chunkAgent, downloadChunk, uploadChunk,
  type ChunkBody, type DownloadResult, type TransferOptions, type UploadResult,
} from './client.ts';
export { hashFileChunks, splitFile, type ChunkRef, type FileChunks, type ReadChunk, type SplitOptions } from './split.ts';
export { sha256File } from './digest.ts';
