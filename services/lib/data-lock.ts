/**
 * One service process per data folder. node-sqlite3-wasm locks a database with a `<file>.lock` directory, which a
 * killed process leaves behind, so the database would stay "locked" forever after a crash. A pid file proves whether
 * the previous owner is still alive: if it is, we refuse to start; if not, its stale SQLite locks are removed and
 * SQLite's own journal recovery restores the last committed state.
 */
import { readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUse extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder for this process; returns a release function. */
export function lockDataDir(dir: string, databases: string[]): () => void {
  const pidFile = path.join(dir, 'owner.pid');
  for (;;) {
    try {
      const fd = openSync(pidFile, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(pidFile, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new DataDirInUse(`${dir} is in use by process ${owner}; stop it first or use another --data folder`);
      }
      rmSync(pidFile, { force: true });
    }
  }
  for (const db of databases) {
    for (const file of [db, `${db}-journal`]) rmSync(`${file}.lock`, { recursive: true, force: true });
  }
  return () => {
    try {
      if (Number(readFileSync(pidFile, 'utf8').trim()) === process.pid) rmSync(pidFile, { force: true });
    } catch {
      // Already gone.
    }
  };
}
