/**
 * Which panel host this page talks to: the Electron preload's `window.assetHubPanel` when it exists, else the browser
 * host's WebSocket bridge when the URL carries a session token (`#token=…`, printed by `npm run serve`), else none.
 */
import type { PanelHostApi } from '../../../shared/panel/api.ts';
import { BridgeClient, bridgeUrl, tokenFromHash } from './bridge.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge). */
    assetHubPanel?: PanelHostApi;
  }
}

export type PanelHost =
  | { kind: 'electron'; api: PanelHostApi }
  | { kind: 'bridge'; api: BridgeClient }
  | { kind: 'none' };

export function pickHost(win: Pick<Window, 'assetHubPanel' | 'location'>): PanelHost {
  if (win.assetHubPanel) return { kind: 'electron', api: win.assetHubPanel };
  const token = tokenFromHash(win.location.hash);
  if (token) return { kind: 'bridge', api: new BridgeClient({ url: bridgeUrl(win.location), token }) };
  return { kind: 'none' };
}
