/**
 * Runs the file reads of a scan with bounded concurrency, in two lanes. Large files are limited to `largeReaders` at
 * once, so a spinning disk is not asked to seek between many big files; small files (one read each) cost round trips
 * rather than bandwidth, so up to SMALL_FILE_READERS of them are in flight. Each reader owns one buffer: memory is
 * bounded by the number of readers, whatever the file sizes.
 */

/** Per-reader buffer; files up to this size are "small" (read in one go). */
export const READ_BUFFER = 256 * 1024;
const SMALL_FILE_READERS = 16;

/** Reads `large` then `small` with `read`; stops taking jobs once `signal` aborts, and then throws its reason. */
export async function readAll<T>(
  large: T[],
  small: T[],
  largeReaders: number,
  read: (job: T, buffer: Buffer) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let nextLarge = 0;
  let nextSmall = 0;
  const takeSmall = (): T | undefined => small[nextSmall++];
  const takeAny = (): T | undefined => (nextLarge < large.length ? large[nextLarge++] : takeSmall());
  const reader = async (take: () => T | undefined): Promise<void> => {
    const buffer = Buffer.allocUnsafe(READ_BUFFER);
    for (let job = take(); job !== undefined; job = take()) {
      signal?.throwIfAborted();
      await read(job, buffer);
    }
  };
  // Large-file readers help with small files once the large ones are done; small-file readers never take a large one.
  const readers = [
    ...Array.from({ length: largeReaders }, () => reader(takeAny)),
    ...Array.from({ length: Math.max(0, SMALL_FILE_READERS - largeReaders) }, () => reader(takeSmall)),
  ];
  // Settle all before throwing, so no read is still running when the caller writes the index.
  for (const r of await Promise.allSettled(readers)) if (r.status === 'rejected') throw r.reason;
}
