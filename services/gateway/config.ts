/**
 * The Gateway's options, defaults and limits, and its command-line options (GATEWAY_ARGS, spread into the services
 * command's table: services/commands.ts). docs/PROTOCOL-EXTENSIONS.md "The Pixotope Gateway" says why each is so.
 */
import os from 'node:os';
import type { OptionTable } from '../lib/command-line.ts';
import type { Logger } from '../lib/log.ts';

/** Pixotope's Gateway port (docs/PROTOCOL.md §3.3). */
export const DEFAULT_GATEWAY_PORT = 16208;
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
}

/** The Gateway's options on the command line (the services command; the panel hosts pass them on to it). */
export const GATEWAY_ARGS = {
  gateway: { type: 'boolean', default: false, help: 'also run a Pixotope-compatible HTTP Gateway (POST/GET /gateway/<version>/publish) on --host' },
  'gateway-port': { type: 'string', value: '<port>', defaultText: String(DEFAULT_GATEWAY_PORT), help: "the Gateway's port (Pixotope's; 0 picks a free one)" },
  'gateway-allow-origin': { type: 'string', multiple: true, value: '<http://host:port>', help: "a web page's origin allowed to call the Gateway (any other gets 403)" },
  'gateway-machine': {
    type: 'string',
    value: '<name>',
    defaultText: "the first of --clients, else this computer's host name",
    help: 'the machine ~LOCAL~ stands for in a Target (~LOCAL~-AssetHubClient)',
  },
} as const satisfies OptionTable;

type GatewayArgs = Partial<Record<keyof typeof GATEWAY_ARGS, string | boolean | string[] | undefined>>;

export type GatewayArgsResult =
  | { ok: true; value: { port: number; allowOrigins: string[]; machine: string } | null }
  | { ok: false; message: string };

const ORIGIN = /^https?:\/\/[^/\s]+$/;
const MACHINE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Checks the Gateway's options. Null when `--gateway` is absent (and none of its options is given: they without it are
 * an error). `defaultMachine` is the first client's machine when the command runs clients.
 */
export function gatewayArgsFrom(args: GatewayArgs, defaultMachine: string | undefined): GatewayArgsResult {
  const text = (v: string | boolean | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
  const origins = Array.isArray(args['gateway-allow-origin']) ? args['gateway-allow-origin'] : [];
  const port = text(args['gateway-port']);
  const machine = text(args['gateway-machine']);
  if (args.gateway !== true) {
    if (port !== undefined || machine !== undefined || origins.length > 0) return { ok: false, message: '--gateway-port, --gateway-allow-origin and --gateway-machine need --gateway' };
    return { ok: true, value: null };
  }
  for (const o of origins) if (!ORIGIN.test(o)) return { ok: false, message: `--gateway-allow-origin takes an origin such as http://studio-tools:8080 (scheme, host, port; no path), got "${o}"` };
  const portNumber = port === undefined ? DEFAULT_GATEWAY_PORT : Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) return { ok: false, message: `--gateway-port must be a TCP port number (0-65535), got "${port}"` };
  const name = machine ?? defaultMachine ?? os.hostname();
  if (!MACHINE.test(name) || name.length > 200) return { ok: false, message: `--gateway-machine: "${name}" is not a machine name (letters, digits, '.', '-' and '_')` };
  return { ok: true, value: { port: portNumber, allowOrigins: origins, machine: name } };
}
