/**
 * The server's data plane: the chunk store on HTTP, the URL GetStorage gives clients, and the periodic collection of
 * chunks no commit refers to (and of partial uploads nobody resumed).
 *
 * GetStorage is a Call over the hub, not a request to the data plane, so the server cannot see which of its addresses
 * a client would reach. It answers `--advertise <host>` when given; else the host it is bound to when that is a
 * specific address; bound to a wildcard (0.0.0.0, ::), the machine's host name (os.hostname()), said in the log at
 * start, because 127.0.0.1 would send every other machine to itself.
 */
import { createServer, type Server } from 'node:http';
import { isIP, isIPv6 } from 'node:net';
import os from 'node:os';
import type { Logger } from '../lib/log.ts';
import { isLoopbackHost } from '../lib/loopback.ts';
import { collectChunks, createChunkHandler, isWildcardHost, type ChunkStore, type CollectResult } from './chunks/index.ts';
import { listen } from '../lib/listen.ts';
import { StartupError } from '../lib/startup.ts';

export const CHUNK_GRACE_MS = 60 * 60 * 1000;
export const COLLECT_EVERY_MS = 15 * 60 * 1000;
/** Partial uploads nobody resumed within a day are abandoned. */
const PARTIAL_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface DataPlaneOptions {
  chunks: ChunkStore;
  /** Every chunk a commit of any branch refers to. */
  referenced: () => ReadonlySet<string> | Promise<ReadonlySet<string>>;
  port: number;
  host: string;
  advertise?: string;
  token?: string;
  allowedOrigins?: readonly string[];
  graceMs?: number;
  collectEveryMs?: number;
  logger: Logger;
}

export interface DataPlane {
  url: string;
  /** One collection now (or the one running); resolves with what it removed. */
  collect(): Promise<CollectResult>;
  close(): Promise<void>;
}

/** The host clients are told to use (see the file comment). */
export function advertisedHost(bindHost: string, advertise: string | undefined): string {
  return advertise ?? (isWildcardHost(bindHost) ? os.hostname() : bindHost);
}

export async function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  const { chunks, logger } = options;
  if (!options.token && !isLoopbackHost(options.host)) {
    throw new StartupError(`AssetHubServer: refusing to serve chunks on ${options.host} without a token; set a token or bind to 127.0.0.1`);
  }
  if (options.advertise !== undefined && !isIP(options.advertise) && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(options.advertise)) {
    throw new Error(`AssetHubServer: --advertise takes a host name or IP address, not "${options.advertise}"`);
  }
  const host = advertisedHost(options.host, options.advertise);
  const http: Server = createServer(createChunkHandler(chunks, {
    token: options.token, logger, bindHost: options.host, advertisedHost: host, allowedOrigins: options.allowedOrigins,
  }));
  const port = await listen(http, options.port, options.host, { onRefused: (count) => logger.warn({ count }, 'connections refused: the data plane holds as many as it takes') });
  const url = `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  if (isWildcardHost(options.host) && options.advertise === undefined) {
    logger.info({ storage: url }, `the data plane listens on every address (${options.host}); GetStorage answers this machine's name, ${host}: use --advertise <host> if other machines cannot resolve it`);
  }

  const graceMs = options.graceMs ?? CHUNK_GRACE_MS;
  let running: Promise<CollectResult> | undefined;
  const collect = (): Promise<CollectResult> => {
    running ??= (async () => {
      try {
        await chunks.prunePartials(PARTIAL_MAX_AGE_MS);
        const result = await collectChunks(chunks, { graceMs, referenced: options.referenced });
        if (result.removed.length > 0) {
          logger.info({ removed: result.removed.length, bytes: result.bytes, chunks: result.removed.slice(0, 20) }, 'collected chunks no commit refers to');
        }
        return result;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const collectLogged = (): void => {
    collect().catch((error: unknown) => logger.warn({ err: error }, 'chunk collection failed'));
  };
  const timer = setInterval(collectLogged, options.collectEveryMs ?? COLLECT_EVERY_MS);
  timer.unref();
  collectLogged();

  return {
    url,
    collect,
    async close() {
      clearInterval(timer);
      await running?.catch(() => undefined);
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
