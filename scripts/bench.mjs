// npm run bench: runs every bench/*.bench.ts (or those named on the command line) one after another, the show
// simulator last. Benchmarks print figures next to their baselines; they never pass or fail on time. Each file's output
// streams through; at the end the issues' summary lines are repeated, in order, so the last lines of the run read
// `push: …`, `pull: …` (transfer) and `show: …` (show simulator).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './build-freshness.mjs';

const SUMMARY = [/^push: .*$/m, /^pull: .*$/m, /^show: .*$/m];
const LAST = 'show.bench.ts';

const wanted = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort((a, b) => Number(a === LAST) - Number(b === LAST) || a.localeCompare(b));
// The show simulator drives the built browser panel (app/dist): rebuilt first when its sources changed.
if (files.includes(LAST)) ensureBuilt(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), 'bench');

let current = null;
// A stopped run stops its benchmark, which closes what it started (show.bench.ts: hub, server, clients, browser).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (current ? current.kill(signal) : process.exit(130)));

/** Runs one file, its output streamed through and kept; resolves with its exit status and what it printed. */
function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', `bench/${file}`], { stdio: ['inherit', 'pipe', 'inherit'] });
    current = child;
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out = (out + d.toString()).slice(-1_000_000);
    });
    child.on('close', (status) => {
      current = null;
      resolve({ status, out });
    });
  });
}

let failed = 0;
const outputs = [];
for (const file of files) {
  console.log(`\n=== bench/${file}`);
  const { status, out } = await run(file);
  if (status !== 0) failed++;
  outputs.push(out);
}
const summary = SUMMARY.map((pattern) => outputs.map((o) => [...o.matchAll(new RegExp(pattern, 'gm'))].at(-1)?.[0]).filter(Boolean).at(-1)).filter(Boolean);
if (files.length > 1 && summary.length > 0) console.log(`\n=== summary\n${summary.join('\n')}`);
process.exit(failed ? 1 : 0);
