/**
 * What the show holds: five small repositories every machine has a workspace of (the catalogue's repository is on the
 * server beside them), real machines' workspaces created and pulled through the real Calls, some with local changes
 * on disk, and the simulated machines' specifications. Then, during the show, commits arriving now and then.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLIENT_SERVICE, formatServiceName, SERVER_NAME } from '../../shared/protocol/index.ts';
import { putFile } from '../../services/testing/cluster.ts';
import type { SimMachineSpec } from './sim-client.ts';
import type { ShowPeer } from './show-peer.ts';

export const SHOW_REPOS = [1, 2, 3, 4, 5].map((n) => `%SYNCED_STORAGE%\\Show\\Set${n}`);
export const BRANCH = 'Main';
/** The repository whose commits real machines pull by AutoPull. */
const REAL_AUTOPULL_REPO = SHOW_REPOS[4] as string;

export const clientName = (machine: string): string => formatServiceName(machine, CLIENT_SERVICE);

/** Heads of the show's repositories as the bench made them. */
export type Heads = Map<string, string>;

/** The five repositories, each with a first commit of 8 small files. */
export async function createRepositories(peer: ShowPeer, storageUrl: string): Promise<Heads> {
  const heads: Heads = new Map();
  for (const repo of SHOW_REPOS) {
    const { Commit: root } = await peer.call<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: repo, Branch: BRANCH });
    const changes = await Promise.all(Array.from({ length: 8 }, (_, i) => putFile(storageUrl, `FileSystem:/Content/Shot${i % 4}/Asset_${i}.uasset`, randomBytes(2048 + i * 100))));
    const { Commit } = await peer.call<{ Commit: string }>(SERVER_NAME, 'CreateCommit', { Repository: repo, Branch: BRANCH, Parent: root, Author: 'OPS', Comment: 'set dressing', Changes: changes });
    heads.set(repo, Commit);
  }
  return heads;
}

/** A commit of three edited files on `repo`, as an artist's push brings it. */
export async function commitArrives(peer: ShowPeer, storageUrl: string, heads: Heads, repo: string, n: number): Promise<void> {
  const changes = await Promise.all([0, 1, 2].map((i) => putFile(storageUrl, `FileSystem:/Content/Shot${i}/Asset_${(n * 3 + i) % 8}.uasset`, randomBytes(4096))));
  const { Commit } = await peer.call<{ Commit: string }>(SERVER_NAME, 'CreateCommit', {
    Repository: repo, Branch: BRANCH, Parent: heads.get(repo) ?? null, Author: `STAGE-${String(n % 50).padStart(3, '0')}`, Comment: `take ${n}`, Changes: changes,
  });
  heads.set(repo, Commit);
}

/**
 * On each real machine: a workspace of every show repository (CreateWorkspace, then Pull), waited for until it is at
 * the head; every fifth machine gets 40 new files in one workspace (local changes its scan reports); half of them
 * AutoPull their last workspace (their own setting, a Set as the panel sends it).
 */
export async function setUpRealMachines(peer: ShowPeer, machines: string[], heads: Heads): Promise<void> {
  const one = async (machine: string, index: number): Promise<void> => {
    const client = clientName(machine);
    // One after another: CreateWorkspace calls racing on one client can fail (each checks the folders another is
    // making; see the show simulator's notes).
    const paths: string[] = [];
    for (const repo of SHOW_REPOS) {
      const { Workspace } = await retry(() => peer.call<{ Workspace: string }>(client, 'CreateWorkspace', { Repository: repo, Branch: BRANCH }));
      paths.push(Workspace);
      await peer.call(client, 'Pull', { Workspace });
    }
    await waitFor(`${machine} at the heads`, async () => {
      const persistent = await peer.get(client, ['PersistentState']) as { Workspaces: Record<string, { Repository: string; Commit: string | null }> };
      return Object.values(persistent.Workspaces).every((w) => w.Commit === heads.get(w.Repository));
    }, 120_000);
    if (index % 5 === 0) {
      const folder = path.join(paths[2] as string, 'Content', 'Edits');
      await mkdir(folder, { recursive: true });
      await Promise.all(Array.from({ length: 40 }, (_, i) => writeFile(path.join(folder, `Edit_${i}.uasset`), randomBytes(1024))));
    }
    if (index % 2 === 0) peer.set(client, ['State', 'Workspaces', paths[4] as string, 'AutoPull'], true);
  };
  // A few machines at a time: two cores share the server, the hub and every client.
  const queue = machines.map((m, i) => [m, i] as const);
  await Promise.all(Array.from({ length: 12 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await one(next[0], next[1]);
  }));
}

/** Simulated machines: five workspaces each (one per show repository); every twentieth has thousands of local changes. */
export function simMachines(count: number): SimMachineSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const editor = i % 20 === 7;
    return {
      machine: `${editor ? 'SIM-EDIT' : 'SIM'}-${String(i + 1).padStart(3, '0')}`,
      workspaces: SHOW_REPOS.map((repository, w) => ({
        repository, branch: BRANCH,
        localChanges: editor && w === 2 ? 2000 + ((i * 137) % 3000) : i % 3 === 0 && w === 1 ? (i * 7) % 50 : 0,
        // A tenth of the workspaces pull by AutoPull of their own.
        autoPull: (i * 5 + w) % 10 === 3 ? true : null,
      })),
    };
  });
}

export { REAL_AUTOPULL_REPO };

async function retry<T>(fn: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
