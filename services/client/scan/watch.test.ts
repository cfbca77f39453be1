import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WorkspaceScanner } from './scanner.ts';
import { removeTree, tempRoot, writeTree } from './testing/tree.ts';
import { watchWorkspace } from './watch.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check` holds; fails after `ms` (a bound, not a timing assertion). */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await sleep(20)) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
  }
}

let root = '';
const stops: Array<() => void> = [];
beforeEach(() => {
  root = tempRoot('watch-');
});
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await removeTree(root);
});

it('fires once for a burst of writes, and not after stop', async () => {
  let calls = 0;
  const stop = watchWorkspace(root, () => calls++, { debounceMs: 200 });
  stops.push(stop);
  for (let i = 0; i < 20; i++) writeTree(root, { [`dir${i % 3}/f${i}.txt`]: String(i) });
  await until(() => calls > 0);
  await sleep(600); // longer than the debounce: a second call would have come by now
  expect(calls).toBe(1);

  writeFileSync(path.join(root, 'after-first.txt'), 'x');
  await until(() => calls === 2);

  stop();
  writeFileSync(path.join(root, 'after-stop.txt'), 'x');
  await sleep(500);
  expect(calls).toBe(2);
});

it('ignores the client’s own files', async () => {
  mkdirSync(path.join(root, '.assethub'));
  let calls = 0;
  stops.push(watchWorkspace(root, () => calls++, { debounceMs: 50 }));
  writeFileSync(path.join(root, '.assethub', 'state.db'), 'x');
  writeFileSync(path.join(root, 'pulled.uasset.assethub-tmp'), 'x');
  await sleep(500);
  expect(calls).toBe(0);
  writeFileSync(path.join(root, 'real.uasset'), 'x'); // the watch is alive: a real change still fires
  await until(() => calls === 1);
});

it('drops events under folders the last scan ignored', async () => {
  writeTree(root, { 'Saved/Logs/': '' });
  const db = new sqlite.Database();
  try {
    const scanner = new WorkspaceScanner({ root, db, workspaceKey: 'ws' });
    await scanner.scan();
    let calls = 0;
    stops.push(scanner.watch(() => calls++, 50));
    writeFileSync(path.join(root, 'Saved', 'Logs', 'editor.log'), 'line');
    await sleep(500);
    expect(calls).toBe(0);
    writeFileSync(path.join(root, 'Map.umap'), 'x');
    await until(() => calls === 1);
  } finally {
    db.close();
  }
});

it('stops by itself, without throwing, when the root is removed', async () => {
  let calls = 0;
  let closed: Error | null = null;
  stops.push(watchWorkspace(root, () => calls++, { debounceMs: 50, onClosed: (reason) => (closed = reason) }));
  rmSync(root, { recursive: true });
  await until(() => closed !== null);
  expect(calls).toBe(0);
  mkdirSync(root); // a new folder at the same path is not watched
  writeFileSync(path.join(root, 'x'), 'x');
  await sleep(300);
  expect(calls).toBe(0);
});
