// A push's commit in requests the server takes: one CreateCommit when it fits 256 KiB, else staged batches
// (StageChanges) and one CreateCommit naming the stage; the server refuses a larger CreateCommit, a stage that is
// not the caller's, and twins across batches; the client refuses a push past what a server stages before sending.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_STAGED_CHANGES, type TCommitChange } from '../../shared/assethub/calls.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { ServiceFailure } from '../lib/failure.ts';
import { putFile, startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { BATCH_BYTES, sendCommit, type CommitParams } from './commit-request.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Staged';
let cluster: Cluster;
let panel: Probe;
let file: TCommitChange;
let head: string;

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('STAGE-S-AssetHubClient');
  head = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' })).Commit;
  file = await putFile(cluster.server.storageUrl, 'FileSystem:/x', new TextEncoder().encode('staged'));
});
afterAll(async () => cluster?.close());

const files = (n: number, under: string): TCommitChange[] => Array.from({ length: n }, (_, i) => ({ ...file, URI: `FileSystem:/${under}/asset${String(i).padStart(5, '0')}.png` }));
const params = (changes: TCommitChange[]): CommitParams => ({ Repository: REPO, Branch: 'Main', Parent: head, Author: 'STAGE-S', Comment: 'staged', Changes: changes });

/** The probe's Calls, each recorded with the bytes of its Params. */
function recorded(): { call: (method: 'CreateCommit' | 'StageChanges', p: Record<string, unknown>) => Promise<unknown>; sent: Array<{ method: string; bytes: number }> } {
  const sent: Array<{ method: string; bytes: number }> = [];
  return {
    sent,
    call: async (method, p) => {
      sent.push({ method, bytes: Buffer.byteLength(JSON.stringify(p)) });
      const outcome = await panel.call(SERVER_NAME, method, p, 60_000);
      if ('Failure' in outcome) throw new ServiceFailure(outcome.Failure.Code as never, outcome.Failure.Message);
      return outcome.Result;
    },
  };
}

it('a push of 6,000 files (~1.5 MiB) is staged in batches of at most 256 KiB and lands as one commit holding every file', async () => {
  const changes = files(6000, 'big');
  const { call, sent } = recorded();
  const commit = await sendCommit(call, params(changes));
  expect(sent.at(-1)?.method).toBe('CreateCommit');
  expect(sent.slice(0, -1).every((s) => s.method === 'StageChanges')).toBe(true);
  expect(sent.length).toBeGreaterThanOrEqual(6);
  for (const s of sent) expect(s.bytes).toBeLessThan(BATCH_BYTES);
  const listed: string[] = [];
  let after: string | undefined;
  do {
    const page = await panel.ok<{ Changes: TCommitChange[]; Next?: string }>(SERVER_NAME, 'GetChanges', { Repository: REPO, Branch: 'Main', From: head, To: commit, ...(after ? { After: after } : {}) });
    listed.push(...page.Changes.map((c) => c.URI));
    after = page.Next;
  } while (after);
  expect(listed.sort()).toEqual(changes.map((c) => c.URI));
  head = commit;
}, 120_000);

it('the server refuses a CreateCommit over 1 MiB, a stage of another caller or one it does not hold, and twins across batches', async () => {
  const big = await panel.call(SERVER_NAME, 'CreateCommit', { ...params(files(6000, 'again')) });
  expect('Failure' in big && big.Failure.Code).toBe('TOO_LARGE');

  const { Stage } = await panel.ok<{ Stage: string }>(SERVER_NAME, 'StageChanges', { Repository: REPO, Branch: 'Main', Changes: [{ ...file, URI: 'FileSystem:/Tex/a.png' }] });
  const other = await cluster.probe('STAGE-T-AssetHubClient');
  const stolen = await other.call(SERVER_NAME, 'CreateCommit', { ...params([]), Stage });
  expect('Failure' in stolen && stolen.Failure.Code).toBe('UNKNOWN_STAGE');
  const unknown = await panel.call(SERVER_NAME, 'CreateCommit', { ...params([]), Stage: 'no-such-stage' });
  expect('Failure' in unknown && unknown.Failure.Code).toBe('UNKNOWN_STAGE');

  await panel.ok(SERVER_NAME, 'StageChanges', { Repository: REPO, Branch: 'Main', Stage, Changes: [{ ...file, URI: 'FileSystem:/tex/b.png' }] });
  const twins = await panel.call(SERVER_NAME, 'CreateCommit', { ...params([]), Stage });
  expect('Failure' in twins && twins.Failure).toMatchObject({ Code: 'INVALID_NAME', Message: expect.stringMatching(/only by case/) });
  // A stage is used once: the commit that failed took it.
  const again = await panel.call(SERVER_NAME, 'CreateCommit', { ...params([]), Stage });
  expect('Failure' in again && again.Failure.Code).toBe('UNKNOWN_STAGE');
});

it('the client refuses a push of more files than a server stages, before sending any of it', async () => {
  const { call, sent } = recorded();
  const changes = Array.from({ length: MAX_STAGED_CHANGES + 1 }, (_, i) => ({ Type: 'PutDirectory' as const, URI: `FileSystem:/d${i}` }));
  await expect(sendCommit(call, params(changes))).rejects.toMatchObject({ code: 'TOO_LARGE', message: expect.stringMatching(/fewer files/) });
  expect(sent).toEqual([]);
});
