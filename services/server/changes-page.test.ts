// GetChanges in pages (changes-page.ts): page after page, the net changes of any range of a random history equal what
// the two snapshots say, whatever the page size; a page never holds more than PAGE_CHANGES; a client pulls a commit of
// more than one page whole (the pull itself is one loop over that list); a cursor from elsewhere is refused.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { pulledWorkspace, startCluster, tempDir, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';
import { PAGE_CHANGES } from './changes-page.ts';
import { ServerStore } from './store.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Pages';
const HASH = 'a'.repeat(64);

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byUri = (a: TCommitChange, b: TCommitChange) => (a.URI < b.URI ? -1 : a.URI > b.URI ? 1 : 0);

it('page after page, any range of a random history equals the difference of its two snapshots, at any page size', async () => {
  const dir = await tempDir('assethub-pages-');
  const store = new ServerStore(path.join(dir, 'server.sqlite'));
  try {
    const next = random(7);
    let parent = store.createRepository(REPO, 'Main', 'A');
    const branch = store.branch(REPO, 'Main');
    const names = Array.from({ length: 60 }, (_, i) => `FileSystem:/f${i % 7}/n${i}`);
    for (let commit = 0; commit < 25; commit++) {
      const current = new Set(store.currentUris(branch.id));
      const changes: TCommitChange[] = [];
      for (const uri of names) {
        const roll = next();
        if (roll < 0.25) changes.push({ Type: 'PutFile', URI: uri, Size: 0, Hash: HASH, Chunks: [] });
        else if (roll < 0.3) changes.push({ Type: 'PutDirectory', URI: uri });
        else if (roll < 0.4 && current.has(uri)) changes.push({ Type: 'Delete', URI: uri });
      }
      if (changes.length === 0) continue;
      parent = await store.commit({ repository: REPO, branch: 'Main', parent, author: 'A', comment: `c${commit}`, changes });
    }
    const head = store.head(branch.id).position;
    for (let from = -1; from <= head; from++) {
      for (let to = Math.max(from, 0); to <= head; to++) {
        const before = new Map(from < 0 ? [] : store.snapshot(branch.id, from).map((v) => [v.uri, v]));
        const after = store.snapshot(branch.id, to);
        const expected: TCommitChange[] = [
          ...[...before.keys()].filter((uri) => !after.some((v) => v.uri === uri)).map((uri): TCommitChange => ({ Type: 'Delete', URI: uri })),
          ...after.filter((v) => v.fromPos > from).map((v): TCommitChange => (v.kind === 'directory'
            ? { Type: 'PutDirectory', URI: v.uri, New: !before.has(v.uri) }
            : { Type: 'PutFile', URI: v.uri, Size: v.size, Hash: v.hash ?? '', Chunks: v.chunks, New: !before.has(v.uri) })),
        ];
        for (const size of [1, 3, PAGE_CHANGES]) {
          const got: TCommitChange[] = [];
          let cursor = null;
          for (let pages = 0; ; pages++) {
            const page = store.changesPage(branch.id, from, to, cursor, size);
            expect(page.changes.length).toBeLessThanOrEqual(size);
            got.push(...page.changes);
            if (!page.next) break;
            cursor = JSON.parse(Buffer.from(page.next, 'base64url').toString('utf8'));
            expect(pages).toBeLessThan(expected.length + head + 5);
          }
          expect(got.sort(byUri), `${from}→${to} in pages of ${size}`).toEqual(expected.sort(byUri));
        }
      }
    }
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);

let cluster: Cluster;
let panel: Probe;
beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('PAGES-AssetHubPanel');
});
afterAll(async () => cluster?.close());

it('a commit of more than one page is answered in pages, and a client reads it whole', async () => {
  const client = await cluster.client('STAGE-P');
  const repo = `${REPO} Pull`;
  const workspace = await pulledWorkspace(panel, client, repo);
  const root = (await panel.ok<Array<{ Name: string; Branches: Array<{ Commits: Array<{ ID: string }> }> }>>(SERVER_NAME, 'GetRepositories'))
    .find((r) => r.Name === repo)?.Branches[0]?.Commits[0]?.ID;
  const folders = Array.from({ length: PAGE_CHANGES * 2 + 10 }, (_, i) => ({ Type: 'PutDirectory', URI: `FileSystem:/many/d${String(i).padStart(5, '0')}` }));
  const { Commit } = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', { Repository: repo, Branch: 'Main', Parent: root, Author: 'P', Comment: 'many', Changes: folders }, 60_000);

  const first = await panel.ok<{ Changes: unknown[]; Next?: string }>(SERVER_NAME, 'GetChanges', { Repository: repo, Branch: 'Main', From: root, To: Commit });
  expect(first.Changes.length).toBeLessThanOrEqual(PAGE_CHANGES);
  expect(first.Next).toEqual(expect.any(String));
  // A cursor belongs to its range; garbage is refused with the way out.
  const refused = await panel.call(SERVER_NAME, 'GetChanges', { Repository: repo, Branch: 'Main', From: Commit, After: first.Next });
  expect('Failure' in refused && refused.Failure.Code).toBe('INVALID_PARAMS');
  const garbage = await panel.call(SERVER_NAME, 'GetChanges', { Repository: repo, Branch: 'Main', From: root, After: 'not-a-cursor' });
  expect('Failure' in garbage && garbage.Failure.Message).toMatch(/start again without it/);

  // The client reads every page: its RemoteChanges (AssetInfo) list the whole commit, in the order it would apply them.
  const remote = await until('the client to list the commit as remote changes', async () => {
    const info = await panel.get(client.name, ['AssetInfo', 'Workspaces', workspace, 'RemoteChanges']) as Array<{ URI: string }> | null;
    return info && info.length === folders.length ? info : null;
  }, 60_000);
  expect(remote.map((c) => c.URI)).toEqual(folders.map((f) => f.URI));
}, 120_000);
