/**
 * What CreateCommit and StageChanges check of a commit's changes before the store is touched (docs/PROTOCOL-EXTENSIONS.md,
 * "CreateCommit checks"): alone, every URI safe, none twice, every PutFile complete, every name one the operators'
 * machines can hold (Puts only: a Delete is how a name stored before the rules goes away); with the chunk store, every
 * chunk present, durable, and the sizes adding up. Names against the branch's, the head and the claims are the store's.
 */
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import { commitNameProblem } from '../../shared/assethub/names.ts';
import { assetUriSegments, assetUriStructure } from '../../shared/assethub/uri.ts';
import { fail } from '../lib/failure.ts';
import type { ChunkStore } from './chunks/index.ts';

/** The checks that need nothing but the changes; `seen` holds URIs already in the commit (a stage's) and grows. */
export function checkChangesAlone(changes: readonly TCommitChange[], seen: Set<string>): void {
  for (const change of changes) {
    // Puts get the name rules below, which include the portable-character ones and say which rule a name breaks.
    const safe = (change.Type === 'Delete' ? assetUriSegments : assetUriStructure)(change.URI);
    if (!safe.ok) fail('UNSAFE_PATH', `${change.URI}: ${safe.error}`);
    if (seen.has(change.URI)) fail('INVALID_PARAMS', `${change.URI} appears twice in Changes`);
    seen.add(change.URI);
    if (change.Type === 'PutFile' && (change.Size === undefined || change.Hash === undefined || change.Chunks === undefined)) {
      fail('INVALID_PARAMS', `${change.URI}: a PutFile needs Size, Hash and Chunks`);
    }
  }
  // The name rules and twins within these changes; twins across a stage's batches and with the branch are the store's.
  const named = commitNameProblem(changes, []);
  if (named) fail('INVALID_NAME', `${named.uri}: ${named.problem}`);
}

/** Every chunk the changes name is stored, and each PutFile's chunks add up to its Size. */
export async function checkChunks(chunks: ChunkStore, changes: readonly TCommitChange[]): Promise<void> {
  const wanted = new Set<string>();
  for (const change of changes) if (change.Type === 'PutFile') for (const hash of change.Chunks ?? []) wanted.add(hash);
  const missing = await chunks.missing([...wanted]);
  if (missing.length > 0) {
    fail('MISSING_CHUNKS', `${missing.length} chunk(s) are not on the server: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  }
  for (const change of changes) {
    if (change.Type !== 'PutFile') continue;
    let total = 0;
    for (const hash of change.Chunks ?? []) total += await chunks.size(hash);
    if (total !== change.Size) fail('INVALID_PARAMS', `${change.URI}: Size ${change.Size} does not match its chunks (${total} bytes)`);
  }
  // Uploads leave their names to be made durable in one batch: before a commit refers to them (chunks/store.ts).
  await chunks.durable();
}
