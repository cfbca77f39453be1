/** The server's repositories as the views list them: the Repositories and Assets views read the same list. */
import type { TCommit } from '../../../shared/assethub/states.ts';
import { own } from '../../../shared/dict.ts';
import type { PanelData } from '../store/panel.ts';
import { serverOf } from './selectors.ts';

export interface RepoInfo { name: string; autoPull: boolean | undefined; branches: Array<{ name: string; commits: TCommit[] }> }

/** Every repository the server reports, in PersistentState (history) or State (AutoPull), by name. */
export function repositoriesOf(data: PanelData | null): RepoInfo[] {
  const server = serverOf(data);
  const persistent = server.PersistentState?.Repositories ?? {};
  const state = server.State?.Repositories ?? {};
  const names = [...new Set([...Object.keys(persistent), ...Object.keys(state)])].sort((a, b) => a.localeCompare(b));
  return names.map((name) => ({
    name,
    autoPull: own(state, name)?.AutoPull,
    branches: (own(persistent, name)?.Branches ?? []).map((b) => ({ name: b.Name, commits: b.Commits })),
  }));
}
