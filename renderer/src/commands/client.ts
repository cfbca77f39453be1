/**
 * What the views ask of an AssetHubClient (docs/PROTOCOL.md §4), by name: each takes the client's service name and
 * its method's shared Params, and resolves to its checked Result. A Pull, Push, Scan or Revert resolves when the
 * client has started it; the workspace's states (and the engine's operations) tell how it ends.
 */
import type { CallParams, ClientMethod } from '../../../shared/assethub/calls.ts';
import type { ClientStates } from '../../../shared/assethub/states.ts';
import { call, set } from './send.ts';

const client = <M extends ClientMethod>(method: M) => (service: string, params: CallParams<'client', M>) => call('client', service, method, params);

export const pull = client('Pull');
export const push = client('Push');
export const rescan = client('Scan');
export const revert = client('RevertLocalChanges');
export const resolveConflict = client('ResolveConflict');

type WorkspaceSetting = ClientStates['State']['Workspaces'][string];

/** A workspace's own AutoPull (State.Workspaces.<workspace>.AutoPull), confirmed when the client's State shows it. */
export const setWorkspaceAutoPull = (service: string, workspace: string, value: WorkspaceSetting['AutoPull']): Promise<void> =>
  set(service, ['State', 'Workspaces', workspace, 'AutoPull'], value);
