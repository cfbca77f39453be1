// SIGKILL the server at random points during a loop of chunk uploads and CreateCommit calls, 20 times. Every commit
// it answered must survive, no commit may refer to a missing or corrupt chunk, and SQLite must pass integrity_check.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { startHub, type Hub } from '../datahub/index.ts';
import { lockDataDir } from '../lib/data-lock.ts';
import { silentLogger } from '../lib/log.ts';
import { putFile, tempDir } from '../testing/cluster.ts';
import { Probe } from '../testing/probe.ts';
import { exited, spawnServer as spawnServerProcess } from '../testing/server-process.ts';
import { ChunkStore } from './chunks/index.ts';
import { ServerStore } from './store.ts';

const ROUNDS = 20;
const REPO = '%SYNCED_STORAGE%\\Projects\\Crash';
let hub: Hub;
let dir: string;
let panel: Probe;

beforeAll(async () => {
  dir = await tempDir('assethub-crash-');
  hub = await startHub({ port: 0, logger: silentLogger() });
  panel = await Probe.connect(hub.url, { name: 'CRASH-AssetHubPanel' });
});
afterAll(async () => {
  await panel?.close();
  await hub?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const spawnServer = () => spawnServerProcess(panel, hub.url, path.join(dir, 'server'));
const killed = exited;

async function head(): Promise<string> {
  const repos = await panel.ok<Array<{ Name: string; Branches: Array<{ Commits: Array<{ ID: string }> }> }>>(SERVER_NAME, 'GetRepositories');
  const commits = repos.find((r) => r.Name === REPO)?.Branches[0]?.Commits ?? [];
  const last = commits.at(-1);
  if (!last) throw new Error('no head');
  return last.ID;
}

it(`keeps every answered commit and its chunks through ${ROUNDS} SIGKILLs`, async () => {
  const answered: string[] = [];
  const first = await spawnServer();
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  first.child.kill('SIGKILL');
  await killed(first.child);

  for (let round = 0; round < ROUNDS; round++) {
    const server = await spawnServer();
    let parent = await head();
    // The kill comes at a random moment after the round's first answered commit (a state, not a time from spawning:
    // a loaded machine may take longer than any fixed delay to answer one), mid-upload or mid-call.
    const killAfter = 50 + Math.floor(Math.random() * 600);
    let timer: NodeJS.Timeout | undefined;
    try {
      for (let i = 0; ; i++) {
        const files = await Promise.all(Array.from({ length: 1 + (i % 3) }, (_, k) =>
          putFile(server.storageUrl, `FileSystem:/round${round}/file${i}-${k}.bin`, randomBytes(1024 + Math.floor(Math.random() * 200_000)))));
        const outcome = await panel.call(SERVER_NAME, 'CreateCommit', { Repository: REPO, Branch: 'Main', Parent: parent, Author: 'CRASH', Comment: `round ${round} commit ${i}`, Changes: files }, timer === undefined ? 30_000 : 3000);
        if ('Failure' in outcome) throw new Error(`${outcome.Failure.Code}: ${outcome.Failure.Message}`);
        parent = (outcome.Result as { Commit: string }).Commit;
        answered.push(parent);
        timer ??= setTimeout(() => server.child.kill('SIGKILL'), killAfter);
      }
    } catch {
      // The kill interrupted an upload or a call: expected.
    } finally {
      clearTimeout(timer);
      server.child.kill('SIGKILL');
      await killed(server.child);
    }
  }
  expect(answered.length).toBeGreaterThanOrEqual(ROUNDS);

  // The database and chunk store as the killed processes left them, opened the way a restarting server does.
  const dbFile = path.join(dir, 'server', 'server.sqlite');
  const unlock = lockDataDir(path.join(dir, 'server'), [dbFile]);
  const store = new ServerStore(dbFile);
  try {
    expect(store.integrityCheck()).toBe('ok');
    const lost = answered.filter((id) => !store.commitExists(id));
    expect(lost).toEqual([]);
    const chunks = new ChunkStore(path.join(dir, 'server', 'chunks'));
    const referenced = [...await store.referencedChunksInPages()];
    expect(await chunks.missing(referenced)).toEqual([]);
    for (const hash of referenced) {
      const data = await readFile(chunks.path(hash));
      expect(createHash('sha256').update(data).digest('hex')).toBe(hash);
    }
  } finally {
    store.close();
    unlock();
  }
  // And it starts again and serves the history.
  const last = await spawnServer();
  const repos = await panel.ok<Array<{ Name: string; Branches: Array<{ Commits: Array<{ ID: string }> }> }>>(SERVER_NAME, 'GetRepositories');
  const history = repos.find((r) => r.Name === REPO)?.Branches[0]?.Commits.map((c) => c.ID) ?? [];
  expect(history.filter((id) => answered.includes(id))).toEqual(answered);
  last.child.kill('SIGTERM');
  await killed(last.child);
}, 300_000);
