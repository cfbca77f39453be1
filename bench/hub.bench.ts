/**
 * Data Hub figures, with the hub in a child process so that it does not share a CPU with the peers that load it:
 * (a) routing throughput, one publisher to one subscriber, small BROADCAST Updates pipelined with a bounded window
 *     of messages in flight, next to the same frames through a bare `ws` echo server (one receive and one send per
 *     frame, no decoding, no routing: the transport cost alone). Target: the hub at ≥ 50% of the echo pipeline.
 * (b) Get → Update round trip through the hub: an asker and a responder peer (both decoding, as services do), 5,000
 *     sequential round trips, p50/p99; next to the same Get echoed by the bare server.
 * Run: node --import tsx --expose-gc bench/hub.bench.ts
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { silentLogger } from '../services/lib/log.ts';
import { HUB_NAME, startHub } from '../services/datahub/hub.ts';
import { connectPeer, type Received, type TestPeer } from '../services/datahub/testing/test-peer.ts';
import { encodeFrame, encodeSubscribe, envelope, topicPrefix } from '../shared/protocol/index.ts';
import { median, percentile, printComparison, withinWait } from './lib/measure.ts';

const MESSAGES = 200_000;
const ROUNDS = 3;
const WINDOW = 2_000;
const ROUND_TRIPS = 5_000;

interface Servers { hub: string; echo: string }

/** Child process: the hub and the echo server, until the parent closes our stdin. */
async function serve(): Promise<void> {
  const hub = await startHub({ port: 0, logger: silentLogger() });
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(echo, 'listening');
  echo.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  const address = echo.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ hub: hub.url, echo: `ws://127.0.0.1:${port}` } satisfies Servers)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    for (const client of echo.clients) client.terminate();
    echo.close();
    void hub.close().then(() => process.exit(0));
  });
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();


async function rawClient(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await withinWait(once(ws, 'open'), `connect ${url}`);
  return ws;
}

/** A bare subscriber (no decoding, so the figure is the hub's), confirmed by a Stats round trip. */
async function rawSubscriber(url: string, prefix: string): Promise<WebSocket> {
  const ws = await rawClient(url);
  const name = 'BENCH-Subscriber';
  ws.send(encodeSubscribe([prefix, topicPrefix('Update', { Target: name, Source: HUB_NAME })]));
  ws.send(encodeFrame(envelope<'Get'>({ Type: 'Get', Target: HUB_NAME, Name: 'Stats', RespondTo: name }, {})));
  await withinWait(once(ws, 'message'), 'subscription round trip');
  return ws;
}

/** Sends `total` copies of `frame` keeping at most WINDOW unanswered; messages per second as seen by the receiver. */
async function pump(sender: WebSocket, receiver: WebSocket, frame: Buffer, total: number): Promise<number> {
  let sent = 0;
  let received = 0;
  let wake: (() => void) | undefined;
  const onMessage = (): void => {
    received++;
    if (wake !== undefined && (sent - received <= WINDOW / 2 || received === total)) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  receiver.on('message', onMessage);
  const start = performance.now();
  try {
    while (received < total) {
      while (sent < total && sent - received < WINDOW) {
        sender.send(frame, { binary: false });
        sent++;
      }
      await withinWait(new Promise<void>((resolve) => { wake = resolve; }), `pipeline at ${received}/${total}`);
    }
  } finally {
    receiver.off('message', onMessage);
  }
  return (total * 1000) / (performance.now() - start);
}


/** Sequential round trips: send, await the answer, repeat. Returns sorted latencies in µs. */
async function roundTrips(asker: TestPeer, ask: (i: number) => void, isAnswer: (m: Received, i: number) => boolean, n: number): Promise<number[]> {
  const times: number[] = [];
  let current = -1;
  let answered: (() => void) | undefined;
  const off = asker.onMessage((m) => {
    if (answered !== undefined && isAnswer(m, current)) {
      const a = answered;
      answered = undefined;
      a();
    }
  });
  try {
    for (let i = 0; i < n; i++) {
      current = i;
      const done = new Promise<void>((resolve) => { answered = resolve; });
      const t0 = performance.now();
      ask(i);
      await withinWait(done, `round trip ${i}`);
      times.push((performance.now() - t0) * 1000);
    }
  } finally {
    off();
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await withinWait(once(lines, 'line'), 'child start')) as [string];
  const servers = JSON.parse(first) as Servers;

  // (a) throughput
  const update = envelope<'Update'>(
    { Type: 'Update', Target: 'BROADCAST', Source: 'STAGE-A-AssetHubClient', Name: 'State.Workspaces./srv/Synced Storage/Projects/Alpha.Status' },
    { Value: { Activity: 'Pull', Stage: 'Download', Current: 12, Total: 40, Progress: 0.3 } },
  );
  const frame = Buffer.from(encodeFrame(update));
  const publisher = await rawClient(servers.hub);
  const subscriber = await rawSubscriber(servers.hub, topicPrefix('Update', { Target: 'BROADCAST' }));
  const echo = await rawClient(servers.echo);
  await pump(publisher, subscriber, frame, 20_000);
  await pump(echo, echo, frame, 20_000);
  const hubRates: number[] = [];
  const echoRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc();
    echoRates.push(await pump(echo, echo, frame, MESSAGES));
    gc();
    hubRates.push(await pump(publisher, subscriber, frame, MESSAGES));
  }
  printComparison(`Data Hub routing, ${MESSAGES.toLocaleString('en')} messages × ${ROUNDS} rounds, median (target: ≥ 50% of direct)`, [
    { what: `1 publisher → hub → 1 subscriber (${frame.length} B Update)`, ours: median(hubRates), baselineName: 'direct ws echo', baseline: median(echoRates), unit: 'msg/s' },
  ]);
  for (const ws of [publisher, subscriber, echo]) ws.close();

  // (b) Get → Update round trips
  const asker = await connectPeer(servers.hub, { name: 'BENCH-Asker' });
  const responder = await connectPeer(servers.hub, { name: 'BENCH-Responder' });
  await asker.subscribe([topicPrefix('Update', { Target: asker.name })]);
  await responder.subscribe([topicPrefix('Get', { Target: responder.name })]);
  responder.onMessage((m) => {
    if (m.topic.Type !== 'Get') return;
    responder.send(envelope<'Update'>({ Type: 'Update', Target: m.topic.RespondTo, Source: responder.name, Name: m.topic.Name }, { Value: { AutoPull: true } }));
  });
  const get = (i: number) => envelope<'Get'>({ Type: 'Get', Target: responder.name, Name: `State.Workspaces.W${i}.AutoPull`, RespondTo: asker.name }, {});
  const isAnswerTo = (m: Received, i: number): boolean => m.topic.Type === 'Update' && m.topic.Name === `State.Workspaces.W${i}.AutoPull`;
  const direct = await connectPeer(servers.echo, { name: 'BENCH-Direct' });
  const isEcho = (m: Received, i: number): boolean => m.topic.Type === 'Get' && m.topic.Name === `State.Workspaces.W${i}.AutoPull`;
  await roundTrips(asker, (i) => asker.send(get(i)), isAnswerTo, 500);
  await roundTrips(direct, (i) => direct.send(get(i)), isEcho, 500);
  gc();
  const viaHub = await roundTrips(asker, (i) => asker.send(get(i)), isAnswerTo, ROUND_TRIPS);
  gc();
  const viaEcho = await roundTrips(direct, (i) => direct.send(get(i)), isEcho, ROUND_TRIPS);
  printComparison(`Get → Update round trip, ${ROUND_TRIPS.toLocaleString('en')} sequential (lower is better; the hub path has twice the hops)`, [
    { what: 'p50 asker → hub → responder → hub → asker', ours: percentile(viaHub, 0.5), baselineName: 'direct ws echo', baseline: percentile(viaEcho, 0.5), unit: 'µs' },
    { what: 'p99 asker → hub → responder → hub → asker', ours: percentile(viaHub, 0.99), baselineName: 'direct ws echo', baseline: percentile(viaEcho, 0.99), unit: 'µs' },
  ]);

  await Promise.all([asker.close(), responder.close(), direct.close()]);
  child.stdin.end();
  await withinWait(once(child, 'exit'), 'child exit');
}

if (process.argv.includes('--serve')) await serve();
else await main();
