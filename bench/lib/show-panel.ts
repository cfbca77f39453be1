/**
 * The browser panel in Chromium, joined to the show's hub through the web host (app/dist/main/web.mjs, whose engine
 * runs in its process): time to first full render, long tasks, AutoPull confirmations one by one and in bulk. Every
 * time is taken in the page (./page-script.ts). Chromium is driven over a bare DevTools pipe (./cdp-page.ts), not
 * Playwright, whose instrumentation of the page's WebSocket cost the page's main thread more than the panel did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exited } from '../../services/testing/server-process.ts';
import { CdpPage } from './cdp-page.ts';
import { PAGE_SCRIPT } from './page-script.ts';
import { chromiumOnPanelCore, onPanelCore } from './show-cores.ts';

/** Debian's Chromium, headless, as the e2e tests launch it (e2e/chromium.ts, which bench/ may not import). */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PanelSession { host: ChildProcess; url: string; page: CdpPage; close(): Promise<void> }

/** The web host on `hubUrl` (`npm run serve -- --hub …` without the rebuild check); resolves with the URL it prints. */
function startHost(hubUrl: string, userData: string): Promise<{ child: ChildProcess; url: string }> {
  const [file, args] = onPanelCore(process.execPath, ['app/dist/main/web.mjs', '--port', '0', '--hub', hubUrl, '--local-hub', 'none', '--user-data', userData]);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the web host printed no URL within 60 s:\n${out.slice(-3000)}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-100_000);
      const m = /(https?:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Both pipes stay drained, so the host never blocks on a full pipe.
        child.stdout?.resume();
        resolve({ child, url: m[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-100_000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited (${code}):\n${out.slice(-3000)}`));
    });
  });
}

export async function openPanel(hubUrl: string, userData: string): Promise<PanelSession> {
  const { child, url } = await startHost(hubUrl, userData);
  const stopHost = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited(child), new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const profile = path.join(userData, 'chromium');
    mkdirSync(profile, { recursive: true });
    const page = await CdpPage.launch(chromiumOnPanelCore(CHROMIUM_PATH, userData), CHROMIUM_ARGS, profile, { width: 1440, height: 900 });
    await page.addInitScript(PAGE_SCRIPT).catch(async (error: unknown) => {
      await page.close();
      throw error;
    });
    return { host: child, url, page, close: async () => { await page.close(); await stopHost(); } };
  } catch (error) {
    await stopHost();
    throw error;
  }
}

/** A helper of ./page-script.ts, evaluated by the DevTools protocol (the panel's CSP forbids eval in the page). */
const call = <T>(page: CdpPage, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate<T>(`window.__show.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`);

/** Navigation → the server card says `machines` reporting and as many discovered: ms after navigation start. */
export async function firstFullRender(page: CdpPage, url: string, machines: number, timeoutMs: number): Promise<number> {
  await page.goto(url);
  return call<number>(page, 'fullyRendered', machines, timeoutMs);
}

export const longTasks = (page: CdpPage, since: number) => call<{ longest: number; count: number; total: number }>(page, 'longTasks', since);

/** Wall and thread time of the page's main-thread tasks, from a DevTools trace. */
export interface MainThreadTasks { longestWallMs: number; itsCpuMs: number; longestCpuMs: number; overWall50: number; overCpu50: number; busiest: string; longestInside: string }

type TraceEvent = { name: string; ph: string; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number } } };

/**
 * Traces the page until the returned function is called: each main-thread task's wall time (what a long-task observer
 * sees) and its thread time (what the panel's own work cost). On a machine whose cores also run the whole simulated
 * show, a task can be descheduled for most of its wall time: the two apart say whose time it was.
 */
export async function traceMainThread(page: CdpPage): Promise<() => Promise<MainThreadTasks>> {
  const events: TraceEvent[] = [];
  const collect = (d: { value?: unknown }) => {
    for (const e of (d.value ?? []) as TraceEvent[]) events.push(e);
  };
  page.on('Tracing.dataCollected', collect);
  await page.send('Tracing.start', { categories: process.env.SHOW_TRACE_CATS ?? 'disabled-by-default-devtools.timeline,devtools.timeline,disabled-by-default-v8.gc' });
  return async () => {
    const complete = new Promise<void>((resolve) => {
      const done = () => {
        page.off('Tracing.tracingComplete', done);
        resolve();
      };
      page.on('Tracing.tracingComplete', done);
    });
    await page.send('Tracing.end');
    await complete;
    page.off('Tracing.dataCollected', collect);
    // SHOW_TRACE_FILE=<path> keeps the whole trace (every thread), for chrome://tracing or Perfetto; a development aid.
    if (process.env.SHOW_TRACE_FILE) writeFileSync(process.env.SHOW_TRACE_FILE, JSON.stringify({ traceEvents: events }));
    const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')?.tid;
    const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.tid === main);
    const wall = (e: TraceEvent) => (e.dur ?? 0) / 1000;
    const cpu = (e: TraceEvent) => (e.tdur ?? 0) / 1000;
    const longest = tasks.reduce<TraceEvent | null>((a, b) => (a === null || wall(b) > wall(a) ? b : a), null);
    const busiest = tasks.reduce<TraceEvent | null>((a, b) => (a === null || cpu(b) > cpu(a) ? b : a), null);
    // What a task spent its time in: the trace events inside it, by name (nested ones count in each).
    const inside = (task: TraceEvent | null): string => {
      const names = new Map<string, number>();
      for (const e of task ? events : []) {
        if (e === task || e.tid !== main || e.ph !== 'X' || !task || e.ts < task.ts || e.ts >= task.ts + (task.dur ?? 0)) continue;
        // A function call by its function (its file's last part and line), from the trace's own arguments.
        const fn = e.args?.data?.functionName !== undefined ? ` ${e.args.data.functionName || '(anonymous)'} ${e.args.data.url?.split('/').pop() ?? ''}:${e.args.data.lineNumber ?? ''}` : '';
        const name = `${e.name}${fn}`;
        names.set(name, (names.get(name) ?? 0) + wall(e));
      }
      return [...names].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ');
    };
    return {
      longestWallMs: longest ? wall(longest) : 0,
      itsCpuMs: longest ? cpu(longest) : 0,
      longestCpuMs: Math.max(0, ...tasks.map(cpu)),
      overWall50: tasks.filter((t) => wall(t) > 50).length,
      overCpu50: tasks.filter((t) => cpu(t) > 50).length,
      busiest: inside(busiest),
      longestInside: inside(longest),
    };
  };
}

export const pageNow = (page: CdpPage): Promise<number> => page.evaluate<number>('performance.now()');

/** The page's JavaScript heap in use, MiB (Chromium's performance.memory). */
export const pageHeap = async (page: CdpPage): Promise<number> => (await page.evaluate<number>('performance.memory.usedJSHeapSize')) / 2 ** 20;

/** Goes to a view by its navigation button. */
export async function showView(page: CdpPage, view: string): Promise<void> {
  await call(page, 'click', `[data-testid="nav-${view}"]`, `main#main[data-view="${view}"]`, 30_000);
}

/**
 * One machine in the header filter, then its first workspace's AutoPull switch clicked: ms until the switch is no
 * longer busy and shows the other value (the client's State Update came back through the hub and the engine).
 */
export async function toggleAutoPull(page: CdpPage, machine: string, timeoutMs: number): Promise<number> {
  await call(page, 'fill', '[data-testid="machine-filter"]', machine, 30_000);
  const selector = `[data-testid="ws-machine"][data-machine="${machine}"] [data-testid="autopull-toggle"]`;
  await call(page, 'ready', selector, 30_000);
  return call<number>(page, 'toggle', selector, timeoutMs);
}

/** `codes`: the failed machines by the failure code the panel shows. */
export interface BulkOutcome { ms: number; total: number; confirmed: number; failed: number; codes: Record<string, number> }

/** The Workspaces view's bulk AutoPull for `repository` on every machine: ms from the click until none is pending. */
export async function bulkAutoPull(page: CdpPage, repository: string, value: 'on' | 'off', timeoutMs: number): Promise<BulkOutcome> {
  await call(page, 'fill', '[data-testid="machine-filter"]', '', 30_000);
  await call(page, 'fill', '[data-testid="bulk-repo"]', repository, 30_000);
  await call(page, 'fill', '[data-testid="bulk-value"]', value, 30_000);
  await call(page, 'present', '[data-testid="bulk-apply"]', 30_000);
  return call<BulkOutcome>(page, 'bulk', timeoutMs);
}
