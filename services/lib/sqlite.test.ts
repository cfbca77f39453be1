// A process killed mid-transaction leaves uncommitted pages in the database file and the originals in a hot journal.
// Opening the file must play the journal back: the committed rows, intact, and an integrity_check of ok.
import { spawn } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../testing/cluster.ts';
import { openDatabase } from './sqlite.ts';

const ROWS = 2000;
let dir: string;
beforeAll(async () => (dir = await tempDir('assethub-sqlite-')));
afterAll(async () => dir && rm(dir, { recursive: true, force: true }));

// Runs in a child with the library alone: commit ROWS rows, then rewrite them all in a transaction whose cache is so
// small that SQLite must spill modified pages into the file before COMMIT, announce it, and wait to be killed.
const CHILD = `
import sqlite from 'node-sqlite3-wasm';
const db = new sqlite.Database(process.argv[1]);
db.exec('PRAGMA synchronous = FULL; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB); CREATE INDEX t_v ON t(v); BEGIN');
for (let i = 0; i < ${ROWS}; i++) db.run('INSERT INTO t VALUES (?, ?)', [i, Buffer.alloc(500, i % 251)]);
db.exec('COMMIT; PRAGMA cache_size = 5; BEGIN');
db.run('UPDATE t SET v = randomblob(600)');
process.stdout.write('spilled\\n');
setInterval(() => {}, 1000);
`;

it('rolls back the hot journal a SIGKILL mid-commit left behind', async () => {
  const file = path.join(dir, 'killed.sqlite');
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('spilled') && resolve());
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  expect(statSync(`${file}-journal`).size).toBeGreaterThan(0); // a hot journal is there to recover from
  rmSync(`${file}.lock`, { recursive: true, force: true }); // as data-lock.ts does for a dead owner

  const db = openDatabase(file);
  try {
    expect(db.get('PRAGMA integrity_check')?.integrity_check).toBe('ok');
    expect(db.get('SELECT count(*) AS n, sum(length(v)) AS bytes FROM t')).toEqual({ n: ROWS, bytes: ROWS * 500 });
    expect(existsSync(`${file}-journal`)).toBe(false);
  } finally {
    db.close();
  }
});

it('replays the WAL a SIGKILL left behind (WAL mode, commits not waited for)', async () => {
  const file = path.join(dir, 'wal.sqlite');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    import { openDatabase } from ${JSON.stringify(path.resolve('services/lib/sqlite.ts'))};
    const db = openDatabase(process.argv[1], { wal: true });
    db.exec('PRAGMA synchronous = NORMAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)');
    for (let i = 0; i < ${ROWS}; i++) db.run('INSERT INTO t VALUES (?, ?)', [i, Buffer.alloc(500, i % 251)]);
    process.stdout.write('committed\\n');
    setInterval(() => {}, 1000);
  `, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('committed') && resolve());
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  expect(statSync(`${file}-wal`).size).toBeGreaterThan(0); // the commits are in the WAL only
  rmSync(`${file}.lock`, { recursive: true, force: true });

  const db = openDatabase(file, { wal: true });
  try {
    expect(db.get('PRAGMA integrity_check')?.integrity_check).toBe('ok');
    expect(db.get('SELECT count(*) AS n, sum(length(v)) AS bytes FROM t')).toEqual({ n: ROWS, bytes: ROWS * 500 });
  } finally {
    db.close();
  }
});

it('leaves other lock checks alone once the database is open', async () => {
  const file = path.join(dir, 'plain.sqlite');
  const db = openDatabase(file);
  try {
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    // Our own connection's lock is visible again, so a second connection is refused rather than let in.
    expect(existsSync(`${file}.lock`)).toBe(false);
    db.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (2)');
    expect(existsSync(`${file}.lock`)).toBe(true);
    expect(() => openDatabase(file).exec('INSERT INTO t VALUES (3)')).toThrow(/locked|busy/i);
    db.exec('COMMIT');
    expect(db.get('SELECT count(*) AS n FROM t')).toEqual({ n: 2 });
  } finally {
    db.close();
  }
});

it('keeps statements prepared: a SQL text is prepared once, a row read with get leaves nothing open, the cache is bounded', async () => {
  const dir = await tempDir('sqlite-cache-');
  const db = openDatabase(path.join(dir, 'cache.sqlite'));
  try {
    db.exec('CREATE TABLE t (n INTEGER)');
    const prepare = db.prepare.bind(db);
    let prepared = 0;
    db.prepare = (sql: string) => {
      prepared++;
      return prepare(sql);
    };
    for (let i = 0; i < 100; i++) db.run('INSERT INTO t (n) VALUES (?)', [i]);
    expect(prepared).toBe(1);
    // One row of many read: the statement is reset at once, so a write transaction can begin and commit.
    expect(db.get('SELECT n FROM t ORDER BY n', [])).toEqual({ n: 0 });
    db.exec('BEGIN IMMEDIATE');
    db.run('DELETE FROM t WHERE n > ?', [49]);
    db.exec('COMMIT');
    expect(db.all('SELECT count(*) AS c FROM t', [])).toEqual([{ c: 50 }]);
    expect(db.get('SELECT n FROM t ORDER BY n', [])).toEqual({ n: 0 });
    // Past 256 distinct texts the oldest are finalized; every text still runs.
    for (let i = 0; i < 300; i++) expect(db.get(`SELECT ${i} AS v`, [])).toEqual({ v: i });
    expect(db.get('SELECT 0 AS v', [])).toEqual({ v: 0 });
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
