import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../testing/cluster.ts';
import { DataDirInUse, lockDataDir } from './data-lock.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('refuses a folder whose owner is alive, naming it', async () => {
  dir = await tempDir();
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    writeFileSync(path.join(dir, 'owner.pid'), String(sleeper.pid));
    expect(() => lockDataDir(dir, [])).toThrow(DataDirInUse);
    expect(() => lockDataDir(dir, [])).toThrow(String(sleeper.pid));
  } finally {
    sleeper.kill('SIGKILL');
  }
});

it('takes over from a dead owner and clears its stale SQLite locks', async () => {
  dir = await tempDir();
  const db = path.join(dir, 'x.sqlite');
  writeFileSync(path.join(dir, 'owner.pid'), '999999999');
  mkdirSync(`${db}.lock`);
  const release = lockDataDir(dir, [db]);
  expect(readFileSync(path.join(dir, 'owner.pid'), 'utf8')).toBe(String(process.pid));
  expect(existsSync(`${db}.lock`)).toBe(false);
  release();
  expect(existsSync(path.join(dir, 'owner.pid'))).toBe(false);
});
