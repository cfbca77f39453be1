/**
 * Show simulator (issue 20): 500 machines on one hub, on each fabric in turn (ws, then zmq). The real Data Hub, the
 * real AssetHubServer with a 1,000,000-asset catalogue (bench/lib/catalogue-build.ts), 50 real AssetHubClients (five
 * workspaces each, pulled through the real Calls) and 450 simulated ones (bench/lib/sim-client.ts: the client's
 * states, Updates and Set confirmations on the services' own ServiceHost; five workspaces each, some with thousands of
 * local changes), each group in its own processes. For a minute about a tenth of the machines pull at any time
 * (status Updates every 250 ms), artists edit, and commits arrive (real clients pull them by AutoPull). The browser
 * panel (web host + Chromium) follows the show.
 *
 * Printed per fabric: the hub's CPU and fan-out rate, the server's WorkspaceInfo Updates (size, rate), the panel
 * engine's CPU and memory (the web host's process), and in Chromium the time to first full render, the longest task
 * of the traffic minute (target < 50 ms), AutoPull confirmations p50/p99 (target p99 < 100 ms; beside a Get round
 * trip to the same machines as its baseline; the switched machines run at normal priority, as on computers of their
 * own) and a bulk AutoPull on all 500 machines (target < 2 s). Last line:
 * `show: 500 machines, longest task NN ms, toggle p99 NN ms, bulk NN ms` (the worse fabric of each).
 * Run: npm run bench -- show
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FabricName } from '../services/datahub/index.ts';
import { ServerStore } from '../services/server/store.ts';
import { SERVER_NAME } from '../shared/protocol/index.ts';
import { buildCatalogue } from './lib/catalogue-build.ts';
import { processCpu } from './lib/cpu.ts';
import { median, percentile } from './lib/measure.ts';
import { profilePage } from './lib/cpu-profile.ts';
import { bulkAutoPull, firstFullRender, longTasks, openPanel, pageHeap, pageNow, showView, toggleAutoPull, traceMainThread, type MainThreadTasks } from './lib/show-panel.ts';
import { ShowPeer } from './lib/show-peer.ts';
import { startWakeProbe, type WakeLateness } from './lib/wake-probe.ts';
import { coresNote, pinToShowCores } from './lib/show-cores.ts';
import { bundleRealClients, MACHINES_NICE, startShow, startSims, type MachineGroup } from './lib/show-services.ts';
import { BRANCH, clientName, commitArrives, createRepositories, REAL_AUTOPULL_REPO, SHOW_REPOS, setUpRealMachines, simMachines, waitFor } from './lib/show-setup.ts';

// SHOW_* change the show's size for development; `npm run bench` runs the issue's.
const MACHINES = Number(process.env.SHOW_MACHINES ?? 500);
const REAL = Number(process.env.SHOW_REAL ?? 50);
const TRAFFIC_S = Number(process.env.SHOW_TRAFFIC_S ?? 60);
const TOGGLES = 40;
const TOGGLE_LIMIT_MS = 10_000;
const BULK_LIMIT_MS = 60_000;
/** What broke (a confirmation that never came): printed, and the run exits non-zero. */
const broken: string[] = [];
const CATALOGUE_REPO = '%SYNCED_STORAGE%\\Show\\Catalogue';

const realMachines = Array.from({ length: REAL }, (_, i) => `STAGE-${String(i + 1).padStart(3, '0')}`);
const sims = simMachines(MACHINES - REAL);
const groups = <T>(xs: T[], n: number): MachineGroup<T>[] => Array.from({ length: n }, (_, g) => ({ machines: xs.filter((_, i) => i % n === g) }));
// The machines the panel switches, two of each kind (a simulated one with thousands of local changes among them), each
// kind in a process of its own at normal priority (MachineGroup); the rest share what is left at MACHINES_NICE.
const switchedSims = [sims[0], sims.find((s) => s.machine.includes('EDIT')) ?? sims[1]].filter((s) => s !== undefined);
const realGroups = [{ machines: realMachines.slice(0, 2), foreground: true }, ...groups(realMachines.slice(2), 5)];
const simGroups = [{ machines: switchedSims, foreground: true }, ...groups(sims.filter((s) => !switchedSims.includes(s)), 4)];
const switched = [realMachines[0], switchedSims[0]?.machine, realMachines[1], switchedSims[1]?.machine].filter((m) => m !== undefined);
const background = [...realMachines.slice(2), ...sims.filter((s) => !switchedSims.includes(s)).map((s) => s.machine)];
const memMiB = (pid: number, field: 'VmRSS' | 'VmHWM'): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FabricFigures {
  fabric: FabricName; setupS: number; firstRenderMs: number;
  hubCpu: number; fanOut: number; hubIn: number; dropped: number;
  serverCpu: number; wiRate: number; wiBytes: number; wiWhole: number;
  engineCpu: number; engineRss: number; engineHwm: number; pageHeapMiB: number;
  longest: number; longCount: number; longestWorkspaces: number; traced: MainThreadTasks | null; wake: WakeLateness;
  toggleP50: number; toggleP99: number; toggleTried: number; toggleConfirmed: number; getP50: number; getP99: number; getBgP50: number; getBgP99: number;
  bulkMs: number; bulkSettledMs: number; bulkTotal: number; bulkConfirmed: number; bulkFailed: number; bulkCodes: Record<string, number>;
  simPulls: number; simLagMax: number; commits: number;
}

async function runFabric(fabric: FabricName, root: string, template: string, realProcess: string): Promise<FabricFigures> {
  const serverDir = path.join(root, fabric, 'server');
  await cp(template, serverDir, { recursive: true });
  const setupStart = performance.now();
  const show = await startShow({ fabric, serverDir, clientsDir: path.join(root, fabric, 'clients'), realGroups, simGroups, realProcess });
  let peer: ShowPeer | null = null;
  let panel: Awaited<ReturnType<typeof openPanel>> | null = null;
  onSignal.add(teardown);
  try {
    const phase = (what: string) => console.log(`  [${fabric}] ${what} at ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);
    phase('hub, server and real clients started');
    peer = await ShowPeer.connect(show.hub.url);
    const heads = await createRepositories(peer, show.server.storageUrl);
    await setUpRealMachines(peer, realMachines, heads);
    phase(`${REAL} real machines' workspaces pulled`);
    await startSims(show, simGroups);
    phase(`${sims.length} simulated machines started`);
    const p = peer;
    await waitFor(`the server lists ${MACHINES} clients`, async () => {
      const info = await p.get(SERVER_NAME, ['WorkspaceInfo']) as { Clients: Record<string, unknown> };
      return Object.keys(info.Clients).length >= MACHINES;
    }, 120_000, 1000);
    const setupS = (performance.now() - setupStart) / 1000;

    panel = await openPanel(show.hub.url, path.join(root, fabric, 'panel'));
    const { page } = panel;
    const firstRenderMs = await firstFullRender(page, panel.url, MACHINES, 120_000);
    phase(`the panel showed ${MACHINES} machines`);
    const enginePid = panel.host.pid ?? 0;

    // ---- a minute of show traffic ----
    await Promise.all(show.sims.map((c) => c.ask({ type: 'traffic', syncing: 0.1 })));
    const pageStart = await pageNow(page);
    const stats0 = await peer.hubStats();
    const cpu0 = { hub: processCpu(show.hub.process.pid ?? 0) ?? 0, server: processCpu(show.server.process.pid ?? 0) ?? 0, engine: processCpu(enginePid) ?? 0 };
    peer.resetCounts();
    // The trace costs the page time of its own: off with SHOW_TRACE=0, to see the long tasks without it.
    const stopTrace = process.env.SHOW_TRACE === '0' ? null : await traceMainThread(page);
    const probe = startWakeProbe();
    const stopProfile = process.env.SHOW_PROFILE ? await profilePage(page, path.join(os.tmpdir(), `show-${fabric}.cpuprofile`)) : null;
    const benchLag = monitorEventLoopDelay({ resolution: 20 });
    benchLag.enable();
    const t0 = performance.now();
    let commits = 0;
    const getMs: number[] = [];
    const getBgMs: number[] = [];
    while (performance.now() - t0 < TRAFFIC_S * 1000) {
      // A commit every ~6 s: every other one on the repository real machines pull by AutoPull.
      const repo = commits % 2 === 0 ? REAL_AUTOPULL_REPO : (SHOW_REPOS[commits % 4] as string);
      await commitArrives(peer, show.server.storageUrl, heads, repo, commits++);
      // Get round trips to the switched machines, the baseline of a toggle's confirmation, and to the others.
      for (let i = 0; i < 4; i++) {
        const [machine, into] = i < 2 ? [switched[(commits * 2 + i) % switched.length] as string, getMs] : [background[(commits * 37 + i) % background.length] as string, getBgMs];
        const g0 = performance.now();
        try {
          await peer.get(clientName(machine), ['State']);
          into.push(performance.now() - g0);
        } catch (error) {
          // A machine that does not answer in 30 s: recorded like an unconfirmed switch; the show goes on.
          into.push(Infinity);
          broken.push(`[${fabric}] Get State of ${machine}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      await sleep(Math.max(0, Math.min(6000, TRAFFIC_S * 1000 - (performance.now() - t0))));
    }
    const seconds = (performance.now() - t0) / 1000;
    benchLag.disable();
    phase(`traffic minute done (the bench's own event loop lagged ${(benchLag.max / 1e6).toFixed(0)} ms at most: the machine's share of CPU)`);
    const stats1 = await peer.hubStats();
    const cpu1 = { hub: processCpu(show.hub.process.pid ?? 0) ?? 0, server: processCpu(show.server.process.pid ?? 0) ?? 0, engine: processCpu(enginePid) ?? 0 };
    const wi = { ...peer.workspaceInfo };
    const traffic = await longTasks(page, pageStart);
    const pageHeapMiB = await pageHeap(page);
    const traced = stopTrace ? await stopTrace() : null;
    const wake = await probe.stop();
    if (stopProfile) console.log(`[${fabric}] the page's CPU profile over the traffic minute:\n${await stopProfile()}`);

    // ---- AutoPull, one switch at a time, then on every machine (the show's traffic goes on) ----
    await showView(page, 'workspaces');
    const workspacesStart = await pageNow(page);
    // A confirmation that never comes is the system breaking: recorded (Infinity), the run goes on to print what it
    // measured and exits non-zero; after three in a row the switches stop.
    const toggles: number[] = [];
    for (let i = 0, missed = 0; i < TOGGLES && missed < 3; i++) {
      const machine = switched[i % switched.length] as string;
      try {
        toggles.push(await toggleAutoPull(page, machine, TOGGLE_LIMIT_MS));
        missed = 0;
      } catch (error) {
        toggles.push(Infinity);
        missed++;
        broken.push(`[${fabric}] ${machine}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    phase(`${toggles.length} toggles done`);
    let bulk: Awaited<ReturnType<typeof bulkAutoPull>>;
    try {
      bulk = await bulkAutoPull(page, SHOW_REPOS[0] as string, 'on', BULK_LIMIT_MS);
      if (bulk.total !== MACHINES || bulk.confirmed !== MACHINES) broken.push(`[${fabric}] bulk AutoPull: ${bulk.confirmed} of ${bulk.total} confirmed, ${bulk.failed} failed ${JSON.stringify(bulk.codes)} (${MACHINES} machines)`);
    } catch (error) {
      bulk = { ms: Infinity, total: 0, confirmed: 0, failed: 0, codes: {} };
      broken.push(`[${fabric}] ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    const workspaces = await longTasks(page, workspacesStart);
    const simStats = await Promise.all(show.sims.map((c) => c.ask({ type: 'stop' })));
    const t = sorted(toggles);
    const g = sorted(getMs);
    const gb = sorted(getBgMs);
    return {
      fabric, setupS, firstRenderMs,
      hubCpu: (cpu1.hub - cpu0.hub) / 1000 / seconds, fanOut: (stats1.MessagesOut - stats0.MessagesOut) / seconds, hubIn: (stats1.MessagesIn - stats0.MessagesIn) / seconds, dropped: stats1.Dropped - stats0.Dropped,
      serverCpu: (cpu1.server - cpu0.server) / 1000 / seconds, wiRate: wi.updates / seconds, wiBytes: wi.updates ? wi.bytes / wi.updates : 0, wiWhole: wi.whole,
      engineCpu: (cpu1.engine - cpu0.engine) / 1000 / seconds, engineRss: memMiB(enginePid, 'VmRSS'), engineHwm: memMiB(enginePid, 'VmHWM'), pageHeapMiB,
      // The page's observer reports only tasks over 50 ms; the trace has every task, the longest of them when none is.
      longest: Math.max(traffic.longest, traced?.longestWallMs ?? 0), longCount: traffic.count, longestWorkspaces: workspaces.longest, traced, wake,
      toggleP50: median(t), toggleP99: percentile(t, 0.99), toggleTried: t.length, toggleConfirmed: t.filter(Number.isFinite).length, getP50: median(g), getP99: percentile(g, 0.99), getBgP50: median(gb), getBgP99: percentile(gb, 0.99),
      // All confirmed, or it never was: a bulk that ended in refusals is no time to confirmation.
      bulkMs: bulk.total === MACHINES && bulk.confirmed === MACHINES ? bulk.ms : Infinity, bulkSettledMs: bulk.ms, bulkTotal: bulk.total, bulkConfirmed: bulk.confirmed, bulkFailed: bulk.failed, bulkCodes: bulk.codes,
      simPulls: simStats.reduce((n, s) => n + (s.type === 'stopped' ? s.pulls : 0), 0),
      simLagMax: Math.max(...simStats.map((s) => (s.type === 'stopped' ? s.lagMaxMs : 0))),
      commits,
    };
  } finally {
    await teardown();
  }
  async function teardown(): Promise<void> {
    onSignal.delete(teardown);
    await panel?.close();
    peer?.close();
    await show.close();
  }
}

function print(f: FabricFigures): void {
  const row = (what: string, value: string, note = '') => console.log(`  ${what.padEnd(44)} ${value.padStart(14)}   ${note}`);
  const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : 'never');
  console.log(`\nShow on the ${f.fabric === 'ws' ? 'WebSocket' : 'ZeroMQ'} hub: ${MACHINES} machines (${REAL} real clients, ${MACHINES - REAL} simulated), set up in ${f.setupS.toFixed(0)} s; ${TRAFFIC_S} s of traffic (${f.commits} commits, ${f.simPulls} simulated pulls)`);
  console.log(`  ${coresNote()}`);
  console.log(MACHINES_NICE > 0 ? `  the machines' processes (real and simulated clients: other computers in a show) run at nice ${MACHINES_NICE}, in sessions of their own; the hub, the server, the engine, Chromium and the ${switched.length} switched machines at normal priority` : '  every process at the same priority (SHOW_NICE=0)');
  row('hub CPU', `${(f.hubCpu * 100).toFixed(0)} %`, 'of one core');
  // The ZeroMQ hub's Stats count what it receives only: libzmq's proxy delivers, uncounted.
  if (f.fabric === 'zmq' && f.fanOut === 0) row('hub fan-out (messages delivered)', 'not counted', `libzmq's proxy delivers (Stats MessagesOut stays 0); received ${f.hubIn.toFixed(0)} /s`);
  else row('hub fan-out (messages delivered)', `${f.fanOut.toFixed(0)} /s`, `from ${f.hubIn.toFixed(0)} /s received; LOWPRIO dropped ${f.dropped}`);
  row('server CPU', `${(f.serverCpu * 100).toFixed(0)} %`, 'of one core');
  row('server WorkspaceInfo Updates', `${f.wiRate.toFixed(1)} /s`, `${f.wiBytes.toFixed(0)} B each on average; ${f.wiWhole} whole-state ones`);
  row('panel engine CPU (web host process)', `${(f.engineCpu * 100).toFixed(0)} %`, 'of one core');
  row('panel engine memory', `${f.engineRss.toFixed(0)} MiB`, `RSS at the end; peak ${f.engineHwm.toFixed(0)} MiB`);
  row('Chromium: the page\'s JavaScript heap', `${f.pageHeapMiB.toFixed(0)} MiB`, 'in use after the traffic minute (what a full garbage collection walks)');
  row('Chromium: first full render', ms(f.firstRenderMs), `navigation → "${MACHINES} reporting" and "${MACHINES} discovered"`);
  row('Chromium: longest task, traffic minute', ms(f.longest), `target < 50 ms (${f.longCount} tasks over 50 ms by the page's long-task observer${f.traced ? ', the rest from the trace' : ''}; Overview shown)`);
  row('  baseline: an idle process, latest wake-up', ms(f.wake.maxMs), `beside the panel, at its priority, woken every 1 ms over the same minute: ${f.wake.over50} of ${f.wake.wakeups} wake-ups over 50 ms late (no core free)`);
  if (f.traced) {
    row('  the same minute, traced: longest task', `${ms(f.traced.longestWallMs)} wall`, `of which ${ms(f.traced.itsCpuMs)} on the CPU; in it: ${f.traced.longestInside || '—'}`);
    row('  most CPU time in one task', ms(f.traced.longestCpuMs), `${f.traced.overCpu50} tasks over 50 ms of CPU, ${f.traced.overWall50} over 50 ms of wall time; in it: ${f.traced.busiest || '—'}`);
  }
  row('Chromium: longest task, Workspaces view', f.longestWorkspaces > 0 ? ms(f.longestWorkspaces) : 'none > 50 ms', 'while toggling and the bulk AutoPull (the page\'s long-task observer)');
  row('AutoPull toggle confirmed, p50 / p99', `${ms(f.toggleP50)} / ${ms(f.toggleP99)}`, `target p99 < 100 ms; ${f.toggleConfirmed} of ${f.toggleTried} confirmed within ${TOGGLE_LIMIT_MS} ms, on ${switched.join(', ')}; vs a Get round trip to them p50 ${ms(f.getP50)}, p99 ${ms(f.getP99)}`);
  row('  a Get round trip to the other machines', `${ms(f.getBgP50)} / ${ms(f.getBgP99)}`, `p50 / p99; their processes share what is left of the cores, at nice ${MACHINES_NICE}`);
  row(`bulk AutoPull, ${f.bulkTotal} machines`, ms(f.bulkMs), `target < 2000 ms to all confirmed; ${f.bulkConfirmed} confirmed, ${f.bulkFailed} failed (all settled in ${ms(f.bulkSettledMs)})${f.bulkFailed ? ` ${JSON.stringify(f.bulkCodes)}` : ''}`);
  row('simulated machines, event loop lag max', ms(f.simLagMax), 'in their processes (high: the simulation itself lagged)');
}

// scripts/bench.mjs rebuilds app/dist when its sources changed (bench/ may not import scripts/).
if (!existsSync('app/dist/main/web.mjs')) throw new Error('app/dist/main/web.mjs is missing: run npm run build (npm run bench builds it)');
/** What a Ctrl+C or a SIGTERM must still close: the hub, server and clients are not children that die with us. */
const onSignal = new Set<() => Promise<void>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([...onSignal].map((f) => f())).finally(() => process.exit(130));
  });
}
const root = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'assethub-show-'));
const removeRoot = () => rm(root, { recursive: true, force: true });
onSignal.add(removeRoot);
try {
  const template = path.join(root, 'template');
  await mkdir(template);
  let start = performance.now();
  const store = new ServerStore(path.join(template, 'server.sqlite'));
  if (process.env.SHOW_CATALOGUE !== '0') buildCatalogue(store, CATALOGUE_REPO, BRANCH);
  store.close();
  console.log(`\nCatalogue of 1,000,000 assets built in ${((performance.now() - start) / 1000).toFixed(1)} s (one data folder, copied for each fabric)`);
  const realProcess = await bundleRealClients();
  pinToShowCores();
  const figures: FabricFigures[] = [];
  for (const fabric of (process.env.SHOW_FABRICS ?? 'ws,zmq').split(',') as FabricName[]) {
    start = performance.now();
    figures.push(await runFabric(fabric, root, template, realProcess));
    print(figures.at(-1) as FabricFigures);
    console.log(`  (${((performance.now() - start) / 1000).toFixed(0)} s for this fabric)`);
  }
  const worst = (pick: (f: FabricFigures) => number) => figures.reduce((a, b) => (pick(b) > pick(a) ? b : a));
  const [lt, tg, bk] = [worst((f) => f.longest), worst((f) => f.toggleP99), worst((f) => f.bulkMs)];
  console.log(`\nthe worse fabric of each: longest task ${lt.fabric}, toggle p99 ${tg.fabric}, bulk ${bk.fabric}`);
  for (const b of broken) console.log(`BROKEN ${b}`);
  if (broken.length) process.exitCode = 1;
  // A figure that never came reads as more than the time waited for it.
  const n = (v: number, limit: number) => (Number.isFinite(v) ? v.toFixed(0) : `>${limit}`);
  console.log(`show: ${MACHINES} machines, longest task ${lt.longest.toFixed(0)} ms, toggle p99 ${n(tg.toggleP99, TOGGLE_LIMIT_MS)} ms, bulk ${n(bk.bulkMs, BULK_LIMIT_MS)} ms`);
} finally {
  await removeRoot();
}
