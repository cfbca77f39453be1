/**
 * The show simulator's own peer on the hub: it sets the show up (Calls and Sets, as a panel makes them), reads the
 * hub's Stats, and weighs what the server broadcasts of its WorkspaceInfo (subscribed to the server's broadcasts
 * only, so that it does not take the machines' traffic onto the bench's thread).
 */
import { HubPeer } from '../../peer/index.ts';
import { BROADCAST, encodeNamePath, encodeValueKeys, envelope, SERVER_NAME, topicPrefix } from '../../shared/protocol/index.ts';
import { WAIT_MS } from './measure.ts';

export interface HubStatsValue { MessagesIn: number; MessagesOut: number; Dropped: number; Invalid: number; Disconnected: number; Peers: number }

export class ShowPeer {
  /** WorkspaceInfo Updates of the server (whole or one entry) and their bytes on the wire, since `resetCounts`. */
  workspaceInfo = { updates: 0, bytes: 0, whole: 0 };

  private constructor(readonly peer: HubPeer) {}

  static async connect(hubUrl: string): Promise<ShowPeer> {
    const name = 'BENCH-SHOW-AssetHubPanel';
    let self: ShowPeer | null = null;
    const peer = new HubPeer(
      {
        name,
        requestTimeoutMs: WAIT_MS,
        // The bench's own requests carry measurements: on two shared cores it waits out a stall the panel's peers
        // would count as a lost hub (each such loss is printed, and the hub's Stats count the peers it cut).
        lostAfterMs: 60_000,
        subscriptions: [
          topicPrefix('Update', { Target: name }), topicPrefix('CallResult', { Target: name }),
          topicPrefix('Update', { Target: BROADCAST, Source: SERVER_NAME }),
        ],
      },
      {
        onDown: (reason) => console.log(`  (the bench's own peer lost the hub: ${reason})`),
        onMessage: (message, inbound) => {
          const t = message.topic;
          if (!self || t.Type !== 'Update' || t.Source !== SERVER_NAME || t.Target !== BROADCAST) return;
          if (t.Name !== 'WorkspaceInfo' && !t.Name.startsWith('WorkspaceInfo.')) return;
          self.workspaceInfo.updates++;
          self.workspaceInfo.bytes += inbound.bytes;
          if (t.Name === 'WorkspaceInfo') self.workspaceInfo.whole++;
        },
      },
    );
    self = new ShowPeer(peer);
    peer.connect(hubUrl);
    await peer.whenUp(WAIT_MS);
    return self;
  }

  resetCounts(): void {
    this.workspaceInfo = { updates: 0, bytes: 0, whole: 0 };
  }

  async call<T>(target: string, method: string, params: Record<string, unknown>, timeoutMs = WAIT_MS): Promise<T> {
    return (await this.peer.call(target, method, params, timeoutMs)) as T;
  }

  get(target: string, path: string[]): Promise<unknown> {
    return this.peer.get(target, path, WAIT_MS);
  }

  /** A Set, as the panel sends it (no reply: the target's broadcast confirms it). */
  set(target: string, path: string[], value: unknown): void {
    if (!this.peer.send(envelope<'Set'>({ Type: 'Set', Target: target, Name: encodeNamePath(path) }, { Value: encodeValueKeys(path, value) }))) {
      throw new Error(`the bench peer is not connected: cannot Set ${path.join('.')} on ${target}`);
    }
  }

  async hubStats(): Promise<HubStatsValue> {
    return (await this.get('DataHub', ['Stats'])) as HubStatsValue;
  }

  close(): void {
    this.peer.close();
  }
}
