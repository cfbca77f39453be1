/**
 * Which cores the show's processes run on. In a studio the panel runs on the operator's computer, and the hub, the
 * server and the machines on others; here they all share this machine's cores, and by default every process may run
 * on every core. SHOW_CORES=split (two cores or more, and taskset) gives the panel (its engine, i.e. the web host, and
 * Chromium) the last core to itself and everything else the others, the bench's own process included: the panel's
 * long tasks are then its own, not time it waited while the hub or the server had the core, but the rest of the show
 * (500 machines, the hub, the server) has one core less, and round trips through the machines (the toggles, the bulk
 * AutoPull) are slower than on a show of separate computers.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TASKSET = '/usr/bin/taskset';
/** Read once, before this process is pinned (availableParallelism follows the process's own affinity). */
const CORES = os.availableParallelism();
const SPLIT = process.env.SHOW_CORES === 'split' && CORES >= 2 && existsSync(TASKSET);
const PANEL_CORES = String(CORES - 1);
const SHOW_CORES = CORES > 2 ? `0-${CORES - 2}` : '0';

export const coresNote = (): string =>
  SPLIT
    ? `SHOW_CORES=split: the panel (its engine and Chromium) on core ${PANEL_CORES}, as on a computer of its own; the hub, the server, the machines and the bench on core${CORES > 2 ? 's' : ''} ${SHOW_CORES}`
    : `every process on all ${CORES} cores (SHOW_CORES=split: the panel on a core of its own)`;

/** `file args…` as run on the panel's core. */
export const onPanelCore = (file: string, args: string[]): [string, string[]] => (SPLIT ? [TASKSET, ['-c', PANEL_CORES, file, ...args]] : [file, args]);

/** Pins this process (every thread) to the show's cores: what it starts from then on runs there too. */
export function pinToShowCores(): void {
  if (SPLIT) execFileSync(TASKSET, ['-a', '-p', '-c', SHOW_CORES, String(process.pid)], { stdio: 'ignore' });
}

/** A Chromium executable for Playwright that runs on the panel's core: a script in `dir` starting `chromium` under taskset. */
export function chromiumOnPanelCore(chromium: string, dir: string): string {
  if (!SPLIT) return chromium;
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'chromium-on-panel-core.sh');
  writeFileSync(script, `#!/bin/sh\nexec ${TASKSET} -c ${PANEL_CORES} ${JSON.stringify(chromium)} "$@"\n`);
  chmodSync(script, 0o755);
  return script;
}
