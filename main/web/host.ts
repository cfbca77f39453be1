/**
 * The browser host: one HTTP server on 127.0.0.1 that serves the built renderer and carries the panel API over the
 * WebSocket bridge at /bridge, an engine connected to a hub, and the hub choice (main/embedded/hub-choice.ts): the
 * hub given with --hub, the one remembered, an offer to join a Data Hub found on this machine's Pixotope ports, or
 * the embedded services with the demo show, supervised (restarted in the same data folder if they die), their data
 * kept in the user-data folder (or a temporary one with --ephemeral).
 */
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { createPanelEngine, dispatchCommand, type PanelEngine } from '../hub/index.ts';
import type { Logger } from '../hub/types.ts';
import type { ConnectionStatus } from '../../shared/panel/api.ts';
import { defaultUserDataDir, embeddedDataFolder } from '../embedded/data-folder.ts';
import { HubChooser } from '../embedded/hub-choice.ts';
import type { GatewayChoice } from '../../services/lib/gateway-options.ts';
import { desktopOpener, type FolderOpener } from '../embedded/open-folder.ts';
import { createBridge, type Bridge } from './bridge.ts';
import { originAllowed, originRefusal } from '../../shared/origin.ts';
import { createSessionToken, expectedOrigin, sessionUrl } from './session.ts';
import { loadHubChoice, saveHubChoice, settingsFile } from './settings.ts';
import { serveStatic, SECURITY_HEADERS } from '../lib/static-files.ts';

export interface BrowserHostOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The built renderer (app/dist/renderer). */
  root: string;
  /** Connect to this hub (this run only) instead of the remembered one or the embedded services. */
  hubUrl?: string;
  /** The hub's token (for --hub, or a remembered WebSocket hub that needs one). */
  hubToken?: string;
  /** Data folder of the embedded services (kept); by default `<user data>/services` (main/embedded/data-folder.ts). */
  dataDir?: string;
  /** A temporary data folder instead, removed when the host stops (--ephemeral). */
  ephemeral?: boolean;
  /** The embedded services' fabric: this project's WebSocket hub (default) or a ZeroMQ Data Hub. */
  fabric?: 'ws' | 'zmq';
  /** The embedded services' Pixotope Gateway (`--gateway`), when asked for. */
  gateway?: GatewayChoice;
  /** Where the hub choice is remembered (browser-host.json; nothing is remembered without it) and, in `services/`, the data. */
  userDataDir?: string;
  /** Opens the data folder for "Open data folder"; the platform's opener on a desktop by default, null: copy only. */
  openFolder?: FolderOpener | null;
  /** Where a Pixotope Data Hub would answer on this machine (offered instead of the demo when it does); null: never look. */
  localHub?: string | null;
  /** How long to wait for the embedded services' connection before printing the URL anyway (a chosen hub: not at all). */
  connectTimeoutMs?: number;
  /** Lines for the operator (stdout). */
  say(line: string): void;
  /** Problems (stderr). */
  warn(line: string): void;
  /** Every line the embedded services print (their JSON log), when wanted. */
  onServicesLine?(line: string): void;
}

export interface BrowserHost {
  /** `http://127.0.0.1:<port>/#token=<token>`. */
  url: string;
  port: number;
  token: string;
  hubUrl: string;
  /** The embedded services' pid, null when they do not run (another hub, or between a crash and the restart). */
  servicesPid(): number | null;
  /** A Data Hub answered on this machine's ports: the operator is offered to join it (the demo did not start). */
  offer: string | null;
  /** Set when the hub connection was not up within the connect timeout. */
  connectProblem: string | null;
  close(): Promise<void>;
}

function engineLogger(warn: (line: string) => void): Logger {
  const text = (objOrMessage: object | string, message?: string) =>
    typeof objOrMessage === 'string' ? objOrMessage : `${message ?? ''} ${JSON.stringify(objOrMessage)}`.trim();
  const quiet = () => {};
  return {
    debug: quiet,
    info: quiet,
    warn: (o, m) => warn(`engine: ${text(o, m)}`),
    error: (o, m) => warn(`engine: ${text(o, m)}`),
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Resolves with null once the engine is connected, or with the reason when the connection failed for good (e.g. the
 * hub refused the token) or is not up within `timeoutMs`.
 */
function waitConnected(engine: PanelEngine, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const describe = (s: ConnectionStatus) => `${s.state}${s.reason ? `: ${s.reason}` : ''}`;
    const failed = (s: ConnectionStatus) => `the connection to ${s.hubUrl || 'the hub'} failed (${s.reason ?? 'no reason given'})`;
    let last = engine.snapshot().connection;
    if (last.state === 'connected') return resolve(null);
    if (last.state === 'failed') return resolve(failed(last));
    const off = engine.on('connection', (status) => {
      last = status;
      if (status.state !== 'connected' && status.state !== 'failed') return;
      clearTimeout(timer);
      off();
      resolve(status.state === 'connected' ? null : failed(status));
    });
    const timer = setTimeout(() => {
      off();
      resolve(`not connected to ${last.hubUrl || 'the hub'} after ${timeoutMs / 1000} s (${describe(last)})`);
    }, timeoutMs);
  });
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = createSessionToken();
  const root = path.resolve(options.root);
  const engine = createPanelEngine({ logger: engineLogger(options.warn) });
  let port = 0;
  const bridge: Bridge = createBridge({
    events: engine,
    dispatch: (id, command, args) => dispatchCommand(engine, id, command, args),
    token,
    port: () => port,
    log: options.warn,
  });

  const server = createServer((req, res) => {
    // Only the page itself (its module scripts carry its own Origin) reads from here; no other site's page does.
    if (!originAllowed(req.headers.origin, [expectedOrigin(port)])) {
      res.writeHead(403, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end(originRefusal(req.headers.origin ?? ''));
      return;
    }
    serveStatic(root, req, res).then(
      (handled) => {
        if (!handled) res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' }).end();
      },
      () => res.destroy(),
    );
  });
  server.on('upgrade', (req, socket, head) => bridge.handleUpgrade(req, socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());

  const dataFolder = embeddedDataFolder({
    userDataDir: options.userDataDir ?? defaultUserDataDir(),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ephemeral: options.ephemeral === true,
    elsewhere: '--ephemeral, or another --user-data folder',
  });
  const remembered = options.userDataDir ? settingsFile(options.userDataDir) : null;
  const chooser = new HubChooser({
    engine,
    embedded: { fabric: options.fabric ?? 'ws', ...(options.gateway ? { gateway: options.gateway } : {}), onLine: options.onServicesLine && ((line) => options.onServicesLine?.(line)) },
    dataFolder,
    openFolder: options.openFolder === undefined ? desktopOpener() : options.openFolder,
    localHub: options.localHub === undefined ? null : options.localHub,
    remember: ({ hubUrl }) => {
      if (!remembered) return { remembered: false, note: 'this host was started without a settings folder: the choice lasts this run' };
      const saved = saveHubChoice(remembered, hubUrl, options.warn);
      const tokenNote = hubUrl?.startsWith('ws') ? 'the browser host keeps no token: give it again with --token or ASSETHUB_TOKEN after a restart' : null;
      return { remembered: saved, note: saved ? tokenNote : `could not write ${remembered}` };
    },
    say: options.say,
    warn: options.warn,
  });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // The services first, synchronously: on Ctrl+C the services get SIGINT too, and their exit must not look like a
      // crash to restart.
      const servicesStopped = chooser.stop().catch(() => {});
      bridge.close();
      await Promise.resolve(engine.close()).catch(() => {});
      await servicesStopped;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dataFolder.dispose();
    })());

  try {
    port = await listen(server, options.port);
    const rememberedHub = options.hubUrl || !remembered ? undefined : loadHubChoice(remembered, options.warn);
    const hubToken = options.hubToken ? { token: options.hubToken } : {};
    await chooser.start(
      options.hubUrl
        ? { hubUrl: options.hubUrl, ...hubToken, from: 'command line' }
        : rememberedHub
          ? { hubUrl: rememberedHub, ...hubToken, from: 'settings' }
          : { embeddedChosen: rememberedHub === null },
    );
    const offer = chooser.info().offer?.description ?? null;
    // A hub given by address may not be there: the page is served now and says so. Only the embedded services, just
    // started by this host, are worth the wait.
    const waitFor = !offer && chooser.info().hub === 'embedded';
    const connectProblem = waitFor ? await waitConnected(engine, options.connectTimeoutMs ?? 20_000) : null;
    return {
      url: sessionUrl(port, token),
      port,
      token,
      hubUrl: engine.snapshot().connection.hubUrl,
      servicesPid: () => chooser.services?.current?.child.pid ?? null,
      offer,
      connectProblem,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
