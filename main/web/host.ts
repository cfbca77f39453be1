/**
 * The browser host: one HTTP server on 127.0.0.1 that serves the built renderer and carries the panel API over the
 * WebSocket bridge at /bridge, an engine connected to a hub, and (without --hub) the embedded services with the demo
 * show, supervised: if the services die they are started again in the same data folder (see main/embedded/supervisor.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createPanelEngine, dispatchCommand, type PanelEngine } from '../hub/index.ts';
import type { Logger } from '../hub/types.ts';
import type { ConnectionStatus } from '../../shared/panel/api.ts';
import { ServicesSupervisor } from '../embedded/supervisor.ts';
import { createBridge, type Bridge } from './bridge.ts';
import { createSessionToken, sessionUrl } from './session.ts';
import { serveStatic, SECURITY_HEADERS } from './static-files.ts';

export interface BrowserHostOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The built renderer (app/dist/renderer). */
  root: string;
  /** Connect to this hub instead of starting the embedded services. */
  hubUrl?: string;
  /** The hub's token (for --hub). */
  hubToken?: string;
  /** Data folder of the embedded services; a temporary folder (removed at the end) by default. */
  dataDir?: string;
  /** How long to wait for the hub connection before printing the URL anyway. */
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
  /** The embedded services' pid, null with --hub or between a crash and the restart. */
  servicesPid(): number | null;
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
    serveStatic(root, req, res).then(
      (handled) => {
        if (!handled) res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' }).end();
      },
      () => res.destroy(),
    );
  });
  server.on('upgrade', (req, socket, head) => bridge.handleUpgrade(req, socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());

  let supervisor: ServicesSupervisor | null = null;
  let tempDir: string | null = null;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // The supervisor first, synchronously: on Ctrl+C the services get SIGINT too, and their exit must not look like
      // a crash to restart.
      const servicesStopped = supervisor?.stop().catch(() => {});
      bridge.close();
      await Promise.resolve(engine.close()).catch(() => {});
      await servicesStopped;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => {});
    })());

  try {
    port = await listen(server, options.port);
    let hubUrl: string;
    const hubToken = options.hubToken;
    if (options.hubUrl) {
      hubUrl = options.hubUrl;
      await engine.invoke('connect', { hubUrl, ...(hubToken ? { token: hubToken } : {}) });
    } else {
      const dataDir = options.dataDir ? path.resolve(options.dataDir) : (tempDir = await mkdtemp(path.join(os.tmpdir(), 'asset-hub-panel-')));
      // The embedded hub gets a random token too: other local programs cannot join it.
      const embeddedToken = createSessionToken();
      supervisor = new ServicesSupervisor({
        dataDir,
        demo: true,
        token: embeddedToken,
        onLine: options.onServicesLine && ((line) => options.onServicesLine?.(line)),
        onReady: async (services, restart) => {
          const pid = services.child.pid ?? 0;
          if (restart) options.say(`Asset Hub services restarted (pid ${pid}) on ${services.hubUrl}`);
          else options.say(`Asset Hub services (pid ${pid}) ready on ${services.hubUrl}, data in ${dataDir}`);
          // After a restart on the same port the engine reconnects by itself; a new port needs a new connect.
          if (!restart || services.hubUrl !== engine.snapshot().connection.hubUrl) {
            await engine.invoke('connect', { hubUrl: services.hubUrl, token: embeddedToken }).catch((error: unknown) => {
              options.warn(`could not connect the panel to ${services.hubUrl}: ${error instanceof Error ? error.message : String(error)}`);
            });
          }
        },
        onCrash: (how, wait, lastOutput) =>
          options.warn(`Asset Hub services ended (${how}); restarting in ${wait / 1000} s. Last output:\n${lastOutput.split('\n').slice(-10).join('\n')}`),
        onRestartFailed: (error, wait) => options.warn(`Asset Hub services did not restart (${error.message}); next try in ${wait / 1000} s`),
      });
      hubUrl = (await supervisor.start()).hubUrl;
    }
    const connectProblem = await waitConnected(engine, options.connectTimeoutMs ?? 20_000);
    return {
      url: sessionUrl(port, token),
      port,
      token,
      hubUrl,
      servicesPid: () => supervisor?.current?.child.pid ?? null,
      connectProblem,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
