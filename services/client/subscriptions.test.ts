// A client takes from the hub the server's State, PersistentState, AssetInfo and Startup, and not the broadcasts of the hundreds
// of other clients of a show, nor the server's WorkspaceInfo entries.
import { describe, expect, it } from 'vitest';
import { BROADCAST, SERVER_NAME, encodeTopic, matchesPrefix, type Topic } from '../../shared/protocol/index.ts';
import { CLIENT_SUBSCRIPTIONS } from './subscriptions.ts';

const taken = (topic: Topic): boolean => CLIENT_SUBSCRIPTIONS.some((prefix) => matchesPrefix(encodeTopic(topic), prefix));
const update = (Source: string, Name: string): Topic => ({ Type: 'Update', Target: BROADCAST, Source, Name });

describe("a client's subscriptions", () => {
  it("take the server's State, PersistentState, AssetInfo and Startup", () => {
    expect(taken(update(SERVER_NAME, 'State'))).toBe(true);
    expect(taken(update(SERVER_NAME, 'PersistentState'))).toBe(true);
    expect(taken(update(SERVER_NAME, 'AssetInfo'))).toBe(true);
    expect(taken({ Type: 'Startup', Target: BROADCAST, Source: SERVER_NAME })).toBe(true);
  });

  it("leave other clients' broadcasts and the server's other states to the hub", () => {
    expect(taken(update('STAGE-B-AssetHubClient', 'WorkspaceInfo'))).toBe(false);
    expect(taken(update('STAGE-B-AssetHubClient', 'AssetInfo'))).toBe(false);
    expect(taken(update(SERVER_NAME, 'WorkspaceInfo'))).toBe(false);
    expect(taken(update(SERVER_NAME, 'WorkspaceInfo.Clients.STAGE-B-AssetHubClient'))).toBe(false);
    expect(taken(update(SERVER_NAME, 'StateX'))).toBe(false);
    expect(taken({ Type: 'Startup', Target: BROADCAST, Source: 'STAGE-B-AssetHubClient' })).toBe(false);
  });
});
