/**
 * The commands the engine hands to its host (Electron, the browser host): changing hubs and opening folders on the
 * host's desktop. For a workspace folder the renderer names a client and a workspace, never a bare path: only a
 * workspace that client reports in its validated PersistentState can be opened, so a page that reached the panel API
 * cannot have the host's desktop open (or run) whatever it names.
 */
import type { HubChoice, ServiceEntry } from '../../shared/panel/api.ts';
import type { PanelHost } from './engine.ts';
import { EngineError } from './types.ts';

export type HostCommand = 'chooseHub' | 'openDataFolder' | 'openWorkspaceFolder';

/** What the engine knows of a service: its directory entry and its validated PersistentState. */
export type ServiceLookup = (service: string) => { entry: ServiceEntry | undefined; persistent: unknown };

export async function hostCommand(host: PanelHost | null, command: HostCommand, args: unknown, lookup: ServiceLookup): Promise<object> {
  switch (command) {
    case 'chooseHub':
      if (!host) throw new EngineError('NOT_SUPPORTED', 'this panel host cannot change hubs');
      await host.choose((args as { choice: HubChoice }).choice);
      return {};
    case 'openDataFolder':
      if (!host) throw new EngineError('NOT_SUPPORTED', 'this panel host has no data folder to open');
      await host.openDataFolder();
      return {};
    case 'openWorkspaceFolder': {
      const a = args as { service: string; workspace: string };
      if (!host) throw new EngineError('NOT_SUPPORTED', 'this panel host cannot open folders on your desktop: copy the path instead');
      const { entry, persistent } = lookup(a.service);
      await host.openWorkspaceFolder(workspaceMachine(entry, persistent, a.service, a.workspace), a.workspace);
      return {};
    }
  }
}

/** The machine of a workspace its client reports; refuses anything else. */
export function workspaceMachine(entry: ServiceEntry | undefined, persistent: unknown, service: string, workspace: string): string {
  if (!entry || entry.kind !== 'client' || !entry.machine) throw new EngineError('UNKNOWN_SERVICE', `${service} is not an AssetHubClient the panel knows`);
  const workspaces = (persistent as { Workspaces?: Record<string, unknown> } | undefined)?.Workspaces;
  if (!workspaces || !Object.hasOwn(workspaces, workspace)) throw new EngineError('NOT_FOUND', `${service} reports no workspace ${workspace}`);
  return entry.machine;
}
