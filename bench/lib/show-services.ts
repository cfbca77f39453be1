/**
 * The show simulator's system under test, each part in its own process: a Data Hub (either fabric), the
 * AssetHubServer on a copy of a prepared data folder, real AssetHubClients (several per process) and simulated ones
 * (./sim-process.ts, many per process). What the bench needs of them: their pids, the hub's address, the server's
 * storage URL and commands for the children; `close` ends every one of them.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build as esbuild } from 'esbuild';
import type { FabricName } from '../../services/datahub/index.ts';
import { Probe } from '../../services/testing/probe.ts';
import { exited, spawnServer } from '../../services/testing/server-process.ts';
import { WAIT_MS } from './measure.ts';
import type { SimMachineSpec } from './sim-client.ts';
import type { RealReply, RealRequest, SimReply, SimRequest } from './sim-protocol.ts';

export interface Child<Req, Rep> {
  process: ChildProcess;
  /** Sends a request and resolves with the next reply (rejects on an `error` reply, an exit, or after `timeoutMs`). */
  ask(request: Req, timeoutMs?: number): Promise<Rep>;
}

/**
 * The real clients run as shipped: bundled like app/dist's services (scripts/build.mjs, as bench/transfer.bench.ts
 * does), with their scan worker beside them; under the TypeScript loader each scan thread would load it again, which
 * alone made a CreateWorkspace take over a second. Built beside node_modules, whence the bundle loads its packages.
 */
export async function bundleRealClients(): Promise<string> {
  const dir = path.resolve('node_modules/.cache/assethub-bench-show');
  for (const [entry, out] of [['bench/lib/real-process.ts', 'real-process.mjs'], ['services/client/scan/scan.worker.ts', 'scan.worker.mjs']] as const) {
    await esbuild({ entryPoints: [entry], outfile: path.join(dir, out), bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
  }
  return path.join(dir, 'real-process.mjs');
}

/**
 * The machines of the show (real clients, simulated ones) stand for other computers: on this one they run at the lowest
 * CPU priority (nice 19, every thread of theirs), so that what they cost does not land in the panel's, the hub's and
 * the server's figures as time spent waiting for a core. SHOW_NICE=N runs them at nice N (0: the same priority).
 */
export const MACHINES_NICE = existsSync('/usr/bin/nice') ? Math.max(0, Math.min(19, Number(process.env.SHOW_NICE ?? 19) || 0)) : 0;

/**
 * A group of machines in one process. The foreground ones are the machines the panel switches (one process per kind):
 * at normal priority, as a machine of a show answers on a computer of its own, not on what 500 machines leave of two
 * cores.
 */
export interface MachineGroup<T> {
  machines: T[];
  foreground?: boolean;
}

function child<Req extends { type: string }, Rep extends { type: string; message?: string }>(file: string, foreground = false): Child<Req, Rep> {
  const execArgv = file.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const nice = MACHINES_NICE > 0 && !foreground ? { execPath: '/usr/bin/nice', execArgv: ['-n', String(MACHINES_NICE), process.execPath, ...execArgv] } : { execArgv };
  // A session of its own, whose autogroup is at the same nice: Linux shares the CPU between sessions' autogroups
  // first and applies nice only within one, and Chromium runs in a session of its own (Playwright starts it so).
  // Within ours the machines gave way to the hub, the server and the engine, but not to Chromium.
  // The foreground ones stay in ours, at the hub's priority: a session of their own would weigh as much as Chromium's.
  const detached = MACHINES_NICE > 0 && !foreground && existsSync('/proc/self/autogroup');
  const proc = fork(file, [], { ...nice, detached, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ASSETHUB_LOG_LEVEL: 'error' } });
  if (detached && proc.pid !== undefined) {
    try {
      writeFileSync(`/proc/${proc.pid}/autogroup`, String(MACHINES_NICE));
    } catch (error) {
      console.warn(`  (could not set the machines' autogroup to nice ${MACHINES_NICE}: ${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return {
    process: proc,
    ask(request, timeoutMs = 5 * WAIT_MS) {
      return new Promise<Rep>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${path.basename(file)}: no answer to ${request.type} within ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (reply: Rep) => done(reply.type === 'error' ? new Error(`${path.basename(file)}: ${reply.message ?? ''}`) : null, reply);
        const onExit = (code: number | null) => done(new Error(`${path.basename(file)} exited (${code}) before answering ${request.type}`));
        function done(error: Error | null, reply?: Rep): void {
          clearTimeout(timer);
          proc.off('message', onMessage);
          proc.off('exit', onExit);
          if (error) reject(error);
          else resolve(reply as Rep);
        }
        proc.on('message', onMessage);
        proc.once('exit', onExit);
        proc.send(request);
      });
    },
  };
}

export type SimChild = Child<SimRequest, SimReply>;
export type RealChild = Child<RealRequest, RealReply>;

/** The hub alone in its process, as `npx tsx services/datahub/main.ts` runs it; resolves with its address. */
async function startHubProcess(fabric: FabricName): Promise<{ process: ChildProcess; url: string }> {
  const ports = fabric === 'ws' ? ['--port', '0'] : ['--sub-port', '0', '--pub-port', '0'];
  const proc = spawn(process.execPath, [...(process.env.SHOW_HUB_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SHOW_HUB_PROF] : []), '--import', 'tsx', 'services/datahub/main.ts', '--fabric', fabric, ...ports], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ASSETHUB_LOG_LEVEL: 'warn' },
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub printed no address: ${out}`)), WAIT_MS);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Data Hub ready on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`the hub exited (${code}): ${out}`)));
  });
  return { process: proc, url };
}

export interface ShowServices {
  hub: { process: ChildProcess; url: string };
  server: { process: ChildProcess; storageUrl: string };
  real: RealChild[];
  sims: SimChild[];
  /** Real machines' synced storage folders, by machine. */
  storage: Record<string, string>;
  close(): Promise<void>;
}

export interface ShowPlan {
  fabric: FabricName;
  serverDir: string;
  clientsDir: string;
  /** Real machines, in groups: one process per group. */
  realGroups: MachineGroup<string>[];
  /** Simulated machines, in groups: one process per group. */
  simGroups: MachineGroup<SimMachineSpec>[];
  /** The real clients' bundled process (bundleRealClients). */
  realProcess: string;
}

export async function startShow(plan: ShowPlan): Promise<ShowServices> {
  const started: ChildProcess[] = [];
  const real: RealChild[] = [];
  const sims: SimChild[] = [];
  const close = async (): Promise<void> => {
    await Promise.all([...real, ...sims].map((c) => c.ask({ type: 'close' }, 10_000).catch(() => undefined)));
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.all(started.map((p) => Promise.race([exited(p), new Promise((r) => setTimeout(r, 5000))])));
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  };
  try {
    const hub = await startHubProcess(plan.fabric);
    started.push(hub.process);
    const watcher = await Probe.connect(hub.url, { name: 'BENCH-SHOW-AssetHubPanel' });
    const server = await spawnServer(watcher, hub.url, plan.serverDir).finally(() => watcher.close());
    started.push(server.child);
    const storage: Record<string, string> = {};
    for (const group of plan.realGroups) {
      const c = child<RealRequest, RealReply>(plan.realProcess, group.foreground);
      started.push(c.process);
      real.push(c);
    }
    for (const group of plan.simGroups) {
      const c = child<SimRequest, SimReply>('bench/lib/sim-process.ts', group.foreground);
      started.push(c.process);
      sims.push(c);
    }
    await Promise.all(real.map(async (c, i) => {
      const reply = await c.ask({ type: 'start', hubUrl: hub.url, dir: plan.clientsDir, machines: plan.realGroups[i]?.machines ?? [] });
      if (reply.type === 'started') Object.assign(storage, reply.storage);
    }));
    return { hub, server: { process: server.child, storageUrl: server.storageUrl }, real, sims, storage, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Starts every simulated machine (after the real ones are set up, as a show's machines come up in waves). */
export async function startSims(show: ShowServices, groups: MachineGroup<SimMachineSpec>[]): Promise<void> {
  await Promise.all(show.sims.map((c, i) => c.ask({ type: 'start', hubUrl: show.hub.url, machines: groups[i]?.machines ?? [], seed: i * 1000 })));
}
