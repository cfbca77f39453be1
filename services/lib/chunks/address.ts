/** What a chunk is: at most 8 MiB of bytes, addressed by the lowercase hex SHA-256 of those bytes. */

export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

const CHUNK_HASH = /^[0-9a-f]{64}$/;

/** True for a chunk address. The strict pattern is also what keeps addresses from ever naming a path outside the store. */
export function isChunkHash(value: unknown): value is string {
  return typeof value === 'string' && CHUNK_HASH.test(value);
}

export function assertChunkHash(value: unknown): asserts value is string {
  if (!isChunkHash(value)) throw new TypeError(`not a chunk address (64 lowercase hex digits): ${JSON.stringify(value)?.slice(0, 80)}`);
}
