/**
 * How long one request to AssetHubServer holds the event loop of the process it runs in (hub, server and a client
 * together, as `npm run services` runs them), for the requests whose work grows with the data: a push of 20,000 files
 * (staged, then CreateCommit), CreateBranch of that history, GetChanges of it from the start (each page), ExportAssets
 * of its assets and ImportAssets of metadata for 5,000 of them. For each, the longest hold (perf_hooks
 * monitorEventLoopDelay, max, 1 ms resolution) and the wall time, next to its baseline measured in the same run: the
 * same work done the way it was before slices, in one synchronous piece on the same store (createCommit and
 * createBranch in one transaction, every change in one read), whose duration is the hold it was. Last, a managed
 * integration delivers the push to a receiver in its own process.
 * Run: node --import tsx --expose-gc bench/hold.bench.ts
 */
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sendCommit } from '../services/client/commit-request.ts';
import { startCluster } from '../services/testing/cluster.ts';
import { SERVER_NAME } from '../shared/protocol/index.ts';
import type { TCommitChange } from '../shared/assethub/calls.ts';
import { IntegrationsDb } from '../services/server/integrations/db.ts';
import { startBareReceiver } from './lib/receiver.ts';

const FILES = 20_000;
const REPO = '%SYNCED_STORAGE%\\Projects\\Hold';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const cluster = await startCluster();
const panel = await cluster.probe('BENCH-AssetHubPanel');
await cluster.client('BENCH');
const store = cluster.server.store;

/** Runs `fn` and reports the longest event-loop hold while it ran, and its wall time. */
async function held<T>(fn: () => Promise<T> | T): Promise<{ value: T; holdMs: number; wallMs: number }> {
  globalThis.gc?.();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const start = performance.now();
  const value = await fn();
  const wallMs = performance.now() - start;
  // One more turn, so a hold that ended with the work is counted.
  await new Promise((resolve) => setTimeout(resolve, 5));
  h.disable();
  return { value, holdMs: h.max / 1e6, wallMs };
}

/** The duration of synchronous work: the hold it is. */
function piece<T>(fn: () => T): { value: T; ms: number } {
  globalThis.gc?.();
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
const line = (what: string, now: { holdMs: number; wallMs: number }, before: number) =>
  console.log(`  ${what.padEnd(46)} longest hold ${ms(now.holdMs).padStart(8)} (in one piece: ${ms(before)}), wall ${ms(now.wallMs)}`);

const files = (under: string): TCommitChange[] => Array.from({ length: FILES }, (_, i) => ({
  Type: 'PutFile', URI: `FileSystem:/${under}/f${String(Math.floor(i / 500)).padStart(3, '0')}/a${String(i).padStart(5, '0')}.png`, Size: 0, Hash: EMPTY, Chunks: [],
}));

const root = (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' })).Commit;
const base = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: `${REPO} One Piece`, Branch: 'Main' });
console.log(`AssetHubServer, hub and one client in one process; ${FILES.toLocaleString('en-US')} files a commit`);

const commit = await held(() => sendCommit((m, p) => panel.ok(SERVER_NAME, m, p, 120_000), { Repository: REPO, Branch: 'Main', Parent: root, Author: 'BENCH', Comment: 'bench', Changes: files('a') }));
const commitBefore = piece(() => store.createCommit({ repository: `${REPO} One Piece`, branch: 'Main', parent: base.Commit, author: 'BENCH', comment: 'bench', changes: files('a') }));
line(`push of ${FILES.toLocaleString('en-US')} files (staged, CreateCommit)`, commit, commitBefore.ms);

const branch = await held(() => panel.ok(SERVER_NAME, 'CreateBranch', { Repository: REPO, Name: 'Copy', From: commit.value }, 120_000));
const branchBefore = piece(() => store.createBranch(`${REPO} One Piece`, 'Copy', commitBefore.value));
line('CreateBranch of that history', branch, branchBefore.ms);

const pages = await held(async () => {
  let after: string | undefined;
  let n = 0;
  do {
    const page = await panel.ok<{ Changes: unknown[]; Next?: string }>(SERVER_NAME, 'GetChanges', { Repository: REPO, Branch: 'Main', From: null, ...(after ? { After: after } : {}) });
    n++;
    after = page.Next;
  } while (after);
  return n;
});
const main = store.branch(REPO, 'Main');
const changesBefore = piece(() => {
  let next: string | null = null;
  let count = 0;
  do {
    const page = store.changesPage(main.id, -1, store.head(main.id).position, next ? JSON.parse(Buffer.from(next, 'base64url').toString()) : null, Number.MAX_SAFE_INTEGER);
    count += page.changes.length;
    next = page.next;
  } while (next);
  return count;
});
line(`GetChanges from the start (${pages.value} pages)`, pages, changesBefore.ms);

const exported = await held(() => panel.ok(SERVER_NAME, 'ExportAssets', { Repository: REPO, Branch: 'Main' }, 120_000));
line('ExportAssets of every asset', exported, exported.wallMs);

const assets = files('a').slice(0, 5000).map((f) => ({ uri: f.URI, tags: ['bench'], metadata: [{ name: 'category', defaultValue: 'Hold' }] }));
const imported = await held(() => panel.ok(SERVER_NAME, 'ImportAssets', { Document: { format: 'assethub.assets', version: 1, repository: REPO, branch: 'Main', assets } }, 120_000));
line('ImportAssets of metadata for 5,000 assets', imported, imported.wallMs);

console.log('  (ExportAssets and ImportAssets: their baseline is their wall time, the hold their work was in one piece.)');

// A managed integration following the branch: another push of as many files, delivered to a receiver in its own
// process as it lands; its steps commit without waiting for the disk. The baseline: commits that wait for it, on the
// same disk, one per step as before.
const receiver = await startBareReceiver();
panel.send({ topic: { Type: 'Set', Target: SERVER_NAME, Name: 'Integrations.Hold' }, message: { Value: {
  EndpointUrl: receiver.url, Secret: 's'.repeat(32), BatchSize: 50, TimeoutMs: 30_000, Repositories: [REPO], Retry: { MaxAttempts: 3, InitialDelayMs: 1000, Multiplier: 2 },
} } });
await panel.stateUpdate(SERVER_NAME, 'Integrations');
const tracked = () => Number(JSON.stringify(cluster.server.integrations.state().Hold ?? {}).match(/"Tracked":(\d+)/)?.[1] ?? 0);
const head = store.head(main.id).commitId;
const delivered = await held(async () => {
  await sendCommit((m, p) => panel.ok(SERVER_NAME, m, p, 120_000), { Repository: REPO, Branch: 'Main', Parent: head, Author: 'BENCH', Comment: 'delivered', Changes: files('b') });
  while (tracked() < FILES) await new Promise((resolve) => setTimeout(resolve, 50));
});
receiver.close();
const durable = new IntegrationsDb(path.join(cluster.dir, 'durable-commits.sqlite'));
const waits = Array.from({ length: 200 }, (_, i) => piece(() => durable.transaction(() => durable.setDeliveryInfo(`d${i}`, null, null))).ms).sort((a, b) => a - b);
durable.close();
console.log(`  ${`push of ${FILES.toLocaleString('en-US')} more, delivered to a webhook`.padEnd(46)} longest hold ${ms(delivered.holdMs).padStart(8)}, wall ${ms(delivered.wallMs)}`);
console.log(`  (a commit that waits for the disk here, as each delivery step made before: median ${waits[100]?.toFixed(1)} ms, longest ${waits.at(-1)?.toFixed(1)} ms of 200; a busy disk makes it 100–250 ms.)`);
console.log(`hold: longest ${ms(Math.max(commit.holdMs, branch.holdMs, pages.holdMs, exported.holdMs, imported.holdMs, delivered.holdMs))} over these requests; in one piece up to ${ms(Math.max(commitBefore.ms, branchBefore.ms, changesBefore.ms))}`);
await cluster.close();
