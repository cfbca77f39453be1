/** Whether a hub answers at an address: one peer, one round trip through it, then gone. */
import { randomBytes } from 'node:crypto';
import { HubPeer } from './hub-peer.ts';

/** Resolves true when a hub at `url` routed a round trip for us within `timeoutMs`; never rejects. */
export async function hubAnswers(url: string, timeoutMs = 1500, token?: string): Promise<boolean> {
  const peer = new HubPeer({ name: `HubProbe-${randomBytes(4).toString('hex')}`, livenessMs: 0, reconnect: false, openTimeoutMs: timeoutMs });
  peer.connect(url, token);
  try {
    await peer.whenUp(timeoutMs + 500);
    return true;
  } catch {
    return false;
  } finally {
    peer.close();
  }
}
