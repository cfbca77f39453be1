/**
 * What a hostile request costs the process of the services it is addressed to: a Call of 15 MB (Params of ~150,000
 * small objects, well over the 1 MiB a service takes) sent to a reference service (services/lib/service-host.ts),
 * which refuses it with TOO_LARGE. Figures:
 * (a) the longest event-loop hold in the service's process while it receives and refuses one such Call
 *     (perf_hooks.monitorEventLoopDelay, max), on the WebSocket hub and on the ZeroMQ hub, refused from its topic
 *     before its Message is read (the transport asked to `admit` it) next to the same service whose transport is not
 *     asked, so that it decodes the frame whole and then refuses it (what every service did before `admit`);
 * (b) the handler alone, in-process: skimming the frame's topic next to decoding the frame whole.
 * The hubs run in a child process (they decode every frame they route, which is theirs to pay), and the hostile
 * frame is encoded once, before measuring, and sent as bytes.
 * Run: node --import tsx --expose-gc bench/refusal.bench.ts
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defaultTransport, HubPeer, type TransportFactory } from '../peer/index.ts';
import { socketOf } from '../peer/ws-transport.ts';
import { startHub } from '../services/datahub/hub.ts';
import { startZmqHub } from '../services/datahub/zmq-hub.ts';
import { silentLogger } from '../services/lib/log.ts';
import { ServiceHost } from '../services/lib/service-host.ts';
import {
  decodeFrame, encodeFrame, encodeMultipart, envelope, skimFrame, topicPrefix, type Envelope,
} from '../shared/protocol/index.ts';
import { median, withinWait } from './lib/measure.ts';

const SERVICE = 'BENCH-AssetHubClient';
const ASKER = 'BENCH-AssetHubPanel';
const TRIALS = 5;

interface Servers { ws: string; zmq: string }

/** Child process: both hubs, until the parent closes our stdin. */
async function serve(): Promise<void> {
  const ws = await startHub({ port: 0, logger: silentLogger() });
  const zmq = await startZmqHub({ subPort: 0, pubPort: 0, logger: silentLogger() });
  process.stdout.write(`${JSON.stringify({ ws: ws.url, zmq: zmq.url } satisfies Servers)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void Promise.all([ws.close(), zmq.close()]).then(() => process.exit(0)));
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** A Call of about `bytes` bytes: Params of many small objects, the costliest kind of JSON to decode per byte. */
function hostileCall(id: string, bytes: number): Envelope {
  const row = (i: number) => ({ URI: `FileSystem:/project/assets/textures/wall-${i}.png`, Size: i, Hash: 'a1b2c3d4e5f6' });
  const perRow = JSON.stringify(row(100_000)).length + 1;
  const Files = Array.from({ length: Math.ceil(bytes / perRow) }, (_, i) => row(i));
  return envelope<'Call'>({ Type: 'Call', Target: SERVICE, RespondTo: ASKER, Method: 'Echo', ID: id }, { Params: { Files } });
}

/** Without `admit`: the transport decodes every frame whole, and the service refuses after (as before `admit`). */
const decodingWhole: TransportFactory = (options, events) => {
  const { admit: _admit, ...rest } = options;
  return defaultTransport(rest, events);
};

async function measure(url: string, fabric: 'ws' | 'zmq', skim: boolean): Promise<{ holdMs: number[]; bytes: number }> {
  const service = new ServiceHost(
    { name: SERVICE, version: '1.0.0', states: [], get: () => undefined, calls: { Echo: { params: z.object({}).passthrough(), handler: () => ({}) } } },
    { hubUrl: url, logger: silentLogger(), ...(skim ? {} : { transport: decodingWhole }) },
  );
  const answers = new Map<string, (message: unknown) => void>();
  const asker = new HubPeer(
    { name: ASKER, subscriptions: [topicPrefix('CallResult', { Target: ASKER })] },
    { onMessage: (m) => void (m.topic.Type === 'CallResult' && answers.get(m.topic.ID)?.(m.message)) },
  );
  try {
    await service.start();
    asker.connect(url);
    await asker.whenUp();
    // The service is subscribed and routed to once a small Call comes back.
    await withinWait(asker.call(SERVICE, 'Echo', {}), 'a small Call');
    const holdMs: number[] = [];
    let bytes = 0;
    const monitor = monitorEventLoopDelay({ resolution: 1 });
    monitor.enable();
    for (let i = 0; i < TRIALS; i++) {
      const call = hostileCall(`hostile-${i}`, 15 * 1024 * 1024);
      const wire = fabric === 'ws' ? [Buffer.from(encodeFrame(call))] : encodeMultipart(call);
      bytes = wire.reduce((n, p) => n + p.length, 0);
      gc();
      await new Promise((r) => setTimeout(r, 50));
      const answered = new Promise<unknown>((resolve) => answers.set(`hostile-${i}`, resolve));
      monitor.reset();
      if (fabric === 'ws') socketOf(asker.currentTransport as NonNullable<typeof asker.currentTransport>)?.send(wire[0] as Buffer, { binary: false });
      else asker.sendRaw(wire);
      const answer = await withinWait(answered, 'the refusal');
      if ((answer as { Failure?: { Code?: string } }).Failure?.Code !== 'TOO_LARGE') throw new Error(`not refused: ${JSON.stringify(answer).slice(0, 200)}`);
      holdMs.push(monitor.max / 1e6);
    }
    monitor.disable();
    return { holdMs, bytes };
  } finally {
    asker.close();
    await service.close();
  }
}

/** One run of `fn`, in ms. */
function once_(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await withinWait(once(createInterface({ input: child.stdout }), 'line'), 'the hubs')) as [string];
  const servers = JSON.parse(line) as Servers;
  try {
    console.log(`\n(a) longest event-loop hold of the service's process while it refuses one hostile Call (median of ${TRIALS}; resolution 1 ms)`);
    for (const fabric of ['ws', 'zmq'] as const) {
      const skimmed = await measure(servers[fabric], fabric, true);
      const whole = await measure(servers[fabric], fabric, false);
      const fmtMs = (xs: number[]) => `${median(xs).toFixed(1)} ms (max ${Math.max(...xs).toFixed(1)})`;
      console.log(`  ${fabric.padEnd(3)} Call of ${(skimmed.bytes / 1e6).toFixed(1)} MB: refused from its topic ${fmtMs(skimmed.holdMs).padStart(22)}   vs decoded whole, then refused ${fmtMs(whole.holdMs)}`);
    }
    console.log('\n(b) the handler alone, one hostile frame (median of 5 runs)');
    const frame = Buffer.from(encodeFrame(hostileCall('x', 15 * 1024 * 1024)));
    const skim: number[] = [];
    const decode: number[] = [];
    for (let i = 0; i < 5; i++) {
      gc();
      skim.push(once_(() => skimFrame(frame)));
      gc();
      decode.push(once_(() => decodeFrame(frame.toString('utf8'))));
    }
    console.log(`  skimFrame (topic only) ${median(skim).toFixed(3)} ms   vs toString + decodeFrame ${median(decode).toFixed(1)} ms   (${(frame.length / 1e6).toFixed(1)} MB)`);
  } finally {
    child.stdin.end();
    await once(child, 'exit');
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
