/**
 * AutoPull in effect for a workspace (docs/PROTOCOL.md §4): its own setting (the client's State.Workspaces) when it has
 * one, else its repository's default (the server's State.Repositories). The client service pulls by it; the panel
 * shows it.
 */
import { own, type Dict } from '../dict.ts';

/** The part of the server's State the rule reads. */
export interface RepositoryDefaults {
  Repositories: Readonly<Dict<{ AutoPull: boolean }>>;
}

/**
 * The workspace's own setting when it is a boolean, else its repository's default from the server's State; null when
 * neither is known (no own setting, and the server's State not read or without that repository).
 */
export function effectiveAutoPull(
  ownSetting: boolean | null | undefined,
  repository: string | null | undefined,
  serverState: RepositoryDefaults | null | undefined,
): boolean | null {
  if (typeof ownSetting === 'boolean') return ownSetting;
  if (repository == null) return null;
  return own(serverState?.Repositories, repository)?.AutoPull ?? null;
}
