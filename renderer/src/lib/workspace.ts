/**
 * What every view that lists workspaces says of one: which client and machine has it, whether that client is online,
 * and the workspace as the client's PersistentState has it. The Workspaces and Conflicts views build their rows on it.
 */
import type { TClientWorkspace } from '../../../shared/assethub/states.ts';
import type { ServiceEntry } from '../../../shared/panel/api.ts';
import { machineOf } from './selectors.ts';

export interface WorkspaceIdentity {
  /** `<service>\u0000<workspace>`: unique across clients. */
  key: string;
  service: string;
  machine: string;
  online: boolean;
  /** The workspace's name (its absolute path): the Workspace of every Call. */
  workspace: string;
  displayPath: string;
  repository: string | null;
  branch: string | null;
  commit: string | null;
}

export const rowKey = (service: string, workspace: string): string => `${service}\u0000${workspace}`;

/**
 * The display path in the separators of the absolute path it stands for: a Windows client's `C:\…` or `\\host\…` gets
 * `%SYNCED_STORAGE%\…` whatever mix it reported. A POSIX path is left as it is: there a backslash is part of a name.
 */
export function displayInPathStyle(display: string, absolute: string): string {
  return /^(?:[A-Za-z]:)?[\\]|^[A-Za-z]:\//.test(absolute) ? display.replaceAll('/', '\\') : display;
}

/** A workspace of a client; `persistent` is its PersistentState entry, if that has been read. */
export function workspaceIdentity(entry: ServiceEntry, name: string, persistent: TClientWorkspace | undefined): WorkspaceIdentity {
  return {
    key: rowKey(entry.name, name),
    service: entry.name,
    machine: machineOf(entry.name),
    online: entry.online,
    workspace: name,
    displayPath: displayInPathStyle(persistent?.DisplayPath ?? name, name),
    repository: persistent?.Repository ?? null,
    branch: persistent?.Branch ?? null,
    commit: persistent?.Commit ?? null,
  };
}
