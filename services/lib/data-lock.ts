/**
 * One service process per data folder. node-sqlite3-wasm locks a database with a `<file>.lock` directory, which a
 * killed process leaves behind, so the database would stay "locked" forever after a crash. A pid file proves whether
 * the previous owner is still alive: if it is, we refuse to start; if not, its stale SQLite locks are removed and
 * SQLite's own journal recovery restores the last committed state.
 *
 * A pid alone is not proof: after a crash (a container restart, a reboot) the pid is often someone else's. So the file
 * holds the pid and, on a second line, when that process started, and a live pid that started at another time is a
 * dead owner. On Linux that is the boot ID and the process's start time in clock ticks since boot (/proc/<pid>/stat,
 * field 22): exact, and it tells a restarted container's process from its predecessor. Elsewhere Node cannot read a
 * process's start time, so the line holds the machine's boot time instead, which catches pid reuse after a reboot but
 * not within one boot. A lock file without the line (written before it existed) falls back to the pid alone.
 *
 * Racing starts: a lock file appears whole (createLock), and a dead owner's is judged and removed by one process at a
 * time (judgeAndClear), so of several processes starting on one folder exactly one takes it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from './startup.ts';

export class DataDirInUse extends StartupError {}

/** Computed boot times move with wall-clock corrections; two within this many seconds are one boot. */
const BOOT_TOLERANCE_S = 300;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When process `pid` started, as recorded in the lock file; undefined when it cannot be read. */
export function processStart(pid: number): string | undefined {
  if (process.platform !== 'linux') return `boot ${Math.round(Date.now() / 1000 - os.uptime())}`;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command name) may hold spaces and parentheses: count from the last ')', which ends it.
    const starttime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return starttime && /^\d+$/.test(starttime) ? `linux ${bootId} ${starttime}` : undefined;
  } catch {
    return undefined;
  }
}

/** Whether two start records name the same process start; when they cannot be compared, they are taken to. */
function sameStart(recorded: string, current: string): boolean {
  const [kind, ...rest] = recorded.split(' ');
  const [currentKind, ...currentRest] = current.split(' ');
  if (kind !== currentKind) return true;
  if (kind === 'boot') return Math.abs(Number(rest[0]) - Number(currentRest[0])) <= BOOT_TOLERANCE_S;
  return rest.join(' ') === currentRest.join(' ');
}

/** The owner recorded in a lock file is running: its pid is alive and, when recorded, started when it says. */
function ownerRunning(pid: number, recordedStart: string | undefined): boolean {
  if (!alive(pid)) return false;
  const current = recordedStart === undefined ? undefined : processStart(pid);
  return current === undefined || recordedStart === undefined || sameStart(recordedStart, current);
}

/**
 * The pid of the running process that holds `dir` (its owner.pid names a live owner other than this process), or null
 * when the folder is free. The panel's hosts ask before they start services, to refuse in one line.
 */
export function runningOwner(dir: string): number | null {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'owner.pid'), 'utf8');
  } catch {
    return null;
  }
  const [pidLine, startLine] = text.split('\n');
  const owner = Number(pidLine?.trim());
  return Number.isInteger(owner) && owner > 0 && owner !== process.pid && ownerRunning(owner, startLine?.trim() || undefined) ? owner : null;
}

/**
 * Creates the lock file whole or not at all: the content is written to a file of this process's own, then hard-linked
 * into place, which fails when a lock file exists. A racing process therefore never reads a half-written lock (an
 * empty one would look like a dead owner's and be taken over). Where hard links are not supported, open-exclusive and
 * write.
 */
function createLock(pidFile: string, content: string): boolean {
  const own = `${pidFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(own, content);
  try {
    linkSync(own, pidFile);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    try {
      const fd = openSync(pidFile, 'wx');
      writeFileSync(fd, content);
      closeSync(fd);
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    rmSync(own, { force: true });
  }
}

/** Guards older than this were left by a process that died while judging a lock (a matter of microseconds). */
const GUARD_STALE_MS = 10_000;

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * Removes the lock file if its owner is dead; throws DataDirInUse if it is alive. Judging and removing happen under a
 * guard (a directory, made atomically), so no two processes judge at once: while the guard is held the lock file can
 * only go from the judged text to absent (createLock never replaces a file), and a racing process's fresh lock is
 * never removed for a dead owner's.
 */
function judgeAndClear(dir: string, pidFile: string): void {
  const guard = `${pidFile}.judging`;
  for (;;) {
    try {
      mkdirSync(guard);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) rmSync(guard, { recursive: true, force: true });
      } catch {
        // Gone meanwhile.
      }
      pause(5);
    }
  }
  try {
    const owner = runningOwner(dir);
    if (owner !== null) throw new DataDirInUse(`${dir} is in use by process ${owner}; stop it first or use another --data folder`);
    rmSync(pidFile, { force: true });
  } finally {
    rmSync(guard, { recursive: true, force: true });
  }
}

/** Takes the folder for this process; returns a release function. */
export function lockDataDir(dir: string, databases: string[]): () => void {
  const pidFile = path.join(dir, 'owner.pid');
  const start = processStart(process.pid);
  const content = start === undefined ? `${process.pid}\n` : `${process.pid}\n${start}\n`;
  while (!createLock(pidFile, content)) judgeAndClear(dir, pidFile);
  for (const db of databases) {
    for (const file of [db, `${db}-journal`]) rmSync(`${file}.lock`, { recursive: true, force: true });
  }
  return () => {
    try {
      if (Number(readFileSync(pidFile, 'utf8').split('\n')[0]?.trim()) === process.pid) rmSync(pidFile, { force: true });
    } catch {
      // Already gone.
    }
  };
}
