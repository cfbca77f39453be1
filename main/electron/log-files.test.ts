// The log files' rotation on a real disk: sizes, names, what is kept and dropped, and an earlier run's file continued.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logLine, openHostLogs, RotatingFile } from './log-files.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'panel-logs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of 100 bytes with the newline, numbered, so each file's first and last line say what it holds. */
const line = (n: number) => `line ${String(n).padStart(6, '0')} `.padEnd(99, '.');
const read = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('RotatingFile', () => {
  it('rotates at the size limit, shifts older files up and keeps only `keep` of them', () => {
    const file = path.join(dir, 'logs', 'panel.log');
    const log = new RotatingFile(file, { maxBytes: 1_000, keep: 3 });
    for (let n = 1; n <= 65; n++) log.write(line(n));
    log.close();
    // 10 lines a file: 1-10, 11-20 … 61-65. The newest five lines are in panel.log, then .1 (51-60), .2, .3; 1-30 dropped.
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['panel.log', 'panel.log.1', 'panel.log.2', 'panel.log.3']);
    expect(read(file)).toEqual([61, 62, 63, 64, 65].map(line));
    expect(read(`${file}.1`)[0]).toBe(line(51));
    expect(read(`${file}.2`)[0]).toBe(line(41));
    expect(read(`${file}.3`)).toEqual(Array.from({ length: 10 }, (_, i) => line(31 + i)));
    for (const name of readdirSync(path.dirname(file))) expect(statSync(path.join(path.dirname(file), name)).size).toBeLessThanOrEqual(1_000);
  });

  it('continues an earlier run\'s file and rotates it when it is full', () => {
    const file = path.join(dir, 'services.log');
    writeFileSync(file, `${line(0)}\n`.repeat(9));
    const log = new RotatingFile(file, { maxBytes: 1_000, keep: 2 });
    log.write(line(1));
    expect(read(file)).toHaveLength(10);
    log.write(line(2));
    log.close();
    expect(read(file)).toEqual([line(2)]);
    expect(read(`${file}.1`).at(-1)).toBe(line(1));
  });

  it('keep 0 keeps no rotated file; a line over the limit still goes whole into a fresh file', () => {
    const file = path.join(dir, 'panel.log');
    const log = new RotatingFile(file, { maxBytes: 150, keep: 0 });
    log.write(line(1));
    log.write('x'.repeat(400));
    log.close();
    expect(readdirSync(dir)).toEqual(['panel.log']);
    expect(read(file)).toEqual(['x'.repeat(400)]);
  });

  it('never throws: a failed write is reported once', () => {
    const blocker = path.join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const errors: Error[] = [];
    const log = new RotatingFile(path.join(blocker, 'panel.log'), { onError: (error) => errors.push(error) });
    expect(() => {
      log.write('a');
      log.write('b');
    }).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

describe('openHostLogs', () => {
  it('writes panel.log and services.log under <userData>/logs', () => {
    const logs = openHostLogs(dir);
    logs.panel.write(logLine('warn', 'hello', new Date('2025-01-02T03:04:05Z')));
    logs.services.write('{"level":30,"msg":"services ready"}');
    logs.close();
    expect(logs.dir).toBe(path.join(dir, 'logs'));
    expect(read(path.join(dir, 'logs', 'panel.log'))).toEqual(['2025-01-02T03:04:05.000Z WARN hello']);
    expect(existsSync(path.join(dir, 'logs', 'services.log'))).toBe(true);
  });
});
