/**
 * The Gateway's options, defaults and limits. Its command-line options are in services/lib/gateway-options.ts, where
 * the panel's hosts read them too. docs/PROTOCOL-EXTENSIONS.md "The Pixotope Gateway" says why each is so.
 */
import type { Logger } from '../lib/log.ts';

export { DEFAULT_GATEWAY_PORT, GATEWAY_ARGS, gatewayArgsFrom } from '../lib/gateway-options.ts';
/** What one request body may weigh; the rest is not read. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Requests being answered at once; the next one gets 503. */
export const MAX_IN_FLIGHT = 256;
/** How long a Get, Call, Set or Reset waits for its answer before the Gateway answers `[]` (Pixotope's clients give up at 5 s). */
export const REPLY_TIMEOUT_MS = 3000;
/** Messages collected for one request (its answer and the Logs addressed to it); more are not kept. */
export const MAX_REPLIES = 64;
/** The http server's limits: the whole request, and its headers, must arrive within these. */
export const REQUEST_TIMEOUT_MS = 15_000;
export const HEADERS_TIMEOUT_MS = 10_000;
/** How often node checks those limits (its default, 30 s, lets a request that broke them live up to 30 s longer). */
export const TIMEOUT_CHECK_MS = 1000;

export interface GatewayOptions {
  /** The hub the Gateway joins as a peer (`ws://…`, `wss://…`, `zmq://…`). */
  hubUrl: string;
  /** The hub's token: the Gateway's peer joins with it, and HTTP clients must send it when the Gateway listens beyond loopback. */
  token?: string;
  /** Where the Gateway listens; default 127.0.0.1 (the services command passes the hub's --host). */
  host?: string;
  /** Default 16208; 0 picks a free one. */
  port?: number;
  /** Browser origins (`http://host:port`) whose pages may call the Gateway; any other Origin gets 403. */
  allowOrigins?: readonly string[];
  /** This machine's name: `~LOCAL~` in a Target means it, and it names the Gateway's peer. Default os.hostname(). */
  machine?: string;
  logger: Logger;
  /** Test hooks: shorter waits, smaller limits. */
  replyTimeoutMs?: number;
  maxBodyBytes?: number;
  maxInFlight?: number;
  requestTimeoutMs?: number;
}
