/**
 * The Pixotope Gateway's command-line options (services/gateway), in one table for every command that takes them: the
 * services command (services/commands.ts) and the panel's hosts (`npm run serve`, `npm start`), which pass them on to
 * the embedded services. Here, not in services/gateway, because main/ may import services/lib only.
 */
import type { OptionTable } from './command-line.ts';

/** Pixotope's Gateway port (docs/PROTOCOL.md §3.3). */
export const DEFAULT_GATEWAY_PORT = 16208;

/** The Gateway's options on the command line (the services command; the panel hosts pass them on to it). */
export const GATEWAY_ARGS = {
  gateway: { type: 'boolean', default: false, help: "also run a Pixotope-compatible HTTP Gateway (POST/GET /gateway/<version>/publish) on the hub's address (loopback by default)" },
  'gateway-port': { type: 'string', value: '<port>', defaultText: String(DEFAULT_GATEWAY_PORT), help: "the Gateway's port (Pixotope's; 0 picks a free one)" },
  'gateway-allow-origin': { type: 'string', multiple: true, value: '<http://host:port>', help: "a web page's origin allowed to call the Gateway (any other gets 403)" },
  'gateway-machine': {
    type: 'string',
    value: '<name>',
    defaultText: "the first client's machine (--clients; STAGE-A in the panel's demo), else this computer's host name",
    help: 'the machine ~LOCAL~ stands for in a Target (~LOCAL~-AssetHubClient)',
  },
} as const satisfies OptionTable;

/** What the options ask for; `machine` absent: the command's default (services/cli.ts: the first client's machine). */
export interface GatewayChoice {
  port: number;
  allowOrigins: string[];
  machine?: string;
}

type GatewayArgs = Partial<Record<keyof typeof GATEWAY_ARGS, string | boolean | string[] | undefined>>;

export type GatewayArgsResult =
  | { ok: true; value: GatewayChoice | null }
  | { ok: false; message: string };

const ORIGIN = /^https?:\/\/[^/\s]+$/;
const MACHINE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Checks the Gateway's options. Null when `--gateway` is absent (its other options without it are an error). */
export function gatewayArgsFrom(args: GatewayArgs): GatewayArgsResult {
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
  if (machine !== undefined && (!MACHINE.test(machine) || machine.length > 200)) return { ok: false, message: `--gateway-machine: "${machine}" is not a machine name (letters, digits, '.', '-' and '_')` };
  return { ok: true, value: { port: portNumber, allowOrigins: origins, ...(machine === undefined ? {} : { machine }) } };
}
