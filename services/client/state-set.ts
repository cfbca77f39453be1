/**
 * A Set of a client's State (a workspace's AutoPull), checked as the client answers it: only State, the whole State
 * valid after the Set, every key a workspace of this machine. Throws the ServiceFailure the client refuses with.
 */
import { ClientState, type ClientStates } from '../../shared/assethub/states.ts';
import { withValueAt } from '../../shared/protocol/value-path.ts';
import { ServiceFailure } from '../lib/failure.ts';

export function stateAfterSet(path: readonly string[], value: unknown, current: ClientStates['State'], isWorkspace: (key: string) => boolean): ClientStates['State'] {
  if (path[0] !== 'State') throw new ServiceFailure('INVALID_PARAMS', `only State can be Set, not ${path[0] ?? '(nothing)'}`);
  const next = ClientState.safeParse(withValueAt(current, path.slice(1), value));
  if (!next.success) throw new ServiceFailure('INVALID_PARAMS', next.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  for (const key of Object.keys(next.data.Workspaces)) if (!isWorkspace(key)) throw new ServiceFailure('UNKNOWN_WORKSPACE', `no workspace "${key}"`);
  return next.data;
}
