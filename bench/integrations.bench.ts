/**
 * Managed integrations: Sync all throughput (assets per second) for 100,000 assets to a local receiver that answers at
 * once (its own process), next to a bare loop of the same number of HTTP POSTs with the same batch size and a body of
 * the same shape (a real page of assets) to the same receiver, and the server's peak memory while it runs. The server
 * runs in this process (hub, AssetHubServer, its integrations engine); the Sync all is started with the real Call and
 * followed through the `Integrations` state, as a panel would.
 *
 * The 100,000 assets are appended through the store in four commits (the catalogue's bulk append, which writes what
 * CreateCommit writes); one content chunk backs every file, as no bytes move here.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { IntegrationEntry } from '../shared/assethub/integrations.ts';
import { SERVER_NAME } from '../shared/protocol/index.ts';
import { emptyFilter } from '../shared/rsql/filter.ts';
import { startHub } from '../services/datahub/index.ts';
import { silentLogger } from '../services/lib/log.ts';
import { appendAddingCommit } from '../services/server/catalogue/bulk.ts';
import { deliveryBody, postBatch } from '../services/server/integrations/contract.ts';
import { startServer } from '../services/server/server.ts';
import { tempDir } from '../services/testing/cluster.ts';
import { Probe } from '../services/testing/probe.ts';
import { cpuSplit, processCpu, threadCpu } from './lib/cpu.ts';
import { fmt, printComparison } from './lib/measure.ts';
import { startBareReceiver } from './lib/receiver.ts';

const ASSETS = Number(process.env.BENCH_INTEGRATION_ASSETS ?? 100_000);
const BATCH = 50;
const COMMITS = 4;
const REPO = '%SYNCED_STORAGE%\\Projects\\Bench';
const SECRET = randomBytes(16).toString('hex');

const receiver = await startBareReceiver();
const url = receiver.url;

const dir = await tempDir('assethub-bench-integrations-');
const logger = silentLogger();
const hub = await startHub({ port: 0, logger });
const server = await startServer({ dataDir: path.join(dir, 'server'), hubUrl: hub.url, storagePort: 0, logger });
const panel = await Probe.connect(hub.url, { name: 'BENCH-AssetHubPanel' });

let t = performance.now();
await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
const hash = 'a'.repeat(64);
const per = Math.ceil(ASSETS / COMMITS);
for (let c = 0; c < COMMITS; c++) {
  const changes = Array.from({ length: Math.min(per, ASSETS - c * per) }, (_, i) => ({
    Type: 'PutFile' as const, URI: `FileSystem:/Content/Set${c}/Folder${i % 100}/T_Asset${String(c * per + i).padStart(6, '0')}.png`, Size: 1024, Hash: hash, Chunks: [hash],
  }));
  const branch = server.store.branch(REPO, 'Main');
  appendAddingCommit(server.store, { repository: REPO, branch: 'Main', parent: server.store.head(branch.id).commitId, author: 'BENCH', comment: `assets ${c}`, changes });
}
console.log(`built ${fmt(ASSETS)} assets in ${COMMITS} commits in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// The bare loop's body: a real page of assets in the delivery shape, signed like the engine signs.
const branch = server.store.branch(REPO, 'Main');
const page = server.catalogue.page(branch, { from: null, to: server.store.head(branch.id).position }, emptyFilter('assets'), null, BATCH);
const body = deliveryBody(page.map((asset) => ({ type: 'sync', asset, integrationState: null, assetStateHash: null, assetId: asset.id })), {}, 'bench');
const posts = Math.ceil(ASSETS / BATCH);

/**
 * The same POSTs with the same client (node:http, keep-alive) the engine uses: one after another (the baseline), or
 * `lanes` loops side by side (for context: the engine keeps up to two batches out).
 */
async function bareLoop(lanes = 1): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < posts) {
      const i = next++;
      const outcome = await postBatch({ url, secret: SECRET, body, deliveryId: `bench-${i}`, timeoutMs: 30_000, cancel: new AbortController().signal, nowSeconds: Date.now() / 1000 });
      if (!outcome.ok) throw new Error(`receiver: ${outcome.reason}`);
    }
  }));
  return (posts * BATCH) / ((performance.now() - start) / 1000);
}

const bareBefore = await bareLoop();

// The Sync all, through the hub like a panel.
panel.send({ topic: { Type: 'Set', Target: SERVER_NAME, Name: 'Integrations.Bench' }, message: { Value: {
  EndpointUrl: url, Secret: SECRET, BatchSize: BATCH, TimeoutMs: 30_000, Repositories: [REPO], Retry: { MaxAttempts: 3, InitialDelayMs: 1000, Multiplier: 2 },
} } });
await panel.stateUpdate(SERVER_NAME, 'Integrations');
globalThis.gc?.();
const base = process.memoryUsage();
let peakRss = base.rss;
let peakHeap = base.heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 25);
const threadsBefore = threadCpu();
const receiverBefore = processCpu(receiver.process.pid ?? -1);
t = performance.now();
const started = await panel.ok<{ Total: number }>(SERVER_NAME, 'SyncAllAssets', { Integration: 'Bench' });
if (started.Total !== ASSETS) throw new Error(`Sync all counted ${started.Total} assets, not ${ASSETS}`);
let entry;
for (;;) {
  await new Promise((r) => setTimeout(r, 100));
  entry = IntegrationEntry.parse(await panel.get(SERVER_NAME, ['Integrations', 'Bench']));
  if (entry.Sync?.Outcome === 'Completed' && entry.Pending === 0) break;
}
const seconds = (performance.now() - t) / 1000;
clearInterval(sampler);
const threadsAfter = threadCpu();
const receiverAfter = processCpu(receiver.process.pid ?? -1);
if (entry.Tracked !== ASSETS) throw new Error(`${entry.Tracked} tracked, ${entry.Failed} failed of ${ASSETS}: ${entry.LastError ?? ''}`);
const ours = ASSETS / seconds;


const bareAfter = await bareLoop();
const bare = (bareBefore + bareAfter) / 2;
const bareTwo = await bareLoop(2);

printComparison(`Managed integration: Sync all of ${fmt(ASSETS)} assets, batches of ${BATCH}, to a receiver answering at once`, [
  { what: 'Sync all (read, sign, POST, record every outcome durably)', ours, baselineName: 'bare POST loop', baseline: bare, unit: 'assets/s' },
]);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
console.log(`  took ${seconds.toFixed(1)} s; bare loop ${fmt(bareBefore)} / ${fmt(bareAfter)} assets/s (before / after); two bare loops side by side ${fmt(bareTwo)} assets/s`);
if (threadsBefore && threadsAfter && receiverBefore !== null && receiverAfter !== null) {
  // Where the time went: this VM has 2 cores for the engine's thread, its delivery thread, V8's helpers and the receiver.
  const { main, others } = cpuSplit(threadsBefore, threadsAfter);
  const per = (ms: number) => `${(ms / (ASSETS / 1000)).toFixed(0)} ms`;
  console.log(`  CPU per 1,000 assets: server main thread ${per(main)}, its other threads (delivery, GC, compiler) ${per(others)}, receiver ${per(receiverAfter - receiverBefore)}; wall ${per(seconds * 1000)}`);
}
console.log(`  server process memory during the Sync all: RSS ${mb(base.rss)} → peak ${mb(peakRss)}, heap used ${mb(base.heapUsed)} → peak ${mb(peakHeap)}`);

await panel.close();
await server.close();
await hub.close();
receiver.close();
await rm(dir, { recursive: true, force: true });
