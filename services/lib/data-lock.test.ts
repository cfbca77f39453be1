import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../testing/cluster.ts';
import { DataDirInUse, lockDataDir, processStart, runningOwner } from './data-lock.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A lock file as its owner writes it: the pid, then when that process started. */
const lockFile = (pid: number, start = processStart(pid)) => `${pid}\n${start ?? ''}\n`;

it('refuses a folder whose owner is alive, naming it', async () => {
  dir = await tempDir();
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    writeFileSync(path.join(dir, 'owner.pid'), lockFile(sleeper.pid ?? 0));
    expect(() => lockDataDir(dir, [])).toThrow(DataDirInUse);
    expect(() => lockDataDir(dir, [])).toThrow(String(sleeper.pid));
    expect(runningOwner(dir)).toBe(sleeper.pid);
  } finally {
    sleeper.kill('SIGKILL');
  }
});

it('takes over from an owner whose pid now belongs to another process (it started at another time)', async () => {
  dir = await tempDir();
  // The test's parent is alive and not the owner: the recorded start is a day off (Linux: ticks; elsewhere: boot time).
  const start = processStart(process.ppid) ?? '';
  const other = start.replace(/\d+$/, (n) => String(Number(n) + 86_400));
  expect(other).not.toBe(start);
  writeFileSync(path.join(dir, 'owner.pid'), lockFile(process.ppid, other));
  const release = lockDataDir(dir, []);
  expect(readFileSync(path.join(dir, 'owner.pid'), 'utf8')).toBe(lockFile(process.pid));
  release();
});

it('takes over from a dead owner and clears its stale SQLite locks', async () => {
  dir = await tempDir();
  const db = path.join(dir, 'x.sqlite');
  writeFileSync(path.join(dir, 'owner.pid'), '999999999');
  expect(runningOwner(dir)).toBeNull();
  mkdirSync(`${db}.lock`);
  const release = lockDataDir(dir, [db]);
  expect(readFileSync(path.join(dir, 'owner.pid'), 'utf8').split('\n')[0]).toBe(String(process.pid));
  expect(existsSync(`${db}.lock`)).toBe(false);
  release();
  expect(existsSync(path.join(dir, 'owner.pid'))).toBe(false);
});

it('lets exactly one of several processes racing for a folder (with a dead owner\'s lock in it) take it', async () => {
  // Each contender waits for the same instant, then takes the lock; a winner holds it until the test has every answer.
  const script = `
    import { lockDataDir, DataDirInUse } from ${JSON.stringify(path.resolve('services/lib/data-lock.ts'))};
    const [dir, at] = process.argv.slice(-2);
    while (Date.now() < Number(at)) {}
    try { lockDataDir(dir, []); console.log('won'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0)); }
    catch (e) { console.log(e instanceof DataDirInUse ? 'refused' : 'error ' + e.message); }
  `;
  const CONTENDERS = 6;
  for (let round = 0; round < 8; round++) {
    dir = await tempDir();
    writeFileSync(path.join(dir, 'owner.pid'), '999999999\n');
    const at = Date.now() + 1500;
    const children = Array.from({ length: CONTENDERS }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, String(at)]));
    const outcomes = await Promise.all(children.map((child) => new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', () => resolve(out.trim()));
    })));
    await Promise.all(children.map((child) => new Promise((resolve) => {
      if (child.exitCode !== null) resolve(null);
      else {
        child.once('exit', resolve);
        child.stdin.end();
      }
    })));
    expect(outcomes.filter((o) => o === 'won'), `round ${round}: ${outcomes.join(', ')}`).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'won' && o !== 'refused')).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);

it('is not held up by a judging guard that a dead process left behind, and leaves no file of its own beside the lock', async () => {
  dir = await tempDir();
  writeFileSync(path.join(dir, 'owner.pid'), '999999999\n');
  const guard = path.join(dir, 'owner.pid.judging');
  mkdirSync(guard);
  const old = new Date(Date.now() - 60_000);
  utimesSync(guard, old, old);
  const release = lockDataDir(dir, []);
  expect(readdirSync(dir)).toEqual(['owner.pid']);
  release();
});
