// The Electron main process under a stubbed `electron` module: window options, navigation, permissions, the app://
// protocol, the IPC sender check, the embedded services' utility process and the quit sequence. No Electron binary
// is needed (none can be installed on the project's machines); the Playwright smoke test covers the real one.
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../lib/static-files.ts';

type Listener = (...args: unknown[]) => void;

const fake = vi.hoisted(() => {
  /** A tiny EventEmitter (node:events cannot be imported inside vi.hoisted). */
  class Emitter {
    listeners = new Map<string, Listener[]>();
    on(event: string, listener: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    once(event: string, listener: Listener) {
      const wrapper: Listener = (...args) => {
        this.off(event, wrapper);
        listener(...args);
      };
      return this.on(event, wrapper);
    }
    off(event: string, listener: Listener) {
      this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== listener));
      return this;
    }
    emit(event: string, ...args: unknown[]) {
      for (const l of this.listeners.get(event) ?? []) l(...args);
      return true;
    }
    removeAllListeners() {
      this.listeners.clear();
      return this;
    }
  }
  let nextContentsId = 100;
  class FakeWebContents extends Emitter {
    id = nextContentsId++;
    sent: Array<[string, unknown]> = [];
    openHandler: ((details: { url: string }) => { action: string }) | null = null;
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
    isDestroyed() {
      return false;
    }
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.openHandler = handler;
    }
  }
  class FakeBrowserWindow extends Emitter {
    static instances: FakeBrowserWindow[] = [];
    webContents = new FakeWebContents();
    loaded: string[] = [];
    shown = 0;
    focused = 0;
    restored = 0;
    minimized = false;
    constructor(readonly options: Record<string, unknown>) {
      super();
      FakeBrowserWindow.instances.push(this);
    }
    async loadURL(url: string) {
      this.loaded.push(url);
    }
    show() {
      this.shown++;
    }
    focus() {
      this.focused++;
    }
    restore() {
      this.restored++;
    }
    maximize() {}
    isMinimized() {
      return this.minimized;
    }
    isMaximized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 1200, height: 800 };
    }
  }
  const display = { workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
  const state = {
    userData: '',
    appPath: '/opt/asset-hub-panel/resources/app.asar',
    isPackaged: false,
    lock: true,
    resolveReady: (() => {}) as () => void,
    ready: Promise.resolve(),
  };
  const app = Object.assign(new Emitter(), {
    whenReady: () => state.ready,
    requestSingleInstanceLock: () => state.lock,
    quit: (() => {}) as () => void,
    exit: (() => {}) as (code?: number) => void,
    enableSandbox: () => {},
    setPath: (name: string, value: string) => {
      if (name === 'userData') state.userData = value;
    },
    getPath: (name: string) => (name === 'userData' ? state.userData : `/tmp/${name}`),
    getAppPath: () => state.appPath,
    getVersion: () => '0.1.0',
    get isPackaged() {
      return state.isPackaged;
    },
  });
  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    protocol: { registerSchemesAsPrivileged: (_schemes: unknown) => {}, handle: (_scheme: string, _handler: unknown) => {} },
    ipcMain: { handle: (_channel: string, _handler: unknown) => {}, removeHandler: (_channel: string) => {} },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (_h: unknown) => {},
        setPermissionCheckHandler: (_h: unknown) => {},
        setDevicePermissionHandler: (_h: unknown) => {},
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (text: string) => Buffer.from(`sealed:${text}`),
      decryptString: (data: Buffer) => data.toString().replace(/^sealed:/, ''),
    },
    utilityProcess: { fork: (_modulePath: string, _args: string[], _options: unknown): unknown => null },
    Menu: { buildFromTemplate: (template: unknown) => ({ template }), setApplicationMenu: (_menu: unknown) => {} },
    dialog: { showMessageBox: async (..._args: unknown[]) => ({ response: 0 }) },
    screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
    shell: { openPath: async (_path: string): Promise<string> => '' },
  };
  return { electron, state, FakeBrowserWindow, FakeWebContents };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const engineMock = vi.hoisted(() => ({ createPanelEngine: (_options: unknown): unknown => null, dispatchCommand: async (..._args: unknown[]): Promise<unknown> => null }));
vi.mock('../hub/index.ts', () => engineMock);
// No Data Hub answers on this machine's Pixotope ports in these tests (the real check takes a round trip).
vi.mock('../../peer/index.ts', () => ({ hubAnswers: async () => false, trustHubCertificates: () => {} }));

const { electron, state, FakeBrowserWindow, FakeWebContents } = fake;
const { isTrustedSender, createWindowOptions, hardenWebContents, denyAllPermissions, APP_START_URL } = await import('./security.ts');
const { createAppProtocolHandler, APP_SCHEME_PRIVILEGES } = await import('./protocol.ts');
const { createInvokeHandler, forwardEngineEvents, UntrustedSenderError } = await import('./ipc.ts');
const { menuTemplate } = await import('./menu.ts');
const { electronOpener } = await import('./open-folder.ts');
const { runPanelApp, parseCliOptions } = await import('./main.ts');

type FakeWindow = InstanceType<typeof FakeBrowserWindow>;
type WebPreferences = Record<string, unknown>;

/** A stand-in for the panel engine: records invokes, lets the test emit events. */
function fakeEngine() {
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  return {
    invoked: [] as Array<[string, unknown]>,
    closed: 0,
    snapshot: () => ({ connection: { state: 'disconnected', hubUrl: '', panelName: 'T', since: 0 }, services: [], states: {}, seq: 0 }),
    attachHost() {},
    hostChanged() {},
    async invoke(command: string, args: unknown) {
      this.invoked.push([command, args]);
      return {};
    },
    on(event: string, listener: (data: unknown) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(listener);
      return () => listeners.get(event)?.delete(listener);
    },
    emit(event: string, data: unknown) {
      for (const l of listeners.get(event) ?? []) l(data);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    async close() {
      this.closed++;
    },
  };
}

const trustedEvent = (contentsId: number, url = 'app://panel/index.html') => ({ sender: { id: contentsId }, senderFrame: { url } });

describe('window options', () => {
  it('isolates and sandboxes the page, without Node, with the preload', () => {
    const options = createWindowOptions('/app/dist/main/preload.cjs');
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/main/preload.cjs',
    });
    expect(options.show).toBe(false);
  });

  it('restores saved bounds', () => {
    expect(createWindowOptions('/p', { x: 5, y: 6, width: 900, height: 700 })).toMatchObject({ x: 5, y: 6, width: 900, height: 700 });
  });
});

describe('navigation, new windows and permissions', () => {
  const harden = () => {
    const contents = new FakeWebContents();
    const warnings: string[] = [];
    hardenWebContents(contents as never, (w) => warnings.push(w));
    const fire = (event: string, url: string) => {
      const e = { url, preventDefault: vi.fn() };
      contents.emit(event, e, url);
      return e.preventDefault;
    };
    return { contents, fire, warnings };
  };

  it('denies navigation away from app://panel/ (and redirects), allows in-app navigation', () => {
    const { fire, warnings } = harden();
    expect(fire('will-navigate', 'https://evil.example/')).toHaveBeenCalled();
    expect(fire('will-navigate', 'file:///etc/passwd')).toHaveBeenCalled();
    expect(fire('will-navigate', 'app://other/index.html')).toHaveBeenCalled();
    expect(fire('will-navigate', 'app://panel.evil.example/')).toHaveBeenCalled();
    expect(fire('will-redirect', 'http://127.0.0.1:1/')).toHaveBeenCalled();
    expect(fire('will-navigate', 'app://panel/index.html#/services')).not.toHaveBeenCalled();
    expect(warnings.some((w) => w.includes('evil.example'))).toBe(true);
  });

  it('denies window.open and <webview>', () => {
    const { contents, fire } = harden();
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'app://panel/index.html' })).toEqual({ action: 'deny' });
    expect(fire('will-attach-webview', 'about:blank')).toHaveBeenCalled();
  });

  it('refuses every permission request and check', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    denyAllPermissions({
      setPermissionRequestHandler: (h: never) => (handlers.request = h),
      setPermissionCheckHandler: (h: never) => (handlers.check = h),
      setDevicePermissionHandler: (h: never) => (handlers.device = h),
    } as never);
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      const callback = vi.fn();
      (handlers.request as (...args: unknown[]) => void)({}, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect((handlers.check as (...args: unknown[]) => unknown)({}, permission, 'app://panel', {})).toBe(false);
    }
    expect((handlers.device as (...args: unknown[]) => unknown)({ deviceType: 'hid' })).toBe(false);
  });
});

describe('app:// protocol', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    outside = mkdtempSync(path.join(tmpdir(), 'panel-protocol-'));
    root = path.join(outside, 'renderer');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>panel</title>');
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(outside, 'secret.txt'), 'SECRET');
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it('is registered as a standard, secure scheme with fetch support', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
  });

  it('serves the renderer with the strict CSP', async () => {
    const handler = createAppProtocolHandler(root);
    const index = await handler(new Request('app://panel/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>panel</title>');
    const script = await handler(new Request('app://panel/assets/app.js'));
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses to climb out of the renderer folder', async () => {
    const handler = createAppProtocolHandler(root);
    for (const url of [
      'app://panel/..%2fsecret.txt',
      'app://panel/..%2F..%2F..%2Fetc%2Fpasswd',
      'app://panel/assets/..%2f..%2fsecret.txt',
      'app://panel/%2e%2e%2fsecret.txt',
      'app://panel/index.html%00.js',
    ]) {
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(400);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await response.text()).not.toContain('SECRET');
    }
    // Plain dot segments are resolved by URL parsing, inside the root: not found, never the file outside.
    for (const url of ['app://panel/../secret.txt', 'app://panel/%2e%2e/secret.txt', 'app://panel/..%5csecret.txt']) {
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(process.platform === 'win32' && url.includes('%5c') ? 400 : 404);
      expect(await response.text()).not.toContain('SECRET');
    }
  });

  it('answers 404 for other hosts, folders and missing files, 405 for other methods', async () => {
    const handler = createAppProtocolHandler(root);
    expect((await handler(new Request('app://evil/index.html'))).status).toBe(404);
    expect((await handler(new Request('app://panel/assets'))).status).toBe(404);
    expect((await handler(new Request('app://panel/missing.js'))).status).toBe(404);
    expect((await handler(new Request('app://panel/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('IPC sender check', () => {
  it('trusts only the main window showing app://panel/', () => {
    expect(isTrustedSender('app://panel/index.html', 7, 7)).toBe(true);
    expect(isTrustedSender('app://panel/', 7, 7)).toBe(true);
    expect(isTrustedSender('https://evil.example/', 7, 7)).toBe(false);
    expect(isTrustedSender('app://panel/index.html', 8, 7)).toBe(false);
    expect(isTrustedSender('app://panel/index.html', 7, null)).toBe(false);
    expect(isTrustedSender(null, 7, 7)).toBe(false);
    expect(isTrustedSender('app://panel.evil.example/', 7, 7)).toBe(false);
    expect(isTrustedSender('app://panel@evil.example/', 7, 7)).toBe(false);
    expect(isTrustedSender('file:///app/dist/renderer/index.html', 7, 7)).toBe(false);
    expect(isTrustedSender('APP://PANEL/', 7, 7)).toBe(false);
  });

  const setup = () => {
    const engine = fakeEngine();
    const dispatch = vi.fn(async (_engine: unknown, id: number, command: string, args: unknown) => ({ id, ok: true as const, result: { command, args } }));
    const warnings: string[] = [];
    const handler = createInvokeHandler({ engine: () => engine as never, windowContentsId: () => 42, dispatch, warn: (w) => warnings.push(w) });
    return { engine, dispatch, handler, warnings };
  };

  it('rejects a message from a foreign frame or another webContents, and dispatches nothing', async () => {
    const { handler, dispatch, warnings } = setup();
    const request = { id: 1, command: 'hello', args: {} };
    await expect(handler(trustedEvent(42, 'https://evil.example/'), request)).rejects.toBeInstanceOf(UntrustedSenderError);
    await expect(handler(trustedEvent(43), request)).rejects.toThrow(/did not come from the panel window/);
    await expect(handler({ sender: { id: 42 }, senderFrame: null } as never, request)).rejects.toBeInstanceOf(UntrustedSenderError);
    expect(dispatch).not.toHaveBeenCalled();
    expect(warnings).toHaveLength(3);
  });

  it('dispatches a trusted, valid command to the engine', async () => {
    const { handler, dispatch, engine } = setup();
    const response = await handler(trustedEvent(42), { id: 5, command: 'get', args: { service: 'AssetHubServer', path: ['State'] } });
    expect(dispatch).toHaveBeenCalledWith(engine, 5, 'get', { service: 'AssetHubServer', path: ['State'] });
    expect(response).toEqual({ id: 5, ok: true, result: { command: 'get', args: { service: 'AssetHubServer', path: ['State'] } } });
  });

  it('answers malformed requests, unknown commands and bad arguments without reaching the engine', async () => {
    const { handler, dispatch } = setup();
    expect(await handler(trustedEvent(42), 'hello')).toMatchObject({ id: -1, ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(await handler(trustedEvent(42), { id: 3, command: 'hello' , args: {}, extra: 1 })).toMatchObject({ id: 3, ok: true });
    dispatch.mockClear();
    expect(await handler(trustedEvent(42), { id: 4, command: 'rm -rf', args: {} })).toMatchObject({ id: 4, ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(await handler(trustedEvent(42), { id: 5, command: 'connect', args: { hubUrl: 'not a url' } })).toMatchObject({ id: 5, ok: false, error: { code: 'INVALID_ARGS' } });
    expect(await handler(trustedEvent(42), { id: 6, command: '__proto__', args: {} })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('forwards engine events to the window as panel:event; log events only while the page watches the log', () => {
    const engine = fakeEngine();
    const contents = new FakeWebContents();
    let watched = false;
    const off = forwardEngineEvents(engine as never, () => contents, () => watched);
    engine.emit('connection', { state: 'connected' });
    engine.emit('log', { entries: [] });
    engine.emit('patches', { seq: 1, patches: [] });
    watched = true;
    engine.emit('log', { entries: [] });
    expect(contents.sent).toEqual([
      ['panel:event', { event: 'connection', data: { state: 'connected' } }],
      ['panel:event', { event: 'patches', data: { seq: 1, patches: [] } }],
      ['panel:event', { event: 'log', data: { entries: [] } }],
    ]);
    off();
    expect(engine.listenerCount()).toBe(0);
  });
});

describe('application menu', () => {
  const labels = (items: unknown[]): string[] =>
    items.flatMap((item) => {
      const i = item as { role?: string; label?: string; submenu?: unknown[] };
      return [i.role ?? i.label ?? '', ...(Array.isArray(i.submenu) ? labels(i.submenu) : [])];
    });
  it('has Quit, Reload, zoom, Open Logs Folder and About; DevTools only when not packaged', () => {
    const dev = labels(menuTemplate({ isPackaged: false, isMac: false, onAbout: () => {}, onOpenLogs: () => {} }));
    expect(dev).toEqual(expect.arrayContaining(['quit', 'reload', 'zoomIn', 'zoomOut', 'resetZoom', 'toggleDevTools', 'Open Logs Folder', 'About Asset Hub Panel']));
    const packaged = labels(menuTemplate({ isPackaged: true, isMac: false, onAbout: () => {}, onOpenLogs: () => {} }));
    expect(packaged).not.toContain('toggleDevTools');
    expect(packaged).toContain('reload');
  });
});

describe('command line', () => {
  it('reads --hub, --token, --data and leaves Chromium switches and the app path to Electron', () => {
    expect(parseCliOptions(['/usr/bin/electron', '--inspect=0', '.', '--hub', 'ws://h:1', '--token=abc', '--data', '/d', '--no-sandbox'])).toEqual({
      kind: 'run',
      options: { hub: 'ws://h:1', token: 'abc', data: '/d', fabric: 'ws', verbose: false, ephemeral: false },
      ignored: ['--inspect', '--no-sandbox'],
    });
    expect(parseCliOptions(['electron', '.', '--ephemeral'])).toMatchObject({ kind: 'run', options: { ephemeral: true } });
  });
});

describe('the app (runPanelApp with a stubbed electron)', () => {
  let userData: string;
  let engine: ReturnType<typeof fakeEngine>;
  let consoleSpies: Array<{ mockRestore(): void }> = [];
  const spies = {
    register: vi.spyOn(electron.protocol, 'registerSchemesAsPrivileged'),
    handle: vi.spyOn(electron.protocol, 'handle'),
    ipcHandle: vi.spyOn(electron.ipcMain, 'handle'),
    ipcRemove: vi.spyOn(electron.ipcMain, 'removeHandler'),
    permissionRequest: vi.spyOn(electron.session.defaultSession, 'setPermissionRequestHandler'),
    permissionCheck: vi.spyOn(electron.session.defaultSession, 'setPermissionCheckHandler'),
    fork: vi.spyOn(electron.utilityProcess, 'fork'),
    quit: vi.spyOn(electron.app, 'quit'),
    setMenu: vi.spyOn(electron.Menu, 'setApplicationMenu'),
    createEngine: vi.spyOn(engineMock, 'createPanelEngine'),
    dispatch: vi.spyOn(engineMock, 'dispatchCommand'),
  };

  beforeEach(() => {
    userData = mkdtempSync(path.join(tmpdir(), 'panel-userdata-'));
    state.userData = userData;
    state.lock = true;
    state.isPackaged = false;
    state.ready = new Promise<void>((resolve) => (state.resolveReady = resolve));
    electron.app.removeAllListeners();
    FakeBrowserWindow.instances.length = 0;
    for (const spy of Object.values(spies)) spy.mockClear();
    engine = fakeEngine();
    spies.createEngine.mockImplementation(() => engine);
    spies.dispatch.mockImplementation(async (...args: unknown[]) => ({ id: args[1] as number, ok: true, result: { dispatched: args[2] } }));
    spies.quit.mockImplementation(() => {});
    consoleSpies = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'warn').mockImplementation(() => {})];
  });
  afterEach(() => {
    for (const spy of consoleSpies) spy.mockRestore();
    rmSync(userData, { recursive: true, force: true });
  });

  /** Lets the ready promise and the microtasks after it run. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  async function boot(argv: string[] = ['electron', '.']) {
    expect(runPanelApp(argv)).toBe(true);
    state.resolveReady();
    await settle();
    const win = FakeBrowserWindow.instances[0] as FakeWindow;
    expect(win).toBeDefined();
    const invoke = spies.ipcHandle.mock.calls.find(([channel]) => channel === 'panel:invoke')?.[1] as (event: unknown, request: unknown) => Promise<unknown>;
    return { win, invoke };
  }

  function fakeUtilityProcess() {
    const child = Object.assign(new EventEmitter(), { pid: 4242, stdout: new PassThrough(), stderr: new PassThrough(), kill: vi.fn(() => true) });
    child.kill.mockImplementation(() => {
      setImmediate(() => child.emit('exit', 0));
      return true;
    });
    return child;
  }

  it('registers the scheme before ready, takes the single-instance lock, and builds a hardened window on app://panel/', async () => {
    writeFileSync(path.join(userData, 'settings.json'), JSON.stringify({ hubUrl: 'ws://10.0.0.5:16209' }));
    expect(runPanelApp(['electron', '.'])).toBe(true);
    expect(spies.register).toHaveBeenCalledWith([APP_SCHEME_PRIVILEGES]);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    state.resolveReady();
    await settle();
    const win = FakeBrowserWindow.instances[0] as FakeWindow;
    const prefs = win.options.webPreferences as WebPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(prefs.preload).toBe(path.join(state.appPath, 'app', 'dist', 'main', 'preload.cjs'));
    expect(win.loaded).toEqual([APP_START_URL]);
    expect(spies.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(spies.permissionRequest).toHaveBeenCalled();
    expect(spies.permissionCheck).toHaveBeenCalled();
    expect(spies.setMenu).toHaveBeenCalled();
    // The window's own navigation is guarded.
    const prevent = vi.fn();
    win.webContents.emit('will-navigate', { url: 'https://evil.example/', preventDefault: prevent }, 'https://evil.example/');
    expect(prevent).toHaveBeenCalled();
    expect(win.webContents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    // So is any other webContents the app ever gets.
    const other = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, other);
    expect(other.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    // A configured hub: connect to it, no embedded services.
    expect(spies.dispatch.mock.calls).toEqual([[engine, 0, 'connect', { hubUrl: 'ws://10.0.0.5:16209' }]]);
    expect(spies.fork).not.toHaveBeenCalled();
  });

  it('quits when another instance holds the lock, and focuses the window on a second start', async () => {
    state.lock = false;
    expect(runPanelApp(['electron', '.'])).toBe(false);
    expect(spies.quit).toHaveBeenCalled();
    state.lock = true;
    electron.app.removeAllListeners();
    const { win } = await boot(['electron', '.', '--hub', 'ws://127.0.0.1:1']);
    win.minimized = true;
    electron.app.emit('second-instance', {}, [], '/');
    expect(win.focused).toBe(1);
    expect(win.restored).toBe(1);
  });

  it('dispatches IPC from the panel window and rejects IPC from anything else', async () => {
    const { win, invoke } = await boot(['electron', '.', '--hub', 'ws://127.0.0.1:1']);
    spies.dispatch.mockClear();
    const request = { id: 9, command: 'hello', args: {} };
    expect(await invoke(trustedEvent(win.webContents.id), request)).toEqual({ id: 9, ok: true, result: { dispatched: 'hello' } });
    expect(spies.dispatch).toHaveBeenCalledTimes(1);
    await expect(invoke(trustedEvent(win.webContents.id, 'https://evil.example/'), request)).rejects.toThrow(/did not come from the panel window/);
    await expect(invoke(trustedEvent(win.webContents.id + 1000), request)).rejects.toThrow(/did not come from the panel window/);
    expect(spies.dispatch).toHaveBeenCalledTimes(1);
    engine.emit('connection', { state: 'connected' });
    expect(win.webContents.sent).toContainEqual(['panel:event', { event: 'connection', data: { state: 'connected' } }]);
  });

  it('remembers a hub the operator connects to, with the token encrypted', async () => {
    const { win, invoke } = await boot(['electron', '.', '--hub', 'ws://127.0.0.1:1']);
    await invoke(trustedEvent(win.webContents.id), { id: 1, command: 'connect', args: { hubUrl: 'ws://hub.example:16209', token: 's3cret' } });
    const saved = JSON.parse(readFileSync(path.join(userData, 'settings.json'), 'utf8')) as Record<string, string>;
    expect(saved.hubUrl).toBe('ws://hub.example:16209');
    expect(Buffer.from(saved.tokenEncrypted ?? '', 'base64').toString()).toBe('sealed:s3cret');
    expect(JSON.stringify(saved)).not.toContain('"s3cret"');
  });

  it('without a hub, runs the embedded services in a utility process, connects to them, and stops them on quit', async () => {
    const child = fakeUtilityProcess();
    spies.fork.mockImplementation(() => child);
    const { win } = await boot();
    expect(spies.fork).toHaveBeenCalledTimes(1);
    const [script, args, options] = spies.fork.mock.calls[0] as [string, string[], { stdio: string; env: Record<string, string> }];
    expect(script).toBe(path.join(state.appPath, 'app', 'dist', 'services', 'cli.mjs'));
    expect(args).toEqual(['--data', path.join(userData, 'services'), '--port', '0', '--storage-port', '0', '--demo', '--clients', 'STAGE-A,STAGE-B']);
    expect(options.stdio).toBe('pipe');
    expect(options.env.ASSETHUB_TOKEN).toMatch(/^[\w-]{20,}$/);
    expect(args.join(' ')).not.toContain(options.env.ASSETHUB_TOKEN);

    child.stdout.write('{"level":30,"msg":"starting"}\nAsset Hub services ready on ws://127.0.0.1:45678\n');
    await settle();
    expect(spies.dispatch.mock.calls).toEqual([[engine, 0, 'connect', { hubUrl: 'ws://127.0.0.1:45678', token: options.env.ASSETHUB_TOKEN }]]);

    // The embedded hub's URL is not remembered as the operator's hub.
    const invoke = spies.ipcHandle.mock.calls.find(([channel]) => channel === 'panel:invoke')?.[1] as (event: unknown, request: unknown) => Promise<unknown>;
    await invoke(trustedEvent(win.webContents.id), { id: 2, command: 'connect', args: { hubUrl: 'ws://127.0.0.1:45678' } });
    win.emit('close');
    const saved = JSON.parse(readFileSync(path.join(userData, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(saved.hubUrl).toBeUndefined();
    expect(saved.window).toEqual({ x: 10, y: 20, width: 1200, height: 800, maximized: false });

    const event = { preventDefault: vi.fn() };
    electron.app.emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    await settle();
    expect(child.kill).toHaveBeenCalled();
    expect(engine.closed).toBe(1);
    expect(spies.ipcRemove).toHaveBeenCalledWith('panel:invoke');
    expect(spies.quit).toHaveBeenCalledTimes(1);
    // The second before-quit (from that app.quit()) goes through.
    const again = { preventDefault: vi.fn() };
    electron.app.emit('before-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });

  it('with --ephemeral, runs the embedded services in a temporary folder, said at start, and removes it on quit', async () => {
    const child = fakeUtilityProcess();
    spies.fork.mockImplementation(() => child);
    await boot(['electron', '.', '--ephemeral']);
    const args = spies.fork.mock.calls[0]?.[1] as string[];
    const dataDir = args[args.indexOf('--data') + 1] ?? '';
    expect(path.dirname(dataDir)).toBe(path.resolve(tmpdir()));
    expect(existsSync(dataDir)).toBe(true);
    const say = consoleSpies[0] as unknown as { mock: { calls: unknown[][] } };
    expect(say.mock.calls.map(([line]) => String(line))).toContain(`[panel] the embedded services' data: ${dataDir} (temporary, --ephemeral: removed when the panel stops)`);
    child.stdout.write('Asset Hub services ready on ws://127.0.0.1:45679\n');
    await settle();
    electron.app.emit('before-quit', { preventDefault: () => {} });
    await settle();
    expect(child.kill).toHaveBeenCalled();
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(path.join(userData, 'services'))).toBe(false);
  });

  it('opens the data folder with the shell, and reports what the shell could not open', async () => {
    const openPath = vi.spyOn(electron.shell, 'openPath');
    await electronOpener(electron.shell).open('/data/services');
    expect(openPath).toHaveBeenCalledWith('/data/services');
    openPath.mockResolvedValueOnce('Failed to open path');
    await expect(electronOpener(electron.shell).open('/nowhere')).rejects.toThrow('could not open /nowhere: Failed to open path');
  });

  it('survives a corrupt settings file (defaults, a warning)', async () => {
    writeFileSync(path.join(userData, 'settings.json'), '{"hubUrl": ');
    const warn = consoleSpies[1] as unknown as { mock: { calls: unknown[][] } };
    spies.fork.mockImplementation(() => fakeUtilityProcess());
    await boot();
    expect(warn.mock.calls.some(([line]) => String(line).includes('not valid JSON'))).toBe(true);
    expect(spies.fork).toHaveBeenCalled();
  });
});
