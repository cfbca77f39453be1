/**
 * The Electron main process (bundled to app/dist/main/electron.cjs, the package's `main`).
 *
 * One instance per user (a second start focuses the first window). Settings in `<userData>/settings.json`. The page
 * is the built renderer served from `app://panel/` (never file://) into an isolated, sandboxed window whose only way
 * out is the preload's panel API; every IPC message is checked for its sender. Without a configured hub, the embedded
 * reference services (hub, server, two demo clients, demo show) run in a utility process and the panel connects to
 * them; they are stopped before the app quits.
 *
 * Command line: ./options.ts (`--help` lists it). Which hub is used, and the operator's changes of hub, are
 * main/embedded/hub-choice.ts's, shared with the browser host. The host's, the engine's and the embedded services'
 * lines go to rotating files in `<userData>/logs` (./log-files.ts); `--verbose` also prints them. The window's place
 * is remembered and fitted to the displays there are at start (./window-state.ts).
 * `--data <dir>` is the userData folder: settings, logs and, in `services/`, the embedded services' data, kept between
 * runs; `--ephemeral` puts the services' data in a temporary folder instead, removed on quit.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { trustHubCertificates } from '../../peer/index.ts';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, screen, session, shell, utilityProcess } from 'electron';
import { createPanelEngine, dispatchCommand, type PanelEngine } from '../hub/index.ts';
import { logWatchAfter } from '../../shared/panel/api.ts';
import type { Logger } from '../hub/types.ts';
import { embeddedDataFolder, type DataFolder } from '../embedded/data-folder.ts';
import { HubChooser } from '../embedded/hub-choice.ts';
import { servicesScript, utilityServicesStarter } from './embedded.ts';
import { forwardEngineEvents, registerPanelIpc } from './ipc.ts';
import { aboutDetail } from './about.ts';
import { logLine, openHostLogs, type HostLogs } from './log-files.ts';
import { menuTemplate } from './menu.ts';
import { parseCliOptions, type CliOptions } from './options.ts';
import { electronOpener } from './open-folder.ts';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol.ts';
import { APP_SCHEME, APP_START_URL, createWindowOptions, denyAllPermissions, hardenWebContents } from './security.ts';
import { canStoreToken, loadSettings, saveSettings, type PanelSettings, type WindowBounds } from './settings.ts';
import { fitToDisplays, trackWindowState } from './window-state.ts';

export { parseCliOptions, type CliOptions } from './options.ts';

/** Where the built pieces sit under the app path (the asar when packaged, the project folder in development). */
export function appLayout(appPath: string) {
  return {
    preload: path.join(appPath, 'app', 'dist', 'main', 'preload.cjs'),
    renderer: path.join(appPath, 'app', 'dist', 'renderer'),
    services: servicesScript(appPath),
  };
}

/** The log files, once the single-instance lock is ours (a second instance must not rotate the first's files). */
let logs: HostLogs | null = null;
const say = (line: string, toConsole = true): void => {
  if (toConsole) console.log(`[panel] ${line}`);
  logs?.panel.write(logLine('info', line));
};
const warn = (line: string): void => {
  console.warn(`[panel] ${line}`);
  logs?.panel.write(logLine('warn', line));
};

function engineLogger(verbose: boolean): Logger {
  const text = (objOrMessage: object | string, message?: string) =>
    typeof objOrMessage === 'string' ? objOrMessage : `${message ?? ''} ${JSON.stringify(objOrMessage)}`.trim();
  return {
    debug: () => {},
    info: (o, m) => say(`engine: ${text(o, m)}`, verbose),
    warn: (o, m) => warn(`engine: ${text(o, m)}`),
    error: (o, m) => warn(`engine: ${text(o, m)}`),
  };
}

/** The main window: the hardened options, hardened webContents, shown once painted, on app://panel/. */
export function createMainWindow(preload: string, bounds: WindowBounds | null): BrowserWindow {
  const win = new BrowserWindow(createWindowOptions(preload, bounds));
  hardenWebContents(win.webContents, warn);
  if (bounds?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_START_URL).catch((error: unknown) => warn(`cannot load ${APP_START_URL}: ${String(error)}`));
  return win;
}

function showAbout(running: Running): void {
  const detail = aboutDetail({
    version: app.getVersion(),
    connection: running.engine.snapshot().connection,
    host: running.chooser?.info() ?? { hub: 'none', embedded: null },
    logsDir: logs?.dir ?? '',
    versions: { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node },
  });
  const options = { type: 'info' as const, title: 'About Asset Hub Panel', message: 'Asset Hub Panel', detail, buttons: ['OK'] };
  const win = running.window;
  void (win && !win.isDestroyed() ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

function openLogsFolder(): void {
  if (!logs) return;
  const dir = logs.dir;
  mkdirSync(dir, { recursive: true });
  void shell.openPath(dir).then((problem) => problem && warn(`cannot open ${dir}: ${problem}`));
}

/** Everything the running app holds, so that quitting can release it in order. */
interface Running {
  engine: PanelEngine;
  window: BrowserWindow | null;
  chooser: HubChooser | null;
  /** Whether the window's page watches the message log (its last `watchLog` answer). */
  logWatched: boolean;
  dataFolder: DataFolder;
  settings: PanelSettings;
  settingsFile: string;
  disposers: Array<() => void>;
}

/**
 * Wires the app. Everything before `ready` (scheme privileges, the single-instance lock, userData from --data) happens
 * synchronously here; the rest when Electron is ready. Returns false when another instance owns the lock.
 */
export function runPanelApp(argv: readonly string[] = process.argv): boolean {
  const line = parseCliOptions(argv);
  // Answered before the lock: `--help` prints even while a panel runs.
  if (line.kind !== 'run') {
    if (line.kind === 'help') console.log(line.text);
    else console.error(line.message);
    app.exit(line.kind === 'help' ? 0 : 2);
    return false;
  }
  const cli = line.options;
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.enableSandbox();
  if (cli.data) app.setPath('userData', path.resolve(cli.data));

  if (!app.requestSingleInstanceLock()) {
    say('another Asset Hub Panel is running for this user; it was brought to the front');
    app.quit();
    return false;
  }
  logs = openHostLogs(app.getPath('userData'), { onError: (error) => console.warn(`[panel] cannot write the log files: ${error.message}`) });
  say(`Asset Hub Panel ${app.getVersion()} starting; logs in ${logs.dir}`);
  if (line.ignored.length > 0) say(`options left to Electron and Chromium: ${line.ignored.join(' ')}`);

  let running: Running | null = null;
  let quitting: 'no' | 'stopping' | 'done' = 'no';

  app.on('second-instance', () => {
    const win = running?.window;
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  // The checklist applies to every webContents, including any the page might try to create.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, warn));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitting === 'done') return;
    event.preventDefault();
    if (quitting === 'stopping') return;
    quitting = 'stopping';
    void shutdown(running).finally(() => {
      quitting = 'done';
      logs?.close();
      app.quit();
    });
  });

  app.whenReady().then(
    () => {
      try {
        running = start(cli);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        warn(`the panel could not start: ${message}`);
        dialog.showErrorBox('Asset Hub Panel', `The panel could not start:\n${message}`);
        app.exit(1);
      }
    },
    (error: unknown) => {
      warn(`Electron did not start: ${String(error)}`);
      app.exit(1);
    },
  );
  return true;
}

function start(cli: CliOptions): Running {
  const layout = appLayout(app.getAppPath());
  const userData = app.getPath('userData');
  const settingsFile = path.join(userData, 'settings.json');
  const settings = loadSettings(settingsFile, safeStorage, warn);

  denyAllPermissions(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(layout.renderer));
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({ isPackaged: app.isPackaged, isMac: process.platform === 'darwin', onAbout: () => showAbout(running), onOpenLogs: openLogsFolder }),
    ),
  );

  // A wss:// hub with a certificate of the studio's own: trust it in this process.
  const caFile = process.env.ASSETHUB_HUB_CA;
  if (caFile) {
    try {
      trustHubCertificates([readFileSync(caFile, 'utf8')]);
    } catch (error) {
      warn(`ASSETHUB_HUB_CA: cannot read ${caFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const engine = createPanelEngine({ logger: engineLogger(cli.verbose), ...(settings.panelName ? { panelName: settings.panelName } : {}) });
  const dataFolder = embeddedDataFolder({ userDataDir: userData, ephemeral: cli.ephemeral, elsewhere: '--ephemeral, or another --data folder' });
  const running: Running = { engine, window: null, chooser: null, logWatched: false, dataFolder, settings, settingsFile, disposers: [] };
  const save = () => saveSettings(settingsFile, running.settings, safeStorage, warn);
  const remember = (hubUrl: string | null, token: string | null) => {
    running.settings = { ...running.settings, hubUrl, token, embeddedChosen: hubUrl === null };
    save();
  };
  const chooser = new HubChooser({
    engine,
    dataFolder,
    openFolder: electronOpener(shell),
    embedded: {
      fabric: cli.fabric,
      ...(cli.gateway ? { gateway: cli.gateway } : {}),
      start: utilityServicesStarter((modulePath, args, options) => utilityProcess.fork(modulePath, args, options), layout.services),
      onLine: (line) => {
        logs?.services.write(line);
        if (cli.verbose) console.log(`[panel] services: ${line}`);
      },
    },
    localHub: 'zmq://127.0.0.1',
    remember: ({ hubUrl, token }) => {
      remember(hubUrl, token);
      const note = token && !canStoreToken(safeStorage) ? 'the token could not be stored (no OS key store): it lasts this session' : null;
      return { remembered: true, note };
    },
    say,
    warn,
  });
  running.chooser = chooser;

  running.disposers.push(
    registerPanelIpc(ipcMain, {
      engine: () => engine,
      windowContentsId: () => (running.window && !running.window.isDestroyed() ? running.window.webContents.id : null),
      dispatch: dispatchCommand,
      warn,
      // A hub the operator connected to is remembered (token encrypted); the embedded hub's random URL is not.
      onAnswer: (command, args, response) => {
        running.logWatched = logWatchAfter(command, response) ?? running.logWatched;
        if (command !== 'connect' || !response.ok) return;
        const { hubUrl, token } = args as { hubUrl: string; token?: string };
        if (hubUrl === chooser.embeddedHubUrl) return;
        remember(hubUrl, token ?? null);
      },
    }),
    forwardEngineEvents(engine, () => (running.window && !running.window.isDestroyed() ? running.window.webContents : null), () => running.logWatched),
  );

  // Fitted to the displays there are now: the one it was last on may be gone.
  const bounds = settings.window && fitToDisplays(settings.window, screen.getAllDisplays(), screen.getPrimaryDisplay());
  const win = createMainWindow(layout.preload, bounds);
  running.window = win;
  running.disposers.push(
    trackWindowState(win, (window) => {
      running.settings = { ...running.settings, window };
      save();
    }),
  );

  const hubUrl = cli.hub ?? settings.hubUrl;
  const token = cli.token ?? process.env.ASSETHUB_TOKEN ?? settings.token ?? undefined;
  if (!hubUrl) say(`starting the embedded services (${layout.services}) unless a Data Hub answers on this machine`);
  chooser.start(hubUrl ? { hubUrl, ...(token ? { token } : {}), from: cli.hub ? 'command line' : 'settings' } : { embeddedChosen: settings.embeddedChosen }).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    warn(hubUrl ? `cannot connect to ${hubUrl}: ${message}` : `the embedded services did not start: ${message}`);
    if (hubUrl) return;
    const options = {
      type: 'warning' as const,
      title: 'Asset Hub Panel',
      message: 'The embedded Asset Hub services did not start.',
      detail: `${message.split('\n').slice(0, 12).join('\n')}\n\nThe panel stays open: connect it to a hub from its Connection view.`,
    };
    if (!win.isDestroyed()) void dialog.showMessageBox(win, options);
  });
  return running;
}

/** Before quitting: stop listening, close the engine, stop the embedded services (SIGTERM, wait, SIGKILL). */
async function shutdown(running: Running | null): Promise<void> {
  if (!running) return;
  for (const dispose of running.disposers.splice(0)) dispose();
  const bounded = <T>(promise: Promise<T>, ms: number) => Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  await bounded(Promise.resolve(running.engine.close()).catch(() => {}), 5_000);
  if (running.chooser?.services) {
    say('stopping the embedded services');
    await bounded(running.chooser.stop().catch((error: unknown) => warn(`stopping the embedded services: ${String(error)}`)), 15_000);
  }
  await running.dataFolder.dispose();
}

// Started when Electron loads the bundle; the tests import the module (without Electron) and call runPanelApp.
if (process.versions.electron !== undefined && (process as { type?: string }).type === 'browser') runPanelApp();
