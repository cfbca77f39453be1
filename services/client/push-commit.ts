/**
 * The commit that ends a push. Its chunks were uploaded while the push ran, and the server collects chunks no commit
 * refers to once they are older than its grace period (an hour by default): a push that ran longer than that can find
 * its first chunks gone when it commits (CreateCommit answers MISSING_CHUNKS). Then every chunk is offered again — a
 * HEAD refreshes one still there, a PUT restores one collected — and the commit is tried again.
 */
import { ServiceFailure } from '../lib/failure.ts';

/** A commit tried this many times at most (each after offering every chunk again). */
export const COMMIT_ATTEMPTS = 3;

export async function commitPush(createCommit: () => Promise<string>, offerChunksAgain: () => Promise<void>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createCommit();
    } catch (error) {
      if (!(error instanceof ServiceFailure && error.code === 'MISSING_CHUNKS') || attempt >= COMMIT_ATTEMPTS) throw error;
      await offerChunksAgain();
    }
  }
}
