/** Tiny benchmark helpers: operations per second over a fixed wall-clock budget, and a printed comparison table. */

export interface Rate { opsPerSec: number; runs: number }

/** Runs `fn` for about `budgetMs` after a warm-up; the result is kept alive so the work cannot be optimised away. */
export function rate(fn: () => unknown, budgetMs = 1000): Rate {
  let sink: unknown;
  const warmUntil = performance.now() + budgetMs / 4;
  while (performance.now() < warmUntil) sink = fn();
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let i = 0; i < 16; i++) sink = fn();
    runs += 16;
    now = performance.now();
  }
  keep(sink);
  return { opsPerSec: (runs * 1000) / (now - start), runs };
}

/**
 * Measures two functions in alternating rounds and keeps the median of each, so drift of the machine (GC, JIT, other
 * load) affects both sides alike.
 */
export function rates(a: () => unknown, b: () => unknown, roundMs = 300, rounds = 5): [number, number] {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ra.push(rate(a, roundMs).opsPerSec);
    rb.push(rate(b, roundMs).opsPerSec);
  }
  return [median(ra), median(rb)];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

let kept: unknown;
function keep(value: unknown): void {
  kept = value;
}
export const lastKept = (): unknown => kept;

export function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(1);
}

/** Prints rows of [label, measured, baseline label, baseline] with the ratio. */
export function printComparison(title: string, rows: Array<{ what: string; ours: number; baselineName: string; baseline: number; unit: string }>): void {
  console.log(`\n${title}`);
  const w = Math.max(...rows.map((r) => r.what.length));
  for (const r of rows) {
    const ratio = r.ours / r.baseline;
    console.log(`  ${r.what.padEnd(w)}  ${fmt(r.ours).padStart(9)} ${r.unit}   vs ${r.baselineName} ${fmt(r.baseline).padStart(9)} ${r.unit}   ratio ${(ratio * 100).toFixed(0)}%`);
  }
}

/** How long a benchmark waits for anything before it gives up with a clear error. */
export const WAIT_MS = 30_000;

/** `promise`, or a rejection naming `what` after WAIT_MS. */
export function withinWait<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The value at fraction `p` of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}
