/**
 * The desktop panel's log files, in `<userData>/logs/`: `panel.log` (the host and the engine, one text line each) and
 * `services.log` (every line the embedded services print: their pino JSON lines and anything on stderr). Each file is
 * rotated by size: past `maxBytes` it becomes `<name>.1` (the older ones shift to .2, .3 …) and the oldest beyond
 * `keep` is dropped, so the folder never holds more than (keep + 1) × maxBytes per log.
 *
 * Written here rather than by pino in the services: the host already reads every line the services print (for
 * readiness and crash reports), this also catches a crash's stack trace on stderr, and the services stay a plain
 * stdout program for the browser host and the tests. Writes are synchronous: the lines are few, and nothing is lost
 * when the process dies. Node only, no electron.
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 4;

export interface RotatingFileOptions {
  /** Rotate before a write would take the file past this size. */
  maxBytes?: number;
  /** How many rotated files (`.1` … `.keep`) to keep; 0 keeps none. */
  keep?: number;
  /** Told once when a write fails (the disk is full, the folder went away); logging never throws. */
  onError?: (error: Error) => void;
}

export class RotatingFile {
  private fd: number | null = null;
  private size = 0;
  private failed = false;
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(readonly file: string, private readonly options: RotatingFileOptions = {}) {
    this.maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
    this.keep = options.keep ?? LOG_KEEP;
  }

  /** Appends one line (a newline is added). */
  write(line: string): void {
    const data = `${line}\n`;
    const bytes = Buffer.byteLength(data);
    try {
      this.open();
      // A line longer than the limit still goes whole into a fresh file.
      if (this.size > 0 && this.size + bytes > this.maxBytes) {
        this.rotate();
        this.open();
      }
      writeSync(this.fd as number, data);
      this.size += bytes;
    } catch (error) {
      this.close();
      if (!this.failed) this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
      this.failed = true;
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already gone: nothing to release.
    }
    this.fd = null;
  }

  private open(): void {
    if (this.fd !== null) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = openSync(this.file, 'a');
    // An earlier run's file is continued, and rotated when full like any other.
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    if (this.keep === 0) return rmSync(this.file, { force: true });
    rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let n = this.keep - 1; n >= 1; n--) {
      try {
        renameSync(`${this.file}.${n}`, `${this.file}.${n + 1}`);
      } catch (error) {
        // A gap (a file removed by hand) is not an error.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    renameSync(this.file, `${this.file}.1`);
  }
}

/** One line of panel.log: ISO time, level, text. */
export function logLine(level: 'info' | 'warn', text: string, now = new Date()): string {
  return `${now.toISOString()} ${level.toUpperCase().padEnd(4)} ${text}`;
}

export interface HostLogs {
  dir: string;
  panel: RotatingFile;
  services: RotatingFile;
  close(): void;
}

export const logsFolder = (userData: string): string => path.join(userData, 'logs');

export function openHostLogs(userData: string, options: RotatingFileOptions = {}): HostLogs {
  const dir = logsFolder(userData);
  const panel = new RotatingFile(path.join(dir, 'panel.log'), options);
  const services = new RotatingFile(path.join(dir, 'services.log'), options);
  return {
    dir,
    panel,
    services,
    close() {
      panel.close();
      services.close();
    },
  };
}
