import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
