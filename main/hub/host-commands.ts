/**
 * The commands the engine hands to its host (Electron, the browser host): changing hubs, opening folders on the
 * host's desktop, and the demo receiver of the embedded services the host started. For a workspace folder the renderer
 * names a client and a workspace, never a bare path: only a workspace that client reports in its validated
 * PersistentState can be opened, so a page that reached the panel API cannot have the host's desktop open (or run)
 * whatever it names. Likewise it never names the demo receiver's address: the host learnt it from the services' own
 * output when it started them, and the engine calls it (demo-receiver.ts).
 */
import type { CommandName, HostInfo, HubChoice, ServiceEntry } from '../../shared/panel/api.ts';
import { demoReceiverRule, type RuleChoice } from './demo-receiver.ts';
import { EngineError } from './types.ts';

/** What a host (Electron, the browser host) adds to the engine: the hub it runs and the operator's choice of hub. */
export interface PanelHost {
  info(): HostInfo;
  /** Changes the hub; resolves once the choice is made (the connection's progress comes as `connection` events). */
  choose(choice: HubChoice): Promise<void>;
  /** Opens the embedded services' data folder on the host's desktop; rejects when the host cannot. */
  openDataFolder(): Promise<void>;
  /** Opens a workspace folder of a client on `machine` (workspace-folder.ts checked the client reports it). */
  openWorkspaceFolder(machine: string, folder: string): Promise<void>;
  /**
   * The admin base (`http://127.0.0.1:<port>`) of the demo webhook receiver of the embedded services this host
   * started, while they run and the panel is on them; null otherwise (another hub, or they are down).
   */
  demoReceiverAdmin(): string | null;
}

const HOST_COMMANDS = ['chooseHub', 'openDataFolder', 'openWorkspaceFolder', 'demoReceiverRule', 'setDemoReceiverRule'] as const;
export type HostCommand = (typeof HOST_COMMANDS)[number];

export const isHostCommand = (command: CommandName): command is HostCommand => (HOST_COMMANDS as readonly string[]).includes(command);

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
    case 'demoReceiverRule':
    case 'setDemoReceiverRule': {
      const admin = host?.demoReceiverAdmin() ?? null;
      if (!admin) throw new EngineError('NOT_SUPPORTED', 'this panel did not start the services of this hub: it has no demo receiver to reach');
      return demoReceiverRule(admin, command === 'setDemoReceiverRule' ? (args as { rule: RuleChoice }).rule : undefined);
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
