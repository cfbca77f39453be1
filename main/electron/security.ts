/**
 * The Electron security checklist, as small functions the tests call directly: window options (context isolation,
 * sandbox, no Node in the page), navigation and new windows denied, permissions denied, and the sender check that every
 * IPC message passes before it reaches the engine.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import type { WindowBounds } from './settings.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'panel';
/** Everything the panel loads lives under this prefix; IPC is accepted only from frames whose URL starts with it. */
export const APP_ORIGIN_PREFIX = `${APP_SCHEME}://${APP_HOST}/`;
export const APP_START_URL = `${APP_ORIGIN_PREFIX}index.html`;

/** True when `url` is a page of the panel itself (app://panel/…). Anything unparsable is foreign. */
export function isAppUrl(url: string | null | undefined): boolean {
  if (typeof url !== 'string' || !url.startsWith(APP_ORIGIN_PREFIX)) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/**
 * The IPC sender check: the message must come from a frame showing the panel (app://panel/…) and from the main
 * window's own webContents. `windowId` is null while there is no window: nothing is trusted then.
 */
export function isTrustedSender(frameUrl: string | null | undefined, senderId: number, windowId: number | null): boolean {
  return windowId !== null && senderId === windowId && isAppUrl(frameUrl);
}

/** The main window: isolated, sandboxed, no Node integration, web security on, only the narrow preload. */
export function createWindowOptions(preload: string, bounds: WindowBounds | null = null): BrowserWindowConstructorOptions {
  return {
    width: bounds?.width ?? 1400,
    height: bounds?.height ?? 900,
    ...(bounds?.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'Asset Hub Panel',
    backgroundColor: '#16181d',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/**
 * Denies every navigation away from app://panel/, every new window (window.open, target=_blank) and every <webview>.
 * Reloads and in-app navigation stay allowed.
 */
const hardened = new WeakSet<object>();

export function hardenWebContents(contents: WebContents, warn: (message: string) => void = () => {}): void {
  // Both app 'web-contents-created' and the window's creation call this: guard once.
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const guard = (event: { preventDefault(): void; url?: string }, url?: string): void => {
    const target = event.url ?? url;
    if (!isAppUrl(target)) {
      event.preventDefault();
      warn(`blocked navigation to ${String(target)}`);
    }
  };
  contents.on('will-navigate', (event, url) => guard(event, url));
  contents.on('will-redirect', (event, url) => guard(event, url));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    warn('blocked a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    warn(`blocked a new window for ${url}`);
    return { action: 'deny' };
  });
}

export type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/** The panel needs no permission at all (camera, notifications, clipboard, HID, serial…): every request is refused. */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
