/**
 * The reference Data Hub (docs/PROTOCOL.md §3.1): an HTTP server that upgrades authorised requests to WebSockets and
 * hands every frame to the router. Authentication happens on the upgrade request, before any WebSocket exists.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import pkg from '../../package.json' with { type: 'json' };
import { createLogger } from '../lib/log.ts';
import { originAllowed } from '../../shared/origin.ts';
import { assertSafeBinding, isAuthorized, refuseUpgrade } from './auth.ts';
import { isLoopbackHost } from '../lib/loopback.ts';
import { HUB_NAME, resolveConfig, type HubOptions } from './config.ts';
import { Peer } from './peer.ts';
import { Router } from './router.ts';
import { FrameChecker } from './frame-check.ts';
import { StatsTracker, type HubStats } from './stats.ts';
import { listen } from '../lib/listen.ts';

export { HUB_NAME } from './config.ts';
export type { HubOptions } from './config.ts';
export type { HubStats } from './stats.ts';

export interface Hub {
  /** `ws://host:port`, ready for a client. */
  readonly url: string;
  readonly port: number;
  stats(): HubStats;
  /** Closes every peer (1001) and the server. */
  close(): Promise<void>;
}

/** How long a closing peer gets to finish the close handshake before its socket is destroyed. */
const CLOSE_GRACE_MS = 500;

const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);


function closePeer(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'hub shutting down');
  });
}

export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const config = resolveConfig(options);
  assertSafeBinding(config.host, config.token);
  const log = options.logger ?? createLogger(HUB_NAME);
  const stats = new StatsTracker();
  const checker = new FrameChecker((reason) => log.warn({ reason }, 'large frames are checked on the hub thread for a while'), options.frameCheckThread);
  const router = new Router(config, stats, log, { Version: pkg.version, Machine: hostname(), StartedAt: stats.startedAt }, checker);
  // noServer: the upgrade is ours to refuse with a plain HTTP 401 before ws sees it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  let nextId = 1;
  let closing = false;

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const peer = new Peer(ws, nextId++, `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`);
    router.add(peer);
    log.info({ id: peer.id, remote: peer.remote }, 'peer connected');
    ws.on('message', (data, isBinary) => {
      if (!peer.open) return;
      try {
        if (isBinary) router.onBinary(peer, toBuffer(data));
        else router.onText(peer, toBuffer(data));
      } catch (e) {
        // Decoders never throw; this is a last line so that a bug costs one frame, never the hub.
        log.error({ peer: peer.displayName, err: e }, 'frame handling failed');
      }
    });
    ws.on('error', (e: Error & { code?: string }) => {
      // ws reports protocol violations here (e.g. a frame over maxPayload, closed with 1009) and closes the socket.
      if (e.code?.startsWith('WS_ERR_')) {
        stats.invalid++;
        log.warn({ peer: peer.displayName, id: peer.id, code: e.code, err: e.message }, 'peer broke the WebSocket protocol or limits');
      } else {
        log.debug({ peer: peer.displayName, id: peer.id, err: e.message }, 'peer socket error');
      }
    });
    ws.on('close', (code, reason) => {
      router.remove(peer);
      log.info({ peer: peer.displayName, id: peer.id, code, reason: reason.toString() }, 'peer disconnected');
    });
  }

  const onRequest = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close' }).end('WebSocket only\n');
  };
  const server: Server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createServer(onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws owns the socket nobody else listens for its errors; an unhandled one would crash the process.
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    if (!originAllowed(origin, config.allowOrigins)) {
      log.warn({ remote: req.socket.remoteAddress, origin: origin?.slice(0, 200) }, 'upgrade refused: a web page of a foreign origin');
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    if (!isAuthorized(req, config.token)) {
      log.warn({ remote: req.socket.remoteAddress }, 'upgrade refused: missing or wrong token');
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  });

  let port: number;
  try {
    port = await listen(server, config.port, config.host, {
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
      onRefused: (count) => log.warn({ count }, 'connections refused: the hub holds as many as it takes'),
    });
  } catch (e) {
    stats.stop();
    throw e;
  }
  const urlHost = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  const url = `${options.tls ? 'wss' : 'ws'}://${urlHost}:${port}`;
  log.info({ url, auth: config.token !== undefined }, 'DataHub listening');
  if (!options.tls && !isLoopbackHost(config.host)) log.warn({ url }, 'listening beyond loopback without TLS: the token and every frame travel in clear (give --tls-cert and --tls-key)');

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    stats: () => stats.snapshot(router.peers.size),
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        stats.stop();
        const peers = [...router.peers];
        await Promise.all(peers.map((peer) => closePeer(peer.ws)));
        wss.close();
        await checker.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        log.info({ url }, 'DataHub closed');
      })();
      return closed;
    },
  };
}
