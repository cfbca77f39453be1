/**
 * Files of a pull that this machine's disk refuses: a name too long or invalid here, a file it may not replace. Such a
 * refusal concerns one path, not the pull: the rest is applied, the workspace reaches the commit it pulled, and each
 * refused file is kept (in the client's store) with why, shown in the workspace's Status, listed among RemoteChanges
 * (the server has it, the disk does not) and tried again by every later pull.
 */
import type { TCommitChange } from '../../shared/assethub/calls.ts';

/** The error codes of a file operation that concern that path only, with what they mean for an operator. */
const PER_FILE: Readonly<Record<string, string>> = {
  ENAMETOOLONG: 'the name is too long for this disk',
  EINVAL: 'the name is not valid on this disk',
  EILSEQ: 'the name is not valid in this disk\'s encoding',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EBUSY: 'the file is in use',
  EROFS: 'the disk is read-only',
};

/** Why the disk refused one file (`ENAMETOOLONG: the name is too long for this disk`), or null for any other error. */
export function unwritableReason(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const meaning = code === undefined ? undefined : PER_FILE[code];
  return meaning === undefined ? null : `${code}: ${meaning}`;
}

export interface Unwritten {
  uri: string;
  /** The server's change that could not be applied here. */
  change: TCommitChange;
  reason: string;
}

const SHOWN = 3;

/** One sentence for a workspace's Status Message, naming the first few files and why; '' when there are none. */
export function describeUnwritten(files: readonly Unwritten[]): string {
  if (files.length === 0) return '';
  const named = files.slice(0, SHOWN).map((f) => `${f.uri} (${f.reason})`).join('; ');
  const more = files.length > SHOWN ? `; and ${files.length - SHOWN} more (see the log)` : '';
  return `${files.length} file(s) could not be written on this disk: ${named}${more}`;
}
