/**
 * Writing a file from a local stream (e.g. reverting a local change from a kept copy) with the same discipline as a
 * download: into `.assethub/tmp`, hashed on the way, fsynced, verified, then renamed onto the target.
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { IntegrityError } from './errors.ts';
import { workspaceTempDir } from './paths.ts';
import { checkFileTarget, placeFile } from './place.ts';

export interface WrittenFile {
  path: string;
  size: number;
  /** SHA-256 of what was written. */
  hash: string;
}

export async function writeFileAtomically(root: string, uri: string, source: Readable, expectedHash?: string): Promise<WrittenFile> {
  await checkFileTarget(root, uri);
  const temp = path.join(await workspaceTempDir(root), randomUUID());
  try {
    const hasher = createHash('sha256');
    let size = 0;
    const handle = await open(temp, 'wx');
    try {
      for await (const piece of source as AsyncIterable<Buffer | string>) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
        for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
        hasher.update(bytes);
        size += bytes.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const hash = hasher.digest('hex');
    if (expectedHash !== undefined && hash !== expectedHash) {
      throw new IntegrityError(`the copy for ${uri} has SHA-256 ${hash}, not ${expectedHash}`);
    }
    return { path: await placeFile(root, uri, temp), size, hash };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
