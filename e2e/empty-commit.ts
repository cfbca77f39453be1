/** Commits of empty files made through the server (no chunks needed), for specs that only need assets to exist. */
import { createHash } from 'node:crypto';
import type { BridgeClient } from './bridge-client.ts';

const SERVER = 'AssetHubServer';

/** Commits empty files at `uris` on the head of the branch; resolves to the new commit's id. */
export async function commitEmptyFiles(bridge: BridgeClient, repository: string, branch: string, uris: readonly string[]): Promise<string> {
  const repos = (await bridge.call(SERVER, 'GetRepositories', {})) as Array<{ Name: string; Branches: Array<{ Name: string; Commits: Array<{ ID: string }> }> }>;
  const head = repos.find((r) => r.Name === repository)?.Branches.find((b) => b.Name === branch)?.Commits.at(-1)?.ID;
  if (!head) throw new Error(`no head for ${repository} ${branch}`);
  const hash = createHash('sha256').update('').digest('hex');
  const result = (await bridge.call(SERVER, 'CreateCommit', {
    Repository: repository, Branch: branch, Parent: head, Author: 'E2E', Comment: `e2e: integrations, ${uris.length} new files`,
    Changes: uris.map((uri) => ({ Type: 'PutFile', URI: uri, Size: 0, Hash: hash, Chunks: [] })),
  })) as { Commit: string };
  return result.Commit;
}
