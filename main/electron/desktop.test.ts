// The desktop conventions of the Electron host under a stubbed `electron` (no binary can run here): `--help` and a
// wrong option answered before anything opens, the window's remembered place fitted to the displays there are now,
// the log files without --verbose, and the Help menu's Open Logs Folder and About. main.test.ts covers the rest.
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';

type Rect = { x: number; y: number; width: number; height: number };

const fake = vi.hoisted(() => {
  // node:events cannot be imported inside vi.hoisted: a few lines of emitter.
  class Emitter {
    private readonly map = new Map<string, Array<(...args: unknown[]) => void>>();
    on(event: string, listener: (...args: unknown[]) => void) {
      this.map.set(event, [...(this.map.get(event) ?? []), listener]);
      return this;
    }
    once(event: string, listener: (...args: unknown[]) => void) {
      return this.on(event, listener);
    }
    emit(event: string, ...args: unknown[]) {
      for (const listener of this.map.get(event) ?? []) listener(...args);
      return true;
    }
    removeAllListeners() {
      this.map.clear();
      return this;
    }
  }
  class FakeWindow extends Emitter {
    static instances: FakeWindow[] = [];
    webContents = Object.assign(new Emitter(), { id: 7, setWindowOpenHandler: () => {}, isDestroyed: () => false, send: () => {} });
    maximized = 0;
    normal: Rect = { x: 10, y: 20, width: 1200, height: 800 };
    constructor(readonly options: Record<string, unknown>) {
      super();
      FakeWindow.instances.push(this);
    }
    loadURL = async () => {};
    show() {}
    maximize() {
      this.maximized++;
    }
    isMaximized = () => false;
    isDestroyed = () => false;
    getNormalBounds = () => this.normal;
  }
  const state = {
    userData: '',
    exitCode: null as number | null,
    resolveReady: (() => {}) as () => void,
    ready: Promise.resolve(),
    /** The displays there are now: one laptop screen (a taskbar of 40 px). */
    displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
    opened: [] as string[],
    about: [] as string[],
  };
  const app = Object.assign(new Emitter(), {
    whenReady: () => state.ready,
    requestSingleInstanceLock: () => true,
    quit: () => {},
    exit: (code?: number) => {
      state.exitCode = code ?? 0;
    },
    enableSandbox: () => {},
    setPath: () => {},
    getPath: () => state.userData,
    getAppPath: () => '/opt/panel/app.asar',
    getVersion: () => '0.1.0',
    isPackaged: false,
  });
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    ipcMain: { handle: () => {}, removeHandler: () => {} },
    session: { defaultSession: { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {}, setDevicePermissionHandler: () => {} } },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.from(''), decryptString: () => '' },
    utilityProcess: { fork: (): unknown => null },
    Menu: { buildFromTemplate: (template: unknown) => ({ template }), setApplicationMenu: (_menu: unknown) => {} },
    dialog: {
      showMessageBox: async (...args: unknown[]) => {
        state.about.push((args.at(-1) as { detail: string }).detail);
        return { response: 0 };
      },
      showErrorBox: () => {},
    },
    screen: { getAllDisplays: () => state.displays, getPrimaryDisplay: () => state.displays[0] },
    shell: {
      openPath: async (folder: string) => {
        state.opened.push(folder);
        return '';
      },
    },
  };
  return { electron, state, FakeWindow };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
const engine = {
  snapshot: () => ({ connection: { state: 'connected', hubUrl: 'ws://127.0.0.1:45678', panelName: 'T', since: 0 } }),
  attachHost() {},
  hostChanged() {},
  on: () => () => {},
  close: async () => {},
};
vi.mock('../hub/index.ts', () => ({ createPanelEngine: () => engine, dispatchCommand: async () => ({ id: 0, ok: true, result: {} }) }));
vi.mock('../../peer/index.ts', () => ({ hubAnswers: async () => false, trustHubCertificates: () => {} }));

const { electron, state, FakeWindow } = fake;
const { runPanelApp, parseCliOptions } = await import('./main.ts');
const { aboutDetail } = await import('./about.ts');

let userData: string;
let logSpy: MockInstance<typeof console.log>;
beforeEach(() => {
  userData = mkdtempSync(path.join(tmpdir(), 'panel-desktop-'));
  state.userData = userData;
  state.exitCode = null;
  state.ready = new Promise<void>((resolve) => (state.resolveReady = resolve));
  state.opened.length = 0;
  state.about.length = 0;
  FakeWindow.instances.length = 0;
  electron.app.removeAllListeners();
  logSpy = vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(userData, { recursive: true, force: true });
});

async function boot(argv = ['electron', '.']) {
  expect(runPanelApp(argv)).toBe(true);
  state.resolveReady();
  await vi.waitFor(() => expect(FakeWindow.instances).toHaveLength(1));
  return FakeWindow.instances[0] as InstanceType<typeof FakeWindow>;
}

describe('the command line', () => {
  it('prints --help and exits 0, and exits 2 on a wrong value, before taking the lock or registering anything', () => {
    const lock = vi.spyOn(electron.app, 'requestSingleInstanceLock');
    const register = vi.spyOn(electron.protocol, 'registerSchemesAsPrivileged');
    expect(runPanelApp(['electron', '.', '--help'])).toBe(false);
    expect(state.exitCode).toBe(0);
    expect(String(logSpy.mock.calls.at(-1)?.[0])).toMatch(/^Usage: asset-hub-panel[\s\S]*--hub[\s\S]*--verbose/);
    expect(runPanelApp(['electron', '.', '--fabric=tcp'])).toBe(false);
    expect(state.exitCode).toBe(2);
    expect(lock).not.toHaveBeenCalled();
    expect(register).not.toHaveBeenCalled();
  });

  it('answers --help from the option table, and refuses a wrong value in one line', () => {
    const help = parseCliOptions(['asset-hub-panel', '--help']);
    expect(help.kind).toBe('help');
    for (const name of ['--hub', '--token', '--data', '--fabric', '--verbose', '--help']) expect(help.kind === 'help' && help.text).toContain(name);
    expect(parseCliOptions(['asset-hub-panel', '--fabric', 'tcp'])).toEqual({ kind: 'error', message: 'asset-hub-panel: --fabric must be ws or zmq, got "tcp"' });
    expect(parseCliOptions(['asset-hub-panel', '--hub'])).toMatchObject({ kind: 'error', message: expect.stringMatching(/^asset-hub-panel: .*--hub/) });
  });

  it('leaves switches it does not know to Electron and Chromium, and says so in its log', async () => {
    await boot(['electron', '.', '--hub', 'ws://10.0.0.5:16209', '--no-sandbox', '--enable-logging']);
    expect(state.exitCode).toBeNull();
    expect(readFileSync(path.join(userData, 'logs', 'panel.log'), 'utf8')).toContain('options left to Electron and Chromium: --no-sandbox --enable-logging');
  });
});

describe('the window', () => {
  it('opens where it was last, fitted to a display that exists now, maximized again, and saves its moves debounced', async () => {
    // Last seen on a second monitor, since unplugged.
    const settingsFile = path.join(userData, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ hubUrl: 'ws://10.0.0.5:16209', window: { x: 2200, y: 100, width: 1600, height: 1200, maximized: true } }));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const win = await boot();
      expect(win.options).toMatchObject({ x: 160, y: 0, width: 1600, height: 1040 });
      expect(win.maximized).toBe(1);
      const saved = () => (JSON.parse(readFileSync(settingsFile, 'utf8')) as { window?: unknown }).window;
      win.normal = { x: 300, y: 40, width: 1000, height: 700 };
      win.emit('move');
      win.emit('resize');
      expect(saved()).toMatchObject({ x: 2200 });
      vi.advanceTimersByTime(1_000);
      expect(saved()).toEqual({ x: 300, y: 40, width: 1000, height: 700, maximized: false });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('logs and the Help menu', () => {
  it('writes its own and the embedded services\' lines to <userData>/logs without --verbose; Open Logs Folder and About', async () => {
    const child = Object.assign(new EventEmitter(), { pid: 4242, stdout: new PassThrough(), stderr: new PassThrough(), kill: () => true });
    vi.spyOn(electron.utilityProcess, 'fork').mockImplementation(() => child);
    const setMenu = vi.spyOn(electron.Menu, 'setApplicationMenu');
    await boot();
    child.stdout.write('{"level":30,"service":"AssetHubServer","msg":"started"}\nAsset Hub services ready on ws://127.0.0.1:45678\n');
    child.stderr.write('TypeError: boom\n');
    const logsDir = path.join(userData, 'logs');
    await vi.waitFor(() => expect(readFileSync(path.join(logsDir, 'services.log'), 'utf8')).toContain('TypeError: boom'));
    expect(readFileSync(path.join(logsDir, 'services.log'), 'utf8')).toContain('"msg":"started"');
    expect(readFileSync(path.join(logsDir, 'panel.log'), 'utf8')).toMatch(/Z INFO starting the embedded services/);
    // Not on the terminal without --verbose.
    expect(logSpy.mock.calls.some(([line]) => String(line).includes('"msg":"started"'))).toBe(false);

    type Item = { label?: string; click?: () => void; submenu?: Item[] };
    const menu = (setMenu.mock.calls[0]?.[0] as unknown as { template: Item[] }).template;
    const item = (label: string) => menu.flatMap((m) => m.submenu ?? []).find((i) => i.label === label);
    item('Open Logs Folder')?.click?.();
    await vi.waitFor(() => expect(state.opened).toEqual([logsDir]));
    item('About Asset Hub Panel')?.click?.();
    const about = state.about[0] ?? '';
    expect(about).toContain('Version 0.1.0');
    expect(about).toContain('Hub: ws://127.0.0.1:45678 (connected');
    expect(about).toContain(`Data folder: ${path.join(userData, 'services')}`);
    expect(about).toContain(`Logs: ${logsDir}`);
  });
});

describe('aboutDetail', () => {
  it('names the version, the hub and how the panel is on it, the data folder from the host info, and the logs', () => {
    const detail = aboutDetail({
      version: '1.2.3',
      connection: { state: 'connected', hubUrl: 'ws://127.0.0.1:4567' },
      host: { hub: 'embedded', embedded: { fabric: 'ws', running: true, dataDir: '/data/from/host', ephemeral: false, opensWith: null } },
      logsDir: '/u/logs',
      versions: { electron: '41.0.0', chrome: '140', node: '22' },
    });
    expect(detail.split('\n')).toEqual([
      'Version 1.2.3',
      'Hub: ws://127.0.0.1:4567 (connected, the embedded services)',
      'Data folder: /data/from/host',
      'Logs: /u/logs',
      'Electron 41.0.0 · Chromium 140 · Node 22',
    ]);
    const none = aboutDetail({ version: '1', connection: { state: 'disconnected', hubUrl: '' }, host: { hub: 'none', embedded: null }, logsDir: '/l', versions: { node: '22' } });
    expect(none).toContain('Hub: none\nData folder: none (no embedded services)');
  });
});
