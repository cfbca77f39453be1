/**
 * What a client takes from the hub beyond what is addressed to it: the server's State, PersistentState and AssetInfo
 * (new commits, AutoPull defaults, claims) and its Startup, nothing else. A show has hundreds of clients; were each to
 * take every broadcast Update (the other clients' states, the server's WorkspaceInfo entries), the hub would send each
 * Update to all of them only for them to drop it.
 */
import { BROADCAST, SERVER_NAME, topicPrefix } from '../../shared/protocol/index.ts';

/** The server's states a client acts on (client.ts reads no other Update). */
export const SERVER_STATES_READ = ['PersistentState', 'State', 'AssetInfo'] as const;

export const CLIENT_SUBSCRIPTIONS: readonly string[] = [
  ...SERVER_STATES_READ.map((Name) => topicPrefix('Update', { Target: BROADCAST, Source: SERVER_NAME, Name })),
  topicPrefix('Startup', { Target: BROADCAST, Source: SERVER_NAME }),
];
