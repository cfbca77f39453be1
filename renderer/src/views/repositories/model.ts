/** What the Repositories view joins from the clients: which machines' workspaces stand at which commit of a branch. */
import { clientEntries, clientOf, machineOf } from '../../lib/selectors.ts';
import type { PanelData } from '../../store/panel.ts';

/** Machines (with the workspace name) whose workspace on `repo`/`branch` is at each commit ID. */
export function machinesAtCommits(data: PanelData | null, repo: string, branch: string): Map<string, Array<{ machine: string; workspace: string }>> {
  const at = new Map<string, Array<{ machine: string; workspace: string }>>();
  for (const client of clientEntries(data)) {
    const workspaces = clientOf(data, client.name).PersistentState?.Workspaces ?? {};
    for (const [key, ws] of Object.entries(workspaces)) {
      if (ws.Repository !== repo || ws.Branch !== branch || !ws.Commit) continue;
      const list = at.get(ws.Commit) ?? [];
      list.push({ machine: machineOf(client.name), workspace: ws.Name || key });
      at.set(ws.Commit, list);
    }
  }
  return at;
}
