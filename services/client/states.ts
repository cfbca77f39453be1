/** The client's states (docs/PROTOCOL.md §4) built from its workspaces. */
import path from 'node:path';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import { storageDisplayPath } from '../../shared/assethub/paths.ts';
import type { ClientStates, TClaim, TCommit } from '../../shared/assethub/states.ts';
import type { Workspace } from './workspace.ts';

/** Below SyncedStoragePath: `%SYNCED_STORAGE%` + the rest with this platform's separator; elsewhere the absolute path. */
export const displayPath = (absolute: string, storageDir: string): string => storageDisplayPath(absolute, storageDir, path);

/** The server's changes the workspace does not have: those after its commit, and those its disk refused before. */
function remoteChanges(ws: Workspace): TCommitChange[] {
  if (ws.view.unwritten.length === 0) return ws.view.remote;
  const listed = new Set(ws.view.remote.map((c) => c.URI));
  return [...ws.view.remote, ...ws.view.unwritten.filter((u) => !listed.has(u.uri)).map((u) => u.change)];
}

export function buildWorkspaceInfo(workspaces: Workspace[]): ClientStates['WorkspaceInfo'] {
  const entries = workspaces.map((ws) => {
    const local = ws.view.local.length > 0 || ws.view.conflicts.length > 0;
    return [ws.path, {
      Name: ws.path,
      Active: true,
      Status: { Attached: ws.attached(), Incoming: remoteChanges(ws).length > 0, Outcoming: local, ...ws.progress.status },
    }] as const;
  });
  const statuses = entries.map(([, w]) => w.Status);
  const working = statuses.filter((s) => s.Activity !== 'Idle');
  const Current = working.reduce((n, s) => n + s.Current, 0);
  const Total = working.reduce((n, s) => n + s.Total, 0);
  return {
    Status: {
      Incoming: statuses.some((s) => s.Incoming),
      Outcoming: statuses.some((s) => s.Outcoming),
      Activity: working.length ? 'Sync' : 'Idle',
      Stage: working.length ? (working.some((s) => s.Stage === 'Initiating') ? 'Initiating' : 'InProgress') : 'Finalizing',
      Current,
      Total,
      Progress: Total ? Current / Total : working.length ? 0 : 1,
    },
    // No engine runs beside the reference client: Running false and, as documented, nothing else.
    Engine: { Running: false },
    Workspaces: Object.fromEntries(entries),
  };
}

export function buildPersistentState(
  paths: { SyncedConfigPath: string; SyncedStoragePath: string; SyncedCommonPath: string; SyncedProjectsPath: string },
  workspaces: Workspace[],
  commitsOf: (repository: string, branch: string) => TCommit[] | null,
): ClientStates['PersistentState'] {
  return {
    ...paths,
    Workspaces: Object.fromEntries(workspaces.map((ws) => [ws.path, {
      Name: ws.path,
      AbsolutePath: ws.path,
      DisplayPath: displayPath(ws.path, paths.SyncedStoragePath),
      Repository: ws.row.repository,
      Branch: ws.row.branch,
      Commit: ws.row.commit,
      Commits: commitsOf(ws.row.repository, ws.row.branch),
    }])),
  };
}

export function buildAssetInfo(workspaces: Workspace[], claimsOf: (repository: string, branch: string) => TClaim[]): ClientStates['AssetInfo'] {
  return {
    Workspaces: Object.fromEntries(workspaces.map((ws) => [ws.path, {
      Name: ws.path,
      Scan: ws.view.scanning,
      IgnoredURIs: ws.view.scan?.ignored ?? [],
      LocalChanges: ws.view.local,
      RemoteChanges: remoteChanges(ws).map((c) => ({ Type: c.Type, URI: c.URI, ...(c.New === undefined ? {} : { New: c.New }) })),
      ConflictURIs: ws.view.conflicts.map((c) => c.uri),
      Claims: claimsOf(ws.row.repository, ws.row.branch),
    }])),
  };
}
