/**
 * Workspace scan cost: 100,000 small files (100 folders × 1,000 files of a few bytes). A first scan hashes them all
 * (on the scan threads: ASSETHUB_SCAN_HASH_THREADS=n sets how many, for comparing);
 * then a scan of the unchanged tree (median of 3) must read no file, only walk, lstat and compare with the stat index.
 * It is printed next to, all on the same tree with a warm page cache, in alternating rounds:
 * - `find <dir> -type f | wc -l` (a child process). It stats nothing: the file type comes with the directory entry;
 * - `find <dir> -type f -printf '%s %T@ %C@ %i'`, which must stat every file as the scan does: the syscall floor;
 * - a plain Node walk: opendir + one awaited fs.promises.lstat per entry (no index, no rules, no URIs).
 * Also the process's peak RSS during the scans.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, opendir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { WorkspaceScanner } from '../services/client/scan/index.ts';
import { median, printComparison } from './lib/measure.ts';

const FOLDERS = 100;
const FILES_PER_FOLDER = 1_000;
const FILES = FOLDERS * FILES_PER_FOLDER;
const ROUNDS = 3;
const MiB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Synchronous writes: setup only, and about twice as fast as 100,000 promises through the thread pool. */
function makeTree(root: string): void {
  for (let d = 0; d < FOLDERS; d++) {
    const folder = path.join(root, `folder-${String(d).padStart(3, '0')}`);
    mkdirSync(folder);
    for (let f = 0; f < FILES_PER_FOLDER; f++) writeFileSync(path.join(folder, `asset-${f}.uasset`), `asset ${d}/${f}\n`);
  }
}

/** The baseline: the simplest Node walk that still lstat's every entry. */
async function lstatWalk(root: string): Promise<number> {
  let files = 0;
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    for await (const entry of await opendir(dir)) {
      const file = path.join(dir, entry.name);
      const stat = await lstat(file, { bigint: true });
      if (stat.isDirectory()) stack.push(file);
      else if (stat.isFile()) files++;
    }
  }
  return files;
}

function find(root: string, printf = ''): number {
  const out = spawnSync('sh', ['-c', `find "${root}" -type f ${printf} | wc -l`], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`find failed: ${out.stderr}`);
  return Number(out.stdout.trim());
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ result: T; s: number }> {
  const start = performance.now();
  const result = await work();
  return { result, s: (performance.now() - start) / 1000 };
}

/** Peak RSS while `work` runs, sampled every 20 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'assethub-scan-bench-'));
const root = path.join(dir, 'workspace');
// File-backed, as the client's own database is (services/client/store.ts).
const db = new sqlite.Database(path.join(dir, 'client.sqlite'));
try {
  await mkdir(root);
  const made = await timed(() => makeTree(root));
  // Files younger than the racy window (2 s) are re-read by the next scan on purpose; let the tree age past it.
  await sleep(2_100);
  const hashThreads = Number(process.env.ASSETHUB_SCAN_HASH_THREADS) || undefined;
  const scanner = new WorkspaceScanner({ root, db, workspaceKey: root, ...(hashThreads ? { hashThreads } : {}) });

  gc();
  const rssBefore = process.memoryUsage().rss;
  const first = await withPeakRss(() => timed(() => scanner.scan()));
  const firstStats = first.result.result.stats;
  if (firstStats.files !== FILES || firstStats.hashed !== FILES) throw new Error(`first scan: ${JSON.stringify(firstStats)}`);

  const scans: number[] = [];
  const finds: number[] = [];
  const statFinds: number[] = [];
  const walks: number[] = [];
  let peak = 0;
  for (let round = 0; round < ROUNDS; round++) {
    gc();
    const scan = await withPeakRss(() => timed(() => scanner.scan()));
    peak = Math.max(peak, scan.peak);
    const { stats } = scan.result.result;
    if (stats.files !== FILES || stats.hashed !== 0) throw new Error(`unchanged scan re-read files: ${JSON.stringify(stats)}`);
    scans.push(scan.result.s);
    const found = await timed(() => find(root));
    if (found.result !== FILES) throw new Error(`find counted ${found.result}`);
    finds.push(found.s);
    const statFound = await timed(() => find(root, `-printf '%s %T@ %C@ %i\\n'`));
    if (statFound.result !== FILES) throw new Error(`find -printf counted ${statFound.result}`);
    statFinds.push(statFound.s);
    const walked = await timed(() => lstatWalk(root));
    if (walked.result !== FILES) throw new Error(`the lstat walk counted ${walked.result}`);
    walks.push(walked.s);
  }

  const [scanS, findS, statFindS, walkS] = [median(scans), median(finds), median(statFinds), median(walks)];
  const perSec = (s: number): number => FILES / s;
  printComparison(`Workspace scan of ${FILES.toLocaleString('en')} files in ${FOLDERS} folders, unchanged tree, median of ${ROUNDS} (higher is faster)`, [
    { what: 'WorkspaceScanner.scan (no file read)', ours: perSec(scanS), baselineName: 'find -type f', baseline: perSec(findS), unit: 'files/s' },
    { what: 'WorkspaceScanner.scan (no file read)', ours: perSec(scanS), baselineName: 'find -printf (stats)', baseline: perSec(statFindS), unit: 'files/s' },
    { what: 'WorkspaceScanner.scan (no file read)', ours: perSec(scanS), baselineName: 'Node lstat walk', baseline: perSec(walkS), unit: 'files/s' },
  ]);
  console.log(`  seconds: unchanged scan ${scanS.toFixed(3)}, find ${findS.toFixed(3)}, find -printf ${statFindS.toFixed(3)}, `
    + `Node lstat walk ${walkS.toFixed(3)}. The scan takes ${(scanS / findS).toFixed(1)}× find's time, `
    + `${(scanS / statFindS).toFixed(1)}× find -printf's and ${(scanS / walkS).toFixed(2)}× the lstat walk's`);
  console.log(`  first scan (hashes all ${FILES.toLocaleString('en')} files on ${firstStats.readThreads} thread(s), fills the index): ${first.result.s.toFixed(3)} s; `
    + `creating the tree took ${made.s.toFixed(1)} s`);
  console.log(`  peak RSS: first scan ${(first.peak / MiB).toFixed(0)} MiB, unchanged scans ${(peak / MiB).toFixed(0)} MiB (${(rssBefore / MiB).toFixed(0)} MiB before)`);
} finally {
  db.close();
  await rm(dir, { recursive: true, force: true });
}
