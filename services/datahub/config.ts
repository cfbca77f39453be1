/** The hub's name on the wire, its defaults and the validation of its options. */
import type { Worker } from 'node:worker_threads';
import { HUB_MESSAGE_BYTES } from '../../shared/protocol/limits.ts';
import type { Logger } from '../lib/log.ts';

/** The hub answers Gets and Identify under this name (Source of its Updates, Self and Logs). */
export const HUB_NAME = 'DataHub';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 16209;
export const DEFAULT_MAX_FRAME_BYTES = HUB_MESSAGE_BYTES;
export const DEFAULT_SOFT_LIMIT_BYTES = 4 * 1024 * 1024;
export const DEFAULT_HARD_LIMIT_BYTES = 64 * 1024 * 1024;

export interface HubOptions {
  host?: string;
  /** 0 picks an ephemeral port. */
  port?: number;
  /** When set, every upgrade must carry `Authorization: Bearer <token>`. Required off loopback. */
  token?: string;
  /** Serve `wss://` with this certificate and key (PEM): the token and every frame encrypted beyond loopback. */
  tls?: { cert: string; key: string };
  /** Browser origins whose pages may connect (exact `scheme://host:port`); any other `Origin` is refused with 403. */
  allowOrigins?: readonly string[];
  /** A frame over this size closes its connection with 1009. */
  maxFrameBytes?: number;
  /** Above this many bytes queued to a peer, its `LOWPRIO_` broadcast Updates are dropped. */
  softLimitBytes?: number;
  /** Above this many bytes queued to a peer, it is disconnected. */
  hardLimitBytes?: number;
  logger?: Logger;
  /** Open connections the hub takes at most (services/lib/listen.ts); default MAX_CONNECTIONS. */
  maxConnections?: number;
  /** The thread large frames are checked on (frame-check.ts); tests give one they control. */
  frameCheckThread?: () => Worker;
}

export interface HubConfig {
  host: string;
  port: number;
  token: string | undefined;
  allowOrigins: readonly string[];
  maxFrameBytes: number;
  softLimitBytes: number;
  hardLimitBytes: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`DataHub: ${name} must be a positive integer, got ${String(value)}`);
  return v;
}

/** Fills defaults and rejects nonsense early, so a misconfigured hub fails at start rather than under load. */
export function resolveConfig(options: HubOptions): HubConfig {
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`DataHub: port must be 0..65535, got ${String(options.port)}`);
  const softLimitBytes = positive('softLimitBytes', options.softLimitBytes, DEFAULT_SOFT_LIMIT_BYTES);
  const hardLimitBytes = positive('hardLimitBytes', options.hardLimitBytes, DEFAULT_HARD_LIMIT_BYTES);
  if (hardLimitBytes < softLimitBytes) {
    throw new Error(`DataHub: hardLimitBytes (${hardLimitBytes}) must not be below softLimitBytes (${softLimitBytes})`);
  }
  return {
    host: options.host ?? DEFAULT_HOST,
    port,
    // An empty token is no token: it must not turn a public bind into an "authenticated" one.
    token: options.token === undefined || options.token === '' ? undefined : options.token,
    allowOrigins: options.allowOrigins ?? [],
    maxFrameBytes: positive('maxFrameBytes', options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES),
    softLimitBytes,
    hardLimitBytes,
  };
}
