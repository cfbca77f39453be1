/**
 * The workspaces as the views show them: one row per workspace of every client, joined from the client's four states
 * and the server's. Nothing is invented: a value whose state has not been read yet is null.
 */
import type { TAssetChange, TCommit, TWorkspaceAssets, TWorkspaceStatus } from '../../../../shared/assethub/states.ts';
import type { PanelData } from '../../store/panel.ts';
import type { Operation, ServiceEntry } from '../../../../shared/panel/api.ts';
import { latestOn } from '../../lib/operations.ts';
import { clientEntries, serverOf, type Client, type Server } from '../../lib/selectors.ts';
import { workspaceIdentity, type WorkspaceIdentity } from '../../lib/workspace.ts';
import { own } from '../../../../shared/dict.ts';
import { effectiveAutoPull } from '../../../../shared/assethub/auto-pull.ts';

export interface WorkspaceRow extends WorkspaceIdentity {
  /** The branch's commits, oldest first (from the server when it has them, else from the client). */
  commits: TCommit[];
  status: TWorkspaceStatus | null;
  assets: TWorkspaceAssets | null;
  /** The workspace's own AutoPull setting, or null when it follows the repository default. */
  ownAutoPull: boolean | null;
  /** What AutoPull is in effect, or null when the states needed to know are not read yet. */
  autoPull: boolean | null;
  /** The newest operation started on it through this panel's engine, if any. */
  operation: Operation | null;
}

export function branchCommits(data: PanelData | null, repository: string | null, branch: string | null): TCommit[] | null {
  return commitsOf(serverOf(data), repository, branch);
}

function commitsOf(server: Server, repository: string | null, branch: string | null): TCommit[] | null {
  if (!repository || !branch) return null;
  const repo = own(server.PersistentState?.Repositories, repository);
  return repo?.Branches.find((b) => b.Name === branch)?.Commits ?? null;
}

/** What a client's rows are built from besides its own states; each part is replaced only when it changes. */
interface RowInputs { entry: ServiceEntry; serverState: Server['State']; serverPersistent: Server['PersistentState']; operations: readonly Operation[] }

const sameInputs = (a: RowInputs, b: RowInputs): boolean =>
  a.entry === b.entry && a.serverState === b.serverState && a.serverPersistent === b.serverPersistent && a.operations === b.operations;

/**
 * Rows per client, kept per version of its states object: the store replaces that object only for the client whose
 * state changed (store/panel.ts applyPatch), so an Update to one of 500 clients rebuilds that client's rows alone.
 */
const rowCache = new WeakMap<object, { inputs: RowInputs; rows: WorkspaceRow[] }>();
const NO_STATES: Record<string, unknown> = {};

/** One client's rows, by workspace name. */
export function clientRows(data: PanelData | null, entry: ServiceEntry): WorkspaceRow[] {
  const states = own(data?.states, entry.name) ?? NO_STATES;
  const server = serverOf(data);
  const inputs: RowInputs = { entry, serverState: server.State, serverPersistent: server.PersistentState, operations: data?.operations ?? [] };
  const hit = rowCache.get(states);
  if (hit && sameInputs(hit.inputs, inputs)) return hit.rows;
  const rows = buildRows(states as Client, inputs);
  // The shared empty object stands for every client not read yet: never cache on it.
  if (states !== NO_STATES) rowCache.set(states, { inputs, rows });
  return rows;
}

function buildRows(client: Client, { entry, serverState, serverPersistent, operations }: RowInputs): WorkspaceRow[] {
  const server: Server = { State: serverState, PersistentState: serverPersistent };
  const persistent = client.PersistentState?.Workspaces ?? {};
  const info = client.WorkspaceInfo?.Workspaces ?? {};
  const assets = client.AssetInfo?.Workspaces ?? {};
  const names = new Set([...Object.keys(persistent), ...Object.keys(info), ...Object.keys(assets)]);
  const rows: WorkspaceRow[] = [];
  for (const name of [...names].sort()) {
    const p = own(persistent, name);
    const repository = p?.Repository ?? null;
    const branch = p?.Branch ?? null;
    const mine = client.State ? (own(client.State.Workspaces, name)?.AutoPull ?? null) : null;
    const autoPull = client.State ? effectiveAutoPull(mine, repository, server.State) : null;
    rows.push({
      ...workspaceIdentity(entry, name, p),
      commits: commitsOf(server, repository, branch) ?? p?.Commits ?? [],
      status: own(info, name)?.Status ?? null,
      assets: own(assets, name) ?? null,
      ownAutoPull: mine,
      autoPull,
      operation: latestOn(operations, entry.name, name),
    });
  }
  return rows;
}

export function workspaceRows(data: PanelData | null, machines: readonly string[]): WorkspaceRow[] {
  return clientEntries(data, machines).flatMap((entry) => clientRows(data, entry));
}

/** `STAGE-A %SYNCED_STORAGE%\Projects\Show`: a workspace where the operator reads it. */
export const workspaceLabel = (row: WorkspaceRow): string => `${row.machine} ${row.displayPath}`;

/** What a refused AutoPull Set says failed, from the workspace's switch or the bulk Apply alike. */
export const autoPullFailed = (where: string, on: boolean): string => `AutoPull ${on ? 'on' : 'off'} for ${where} failed`;

/** Commits after the workspace's current one: what a Pull up to a commit can choose from. */
export function commitsAhead(row: WorkspaceRow): TCommit[] {
  if (!row.commit) return row.commits;
  const at = row.commits.findIndex((c) => c.ID === row.commit);
  return at < 0 ? [] : row.commits.slice(at + 1);
}

export function currentCommit(row: WorkspaceRow): TCommit | null {
  return row.commit ? (row.commits.find((c) => c.ID === row.commit) ?? null) : null;
}

export const changeLabel = (c: TAssetChange): string => (c.Type === 'Delete' ? 'Delete' : c.New ? `${c.Type} (new)` : c.Type);

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
export function bytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${UNITS[u]}`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
