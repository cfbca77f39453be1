/**
 * CPU time of this process's threads and of another process, from /proc (Linux; elsewhere the figures are absent):
 * where a benchmark's time went when several threads and processes share the machine's cores.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** user + system CPU of one /proc stat file, in ms (clock ticks are 10 ms on Linux). */
function statCpuMs(file: string): number {
  const raw = readFileSync(file, 'utf8');
  const fields = raw.slice(raw.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU ms per thread id of this process, or null where /proc is missing. */
export function threadCpu(): Map<number, number> | null {
  try {
    const out = new Map<number, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        out.set(Number(tid), statCpuMs(`/proc/self/task/${tid}/stat`));
      } catch {
        // the thread ended meanwhile
      }
    }
    return out;
  } catch {
    return null;
  }
}

/** CPU ms of a process, or null. */
export function processCpu(pid: number): number | null {
  try {
    return statCpuMs(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
}

/** Between two threadCpu() readings: this process's main thread and the sum of its other threads, in ms. */
export function cpuSplit(before: Map<number, number>, after: Map<number, number>): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const [tid, ms] of after) {
    const spent = ms - (before.get(tid) ?? 0);
    if (tid === process.pid) main += spent;
    else others += spent;
  }
  return { main, others };
}
