/**
 * The two fabrics side by side, with the hubs in a child process so that they do not share a JS thread with the
 * peers that load them:
 * (a) routing through the ZeroMQ Data Hub (libzmq's proxy plus the hub's inspector and DataHub service) next to a
 *     bare libzmq PUB → XSUB/XPUB proxy → SUB pipe of the same frames with the same high-water marks: one raw
 *     publisher, one raw subscriber (no decoding, so the figure is the hub's), a bounded window of messages in
 *     flight. Target: the hub at ≥ 70% of the bare pipe.
 * (b) Get → Update round trips through each fabric: two hub peers (peer/hub-peer.ts, decoding as every peer does),
 *     one asking, one answering, 5,000 sequential round trips, p50/p99, on the WebSocket hub and on the ZeroMQ hub.
 * Run: node --import tsx --expose-gc bench/fabric.bench.ts
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type * as Zmq from 'zeromq';
import { HubPeer } from '../peer/index.ts';
import { loadZeromq, RECEIVE_HIGH_WATER_MARK, SEND_HIGH_WATER_MARK } from '../peer/zmq-transport.ts';
import { startHub } from '../services/datahub/hub.ts';
import { startZmqHub } from '../services/datahub/zmq-hub.ts';
import { silentLogger } from '../services/lib/log.ts';
import { encodeMultipart, envelope, topicPrefix, zmqHubUrl, type Envelope } from '../shared/protocol/index.ts';
import { median, percentile, printComparison, WAIT_MS, withinWait } from './lib/measure.ts';

const MESSAGES = 200_000;
const ROUNDS = 3;
const WINDOW = 2_000;
const ROUND_TRIPS = 5_000;

interface Servers { zmqHub: string; bare: { sub: number; pub: number }; wsHub: string }

/** Child process: the ZeroMQ hub, a bare proxy and the WebSocket hub, until the parent closes our stdin. */
async function serve(): Promise<void> {
  const zmq = loadZeromq();
  const zmqHub = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
  const wsHub = await startHub({ port: 0, logger: silentLogger() });
  const xsub = new zmq.XSubscriber({ linger: 0, receiveHighWaterMark: RECEIVE_HIGH_WATER_MARK });
  const xpub = new zmq.XPublisher({ linger: 0, sendHighWaterMark: SEND_HIGH_WATER_MARK });
  await xsub.bind('tcp://127.0.0.1:*');
  await xpub.bind('tcp://127.0.0.1:*');
  const proxy = new zmq.Proxy(xsub, xpub);
  const running = proxy.run();
  const port = (s: Zmq.Socket) => Number(/:(\d+)$/.exec(s.lastEndpoint ?? '')?.[1]);
  process.stdout.write(`${JSON.stringify({ zmqHub: zmqHub.url, bare: { sub: port(xpub), pub: port(xsub) }, wsHub: wsHub.url } satisfies Servers)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    proxy.terminate();
    void running.catch(() => {}).then(async () => {
      xsub.close();
      xpub.close();
      await zmqHub.close();
      await wsHub.close();
      process.exit(0);
    });
  });
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();


/** A raw publisher and subscriber on a ZeroMQ hub, counting what arrives; ready once one message made it through. */
async function rawPair(zmq: typeof Zmq, sub: number, pub: number, topic: string) {
  const publisher = new zmq.Publisher({ linger: 0, sendHighWaterMark: SEND_HIGH_WATER_MARK });
  const subscriber = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: RECEIVE_HIGH_WATER_MARK });
  subscriber.connect(`tcp://127.0.0.1:${sub}`);
  subscriber.subscribe(topic);
  publisher.connect(`tcp://127.0.0.1:${pub}`);
  let received = 0;
  let onReceive: (() => void) | undefined;
  void (async () => {
    try {
      for await (const _parts of subscriber) {
        received++;
        onReceive?.();
      }
    } catch {
      // closed
    }
  })();
  // Subscriptions travel upstream asynchronously (the slow joiner): send until one comes through.
  const probe = encodeMultipart(envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: 'BENCH', Name: 'Probe' }, { Value: 0 }));
  const deadline = Date.now() + WAIT_MS;
  while (received === 0) {
    if (Date.now() > deadline) throw new Error('no message came through the hub');
    await publisher.send(probe);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 100));
  return {
    get received(): number {
      return received;
    },
    set onReceive(f: (() => void) | undefined) {
      onReceive = f;
    },
    publisher,
    close(): void {
      publisher.close();
      subscriber.close();
    },
  };
}

type Pair = Awaited<ReturnType<typeof rawPair>>;

/** Sends `total` copies of `parts` keeping at most WINDOW in flight; messages per second as seen by the receiver. */
async function pump(pair: Pair, parts: Uint8Array[], total: number): Promise<number> {
  const base = pair.received;
  let sent = 0;
  let wake: (() => void) | undefined;
  pair.onReceive = () => {
    const got = pair.received - base;
    if (wake !== undefined && (sent - got <= WINDOW / 2 || got >= total)) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  const start = performance.now();
  try {
    while (pair.received - base < total) {
      while (sent < total && sent - (pair.received - base) < WINDOW) {
        await pair.publisher.send(parts);
        sent++;
      }
      if (pair.received - base >= total) break;
      await withinWait(new Promise<void>((resolve) => { wake = resolve; }), `pipeline at ${pair.received - base}/${total}`);
    }
  } finally {
    pair.onReceive = undefined;
  }
  return (total * 1000) / (performance.now() - start);
}


/** An asker and a responder hub peer on `url`; sorted Get → Update latencies in µs. */
async function getRoundTrips(url: string, n: number): Promise<number[]> {
  let responder: HubPeer | null = null;
  responder = new HubPeer(
    { name: 'BENCH-Responder', subscriptions: [topicPrefix('Get', { Target: 'BENCH-Responder' })] },
    {
      onMessage: (m: Envelope) => {
        if (m.topic.Type !== 'Get') return;
        responder?.send(envelope<'Update'>({ Type: 'Update', Target: m.topic.RespondTo, Source: 'BENCH-Responder', Name: m.topic.Name }, { Value: { AutoPull: true } }));
      },
    },
  );
  const asker = new HubPeer({ name: 'BENCH-Asker', subscriptions: [topicPrefix('Update', { Target: 'BENCH-Asker' })], requestTimeoutMs: WAIT_MS });
  responder.connect(url);
  asker.connect(url);
  await Promise.all([responder.whenUp(), asker.whenUp()]);
  // Both up; let the responder's subscription reach the asker's publisher side as well.
  await asker.get('BENCH-Responder', ['State', 'Workspaces', 'warm', 'AutoPull']);
  const run = async (count: number): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await asker.get('BENCH-Responder', ['State', 'Workspaces', `W${i}`, 'AutoPull']);
      times.push((performance.now() - t0) * 1000);
    }
    return times.sort((a, b) => a - b);
  };
  await run(500);
  gc();
  const times = await run(n);
  asker.close();
  responder.close();
  return times;
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await withinWait(once(lines, 'line'), 'child start')) as [string];
  const servers = JSON.parse(first) as Servers;
  const zmq = loadZeromq();
  const hubPorts = /sub=(\d+)&pub=(\d+)/.exec(servers.zmqHub);
  if (!hubPorts) throw new Error(`unexpected hub address ${servers.zmqHub}`);

  // (a) routing
  const update = envelope<'Update'>(
    { Type: 'Update', Target: 'BROADCAST', Source: 'STAGE-A-AssetHubClient', Name: 'State.Workspaces./srv/Synced Storage/Projects/Alpha.Status' },
    { Value: { Activity: 'Pull', Stage: 'Download', Current: 12, Total: 40, Progress: 0.3 } },
  );
  const parts = encodeMultipart(update);
  const bytes = parts.reduce((n, p) => n + p.length, 0);
  const topic = topicPrefix('Update', { Target: 'BROADCAST' });
  const viaHub = await rawPair(zmq, Number(hubPorts[1]), Number(hubPorts[2]), topic);
  const viaBare = await rawPair(zmq, servers.bare.sub, servers.bare.pub, topic);
  await pump(viaHub, parts, 20_000);
  await pump(viaBare, parts, 20_000);
  const hubRates: number[] = [];
  const bareRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc();
    bareRates.push(await pump(viaBare, parts, MESSAGES));
    gc();
    hubRates.push(await pump(viaHub, parts, MESSAGES));
  }
  printComparison(`ZeroMQ Data Hub routing, ${MESSAGES.toLocaleString('en')} messages × ${ROUNDS} rounds, median (target: ≥ 70% of the bare pipe)`, [
    { what: `1 PUB → hub (proxy + inspector + DataHub) → 1 SUB (${bytes} B Update)`, ours: median(hubRates), baselineName: 'bare PUB → proxy → SUB', baseline: median(bareRates), unit: 'msg/s' },
  ]);
  viaHub.close();
  viaBare.close();

  // (b) Get → Update round trips on each fabric
  const wsTimes = await getRoundTrips(servers.wsHub, ROUND_TRIPS);
  const zmqTimes = await getRoundTrips(servers.zmqHub, ROUND_TRIPS);
  printComparison(`Get → Update round trip through each fabric, ${ROUND_TRIPS.toLocaleString('en')} sequential, hub peers on both ends (lower is better)`, [
    { what: 'p50 asker → ZeroMQ hub → responder → ZeroMQ hub → asker', ours: percentile(zmqTimes, 0.5), baselineName: 'WebSocket hub', baseline: percentile(wsTimes, 0.5), unit: 'µs' },
    { what: 'p99 asker → ZeroMQ hub → responder → ZeroMQ hub → asker', ours: percentile(zmqTimes, 0.99), baselineName: 'WebSocket hub', baseline: percentile(wsTimes, 0.99), unit: 'µs' },
  ]);
  console.log(`  (${zmqHubUrl('127.0.0.1', Number(hubPorts[1]), Number(hubPorts[2]))} and ${servers.wsHub})`);

  child.stdin.end();
  await withinWait(once(child, 'exit'), 'child exit');
}

if (process.argv.includes('--serve')) await serve();
else await main();
