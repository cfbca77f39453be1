/**
 * SHA-256 of one regular file, read through a caller-owned buffer so memory stays bounded whatever the file size.
 * Unlike services/lib/chunks/digest.ts this opens the file itself, because the scanner must know exactly what it
 * read: O_NOFOLLOW so a file swapped for a symlink after the walk's lstat is not followed out of the workspace,
 * O_NONBLOCK so a FIFO swapped in cannot hang the scan, and the stat of the opened descriptor taken before the first
 * read. Two forms of the same steps: `hashFile` (fs callbacks, on the client's thread: a rescan that reads a few files)
 * and `hashBatch` (synchronous, on a scan thread: a first scan's tens of thousands of files, without a round trip
 * through libuv per call).
 */
import { createHash } from 'node:crypto';
import { close, closeSync, constants, fstat, fstatSync, open, openSync, read, readSync, type BigIntStats } from 'node:fs';
import { promisify } from 'node:util';
import { errorCode, isGone } from './fs-errors.ts';
import { packStat, STAT_WORDS } from './scan-index.ts';

// Both flags are POSIX-only. Windows has neither: there a symlink swapped in between the walk's lstat and this open
// would be followed (a narrow race); the stat check below still refuses anything but a regular file.
const OPEN_FLAGS = constants.O_RDONLY | ((constants.O_NOFOLLOW as number | undefined) ?? 0) | ((constants.O_NONBLOCK as number | undefined) ?? 0);

/**
 * A file whose mtime is this close to the moment it was hashed may be written again within the same timestamp tick
 * (coarse on FAT, SMB and some Windows paths) without its stat changing, so its hash is not trusted next time (as
 * git's "racily clean" entries). A clock skew with a network share of up to this much is covered too.
 */
export const RACY_NS = 2_000_000_000n;

/** Whether a hash just taken must not be trusted next time: the file is racy, or changed size while it was read. */
export const isRacy = (stat: BigIntStats, size: number): boolean =>
  stat.mtimeNs > BigInt(Date.now()) * 1_000_000n - RACY_NS || size !== Number(stat.size);

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

/** `hashFile`, step for step, with synchronous calls: for scan threads only, never the client's thread. */
export function hashFileSync(file: string, buffer: Buffer): FileHash | null {
  const fd = openSync(file, OPEN_FLAGS);
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) return null;
    const hasher = createHash('sha256');
    const expected = Number(stat.size);
    let size = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      if (bytesRead < buffer.length && size >= expected) break;
    }
    return { hash: hasher.digest('hex'), size, stat };
  } finally {
    closeSync(fd);
  }
}

/** What became of one file of a batch: the tag of its packed stat. */
export const Read = { Hashed: 0, Racy: 1, NotAFile: 2, Gone: 3, Failed: 4, NotDone: 5 } as const;

/** A batch of files to read on a scan thread; `files` joined by NUL (no file name holds one): one string to clone. */
export interface HashRequest { type: 'hash'; id: number; files: string; control: SharedArrayBuffer }
/** Per file: its hash ('' unless read), its packed stat tagged with a `Read`, and why it failed ('' unless Failed). */
export interface HashReply { type: 'hashed'; id: number; hashes: string[]; stats: Float64Array; errors: string[] }

/** Reads a batch; once `stopped()` the rest are NotDone. */
export function hashBatch(files: string[], buffer: Buffer, stopped: () => boolean): Omit<HashReply, 'type' | 'id'> {
  const hashes = new Array<string>(files.length).fill('');
  const errors = new Array<string>(files.length).fill('');
  const stats = new Float64Array(files.length * STAT_WORDS);
  for (let i = 0; i < files.length; i++) {
    const at = i * STAT_WORDS;
    if (stopped()) {
      stats[at] = Read.NotDone;
      continue;
    }
    try {
      const result = hashFileSync(files[i] as string, buffer);
      if (result === null) {
        stats[at] = Read.NotAFile;
        continue;
      }
      hashes[i] = result.hash;
      packStat(stats, at, isRacy(result.stat, result.size) ? Read.Racy : Read.Hashed, result.stat, result.size);
    } catch (error) {
      stats[at] = isGone(error) ? Read.Gone : Read.Failed;
      errors[i] = `${errorCode(error) ?? 'Error'}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return { hashes, stats, errors };
}
