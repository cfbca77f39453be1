/** Durability helpers for files that must survive a crash or a power cut. */
import { open } from 'node:fs/promises';

/** fsync of a directory, so a new entry or a rename in it is durable. Windows cannot open a folder for fsync (NTFS
 * journals the metadata of a rename itself): skipped there. */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
