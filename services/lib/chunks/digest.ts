/** Streaming SHA-256 helpers: files are hashed piece by piece so memory stays bounded whatever their size. */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Feeds the first `length` bytes of a file (all of it when omitted) into `hasher`. Fails when the file holds fewer
 * bytes than asked for, so a caller never mistakes a short file for the prefix it expected.
 */
export async function hashFileInto(hasher: Hash, path: string, length?: number): Promise<number> {
  if (length === 0) return 0;
  let read = 0;
  const stream = createReadStream(path, { start: 0, ...(length === undefined ? {} : { end: length - 1 }), highWaterMark: 1 << 20 });
  for await (const piece of stream as AsyncIterable<Buffer>) {
    hasher.update(piece);
    read += piece.length;
  }
  if (length !== undefined && read !== length) throw new Error(`${path} holds ${read} bytes, expected at least ${length}`);
  return read;
}

export async function sha256File(path: string): Promise<string> {
  const hasher = createHash('sha256');
  await hashFileInto(hasher, path);
  return hasher.digest('hex');
}

/** A pass-through that hashes and counts what flows by, and fails once more than `limit` bytes went through. */
export class HashTap extends Transform {
  readonly hasher: Hash;
  bytes = 0;
  private readonly limit: number;

  constructor(hasher: Hash = createHash('sha256'), limit = Number.POSITIVE_INFINITY) {
    super();
    this.hasher = hasher;
    this.limit = limit;
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += piece.length;
    if (this.bytes > this.limit) {
      callback(new Error(`more than ${this.limit} bytes`));
      return;
    }
    this.hasher.update(piece);
    callback(null, piece);
  }
}
