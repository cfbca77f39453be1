/**
 * A push's commit, in requests the server takes (docs/PROTOCOL-EXTENSIONS.md, "Large pushes"): one CreateCommit when it
 * is at most BATCH_BYTES (~1,100 files); else its changes staged in batches of at most that (StageChanges) and one
 * CreateCommit naming the stage, so the push is still one commit. A service takes requests of up to 1 MiB, but
 * decoding and checking one of 1 MiB holds the server's loop ~40–50 ms; a quarter of that is ~10 ms. A push of more files than a
 * server stages, or one change larger than a request, is refused here (TOO_LARGE, with the way out) before any of
 * the commit is sent. A server from before staging answers StageChanges with UNKNOWN_METHOD, and the push says so.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { MAX_STAGED_CHANGES, type TCommitChange } from '../../shared/assethub/calls.ts';
import { fail } from '../lib/failure.ts';

/** The most a request of a push carries. */
export const BATCH_BYTES = 256 * 1024;
/** Room left in a request for its topic and envelope. */
const ENVELOPE_ALLOWANCE = 4096;

export interface CommitParams {
  Repository: string;
  Branch: string;
  Parent: string | null;
  Author: string;
  Comment: string;
  Changes: TCommitChange[];
}

type Call = (method: 'CreateCommit' | 'StageChanges', params: Record<string, unknown>) => Promise<unknown>;

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
const mib = (n: number) => (n / 1024 / 1024).toFixed(1);

export async function sendCommit(call: Call, params: CommitParams, limit = BATCH_BYTES): Promise<string> {
  const commit = async (p: Record<string, unknown>) => ((await call('CreateCommit', p)) as { Commit: string }).Commit;
  if (params.Changes.length > MAX_STAGED_CHANGES) {
    fail('TOO_LARGE', `a commit of ${params.Changes.length} changes is more than the ${MAX_STAGED_CHANGES} a server takes in one push: push a selection of fewer files at a time`);
  }
  const room = limit - ENVELOPE_ALLOWANCE - bytesOf({ ...params, Changes: [] });
  const batches: TCommitChange[][] = [];
  let batch: TCommitChange[] = [];
  let size = 0;
  for (const [i, change] of params.Changes.entries()) {
    // Measuring a push of 100,000 changes is ~100 ms of work: the client's process (and the services in it) go on.
    if (i % 2000 === 1999) await turn();
    const bytes = bytesOf(change) + 1;
    if (bytes > room) fail('TOO_LARGE', `${change.URI} alone (${mib(bytes)} MiB, its list of chunks) is more than one request to the server carries`);
    if (size + bytes > room) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(change);
    size += bytes;
  }
  batches.push(batch);
  if (batches.length === 1) return commit({ ...params });
  let stage: string | undefined;
  for (const changes of batches) {
    stage = ((await call('StageChanges', { Repository: params.Repository, Branch: params.Branch, ...(stage ? { Stage: stage } : {}), Changes: changes })) as { Stage: string }).Stage;
  }
  return commit({ ...params, Changes: [], Stage: stage });
}
