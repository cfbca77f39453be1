/**
 * The rig's own baseline for the page's long tasks: a process beside the panel (on its core, at its priority, in a
 * session of its own as Chromium is) that does nothing but wake every millisecond, and records how late each wake-up
 * came. What it waited is time no work of the page's caused: the thread was ready and no core ran it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { onPanelCore } from './show-cores.ts';

export interface WakeLateness {
  /** The latest wake-up, ms after it was due. */
  maxMs: number;
  /** Wake-ups more than 50 ms late. */
  over50: number;
  wakeups: number;
}

// Runs in the probe: 1 ms timers until a line arrives on stdin, then one JSON line with what it saw.
const PROBE = `
let maxMs = 0, over50 = 0, wakeups = 0, running = true;
const tick = (due) => {
  const late = performance.now() - due;
  wakeups++; if (late > maxMs) maxMs = late; if (late > 50) over50++;
  if (running) { const next = performance.now() + 1; setTimeout(() => tick(next), 1); }
};
tick(performance.now());
// In a session of its own, like Chromium (Playwright starts it so): gone with the bench, whose end closes stdin.
process.stdin.once('end', () => { if (running) process.exit(0); });
process.stdin.once('data', () => { running = false; process.stdout.write(JSON.stringify({ maxMs, over50, wakeups }) + '\\n', () => process.exit(0)); });
`;

export function startWakeProbe(): { stop(): Promise<WakeLateness> } {
  const [file, args] = onPanelCore(process.execPath, ['-e', PROBE]);
  const probe = spawn(file, args, { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  probe.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return {
    async stop() {
      probe.stdin.end('stop\n');
      await once(probe, 'exit');
      const seen = JSON.parse(out) as WakeLateness;
      return seen;
    },
  };
}
