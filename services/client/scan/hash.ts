/**
 * SHA-256 of one regular file, read through a caller-owned buffer so memory stays bounded whatever the file size.
 * Unlike services/lib/chunks/digest.ts this opens the file itself, because the scanner must know exactly what it
 * read: O_NOFOLLOW so a file swapped for a symlink after the walk's lstat is not followed out of the workspace,
 * O_NONBLOCK so a FIFO swapped in cannot hang the scan, and the stat of the opened descriptor taken before the first
 * read. Plain fs callbacks (promisified) rather than FileHandle: a first scan reads tens of thousands of small files,
 * where FileHandle's bookkeeping costs more than the read.
 */
import { createHash } from 'node:crypto';
import { close, constants, fstat, open, read, type BigIntStats } from 'node:fs';
import { promisify } from 'node:util';

// Both flags are POSIX-only. Windows has neither: there a symlink swapped in between the walk's lstat and this open
// would be followed (a narrow race); the stat check below still refuses anything but a regular file.
const OPEN_FLAGS = constants.O_RDONLY | ((constants.O_NOFOLLOW as number | undefined) ?? 0) | ((constants.O_NONBLOCK as number | undefined) ?? 0);

const openFd = promisify(open);
const closeFd = promisify(close);
const readFd = promisify(read);
const fstatBig = (fd: number): Promise<BigIntStats> =>
  new Promise((resolve, reject) => fstat(fd, { bigint: true }, (error, stat) => (error ? reject(error) : resolve(stat))));

export interface FileHash {
  hash: string;
  /** Bytes actually hashed: the size that goes with `hash`. */
  size: number;
  /** The opened file's stat, taken before reading: what the index remembers, so a write during the read shows later. */
  stat: BigIntStats;
}

/** Hashes a regular file; null when the path is no longer a regular file. Throws the file system's errors. */
export async function hashFile(file: string, buffer: Buffer): Promise<FileHash | null> {
  const fd = await openFd(file, OPEN_FLAGS);
  try {
    const stat = await fstatBig(fd);
    if (!stat.isFile()) return null;
    const hasher = createHash('sha256');
    const expected = Number(stat.size);
    let size = 0;
    for (;;) {
      const { bytesRead } = await readFd(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      // A short read that reaches the stat's size is the end: saves one round trip per small file.
      if (bytesRead < buffer.length && size >= expected) break;
    }
    return { hash: hasher.digest('hex'), size, stat };
  } finally {
    await closeFd(fd);
  }
}
