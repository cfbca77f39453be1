import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import sqlite from 'node-sqlite3-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assetUriSegments, uriOfPath } from '../../../shared/assethub/uri.ts';
import { startWorkerThread } from '../../lib/worker-thread.ts';
import { isPortableName } from './rules.ts';
import { ScanIndex, type IndexRow } from './scan-index.ts';
import { WorkspaceScanner, type WorkspaceScannerOptions } from './scanner.ts';
import { age, removeTree, tempRoot, writeTree } from './testing/tree.ts';
import { CHUNK_ENTRIES } from './walk.ts';

let root = '';
let outside = '';
const dbs: sqlite.Database[] = [];
const newDb = (): sqlite.Database => {
  const db = new sqlite.Database();
  dbs.push(db);
  return db;
};
const scanner = (options: Partial<WorkspaceScannerOptions> = {}): WorkspaceScanner =>
  new WorkspaceScanner({ root, db: options.db ?? newDb(), workspaceKey: 'ws', ...options });
const realThread = (): Worker => startWorkerThread(import.meta.url, 'scan');
const asRoot = process.getuid?.() === 0;

beforeEach(() => {
  root = tempRoot();
  outside = tempRoot('scan-outside-');
});
afterEach(async () => {
  for (const db of dbs.splice(0)) db.close();
  chmodSync(root, 0o755);
  await removeTree(root);
  await removeTree(outside);
});

describe('reads on scan threads', () => {
  it('find what reads on the client’s thread find: links, FIFOs, unreadable folders, ignored and odd names', async () => {
    writeTree(outside, { 'secret.txt': 'secret' });
    writeTree(root, {
      '.pxignore': '*.log\n!keep.log\n',
      'a.txt': 'alpha',
      'big.bin': 'x'.repeat(600 * 1024),
      'dir/b.txt': 'bravo',
      'dir/debug.log': 'ignored',
      'dir/keep.log': 'kept',
      'Saved/s.ini': 'ignored folder',
      'bad:name.txt': 'not portable',
      'empty/': '',
      'locked/inside.txt': 'unreadable unless root',
    });
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'dir/link'));
    symlinkSync(outside, path.join(root, 'out-dir'));
    execFileSync('mkfifo', [path.join(root, 'dir/fifo')]);
    chmodSync(path.join(root, 'locked'), 0);
    age(root);
    try {
      const here = await scanner({ threadedReadsFrom: Infinity }).scan();
      const threaded = scanner({ threadedReadsFrom: 0, hashThreads: 2 });
      const there = await threaded.scan();
      expect(here.stats.readThreads).toBe(0);
      expect(there.stats.readThreads).toBe(2);
      expect(there.entries).toEqual(here.entries);
      expect(there.ignored).toEqual(here.ignored);
      expect(there.skipped).toEqual(here.skipped);
      expect({ ...there.stats, ms: 0, readThreads: 0 }).toEqual({ ...here.stats, ms: 0, readThreads: 0 });
      expect(there.ignored).toEqual([
        'FileSystem:/Saved', 'FileSystem:/Saved/s.ini', 'FileSystem:/bad:name.txt', 'FileSystem:/dir/debug.log', 'FileSystem:/dir/fifo',
        'FileSystem:/dir/link', 'FileSystem:/out-dir',
      ]);
      expect(there.skipped).toEqual(asRoot ? [] : ['FileSystem:/locked']);
      expect(there.stats.hashed).toBe(asRoot ? 6 : 5);
      // The index rows written from the threads' stats are trusted by the next scan: nothing is read again.
      expect((await threaded.scan()).stats.hashed).toBe(0);
    } finally {
      chmodSync(path.join(root, 'locked'), 0o755);
    }
  });

  it('walk folders larger than a chunk, every entry once', async () => {
    const files = CHUNK_ENTRIES * 5 + 3; // more chunks than the walk may have queued, so it waits for the scanner
    mkdirSync(path.join(root, 'many'));
    for (let i = 0; i < files; i++) writeFileSync(path.join(root, 'many', `f${i}`), '');
    writeTree(root, { 'z/last.txt': 'z' });
    const result = await scanner({ threadedReadsFrom: 0 }).scan();
    expect(result.stats).toMatchObject({ files: files + 1, directories: 2, hashed: files + 1 });
    expect(result.entries.size).toBe(files + 3);
  });
});

describe('a scan thread that dies', () => {
  it('fails the walk with a clear error; the next scan starts a new thread', async () => {
    writeTree(root, { 'a.txt': 'a' });
    let starts = 0;
    const startThread = (): Worker => (++starts === 1 ? startWorkerThread(import.meta.url, 'missing') : realThread());
    const s = scanner({ startThread });
    await expect(s.scan()).rejects.toThrow(/scan thread stopped/);
    const later = await s.scan();
    expect([...later.entries.keys()]).toEqual(['FileSystem:/a.txt']);
    expect(starts).toBe(2);
  });

  it('fails a threaded read with a clear error, keeping the hashes done; the next scan finishes the job', async () => {
    const files = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`d/f${String(i).padStart(3, '0')}`, `${i}`]));
    writeTree(root, files);
    age(root);
    const db = newDb();
    let starts = 0;
    const startThread = (): Worker => {
      const worker = realThread();
      // The second thread is a reader: it goes away while its batches are out.
      if (++starts === 2) worker.once('online', () => void worker.terminate());
      return worker;
    };
    const s = scanner({ db, startThread, threadedReadsFrom: 0, hashThreads: 2 });
    await expect(s.scan()).rejects.toThrow(/scan thread stopped/);
    const kept = db.all('SELECT count(*) AS n FROM scan_index')[0]?.n as number;
    expect(kept).toBeLessThan(600);
    const later = await s.scan();
    expect(later.stats.files).toBe(600);
    expect(later.stats.hashed).toBe(600 - kept);
  });
});

describe('pieces the threads rely on', () => {
  it('a plain-name fast path never calls portable what the full check refuses', () => {
    const names = ['a.txt', '.pxignore', 'a.', 'a ', '..', '.', 'C:x', 'a:b', 'a\\b', 'tab\tname', 'é.txt', '-', '_', 'con', 'x y'];
    for (const name of names) expect([name, isPortableName(name)]).toEqual([name, assetUriSegments(uriOfPath(name)).ok]);
  });

  it('the index keeps inodes past 2^53 and times before 1970 exactly', () => {
    const index = new ScanIndex(newDb(), 'ws');
    const row: IndexRow = { size: 3, mtimeS: -5, mtimeN: -123_456_789, ctimeS: 1_700_000_000, ctimeN: 999_999_999, inoHi: 0xffff_fffe, inoLo: 0xffff_ffff, hash: 'h' };
    index.apply({ upserts: new Map([['FileSystem:/a', row]]), deletes: [] });
    expect(index.load().get('FileSystem:/a')).toEqual(row);
  });

  it('a .pxignore naming folders only still ignores those folders, not files of the same name', async () => {
    writeTree(root, { '.pxignore': 'build/\n# comment\n\n', 'build/out.bin': 'o', 'src/build': 'a file named build' });
    const result = await scanner().scan();
    expect(result.ignored).toEqual(['FileSystem:/build', 'FileSystem:/build/out.bin']);
    expect([...result.entries.keys()].sort()).toEqual(['FileSystem:/.pxignore', 'FileSystem:/src', 'FileSystem:/src/build']);
  });
});
