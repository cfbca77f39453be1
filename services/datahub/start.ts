/** One way to start either fabric's Data Hub, for the services command, the hub's own process and the tests. */
import { readFileSync } from 'node:fs';
import { trustHubCertificates } from '../../peer/index.ts';
import { portOption } from '../lib/args.ts';
import { defineCommand, type OptionTable } from '../lib/command-line.ts';
import type { Logger } from '../lib/log.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './config.ts';
import { startHub, type Hub } from './hub.ts';
import { startZmqHub, type ZmqHub } from './zmq-hub.ts';

export type FabricName = 'ws' | 'zmq';

/** Pixotope's Data Hub ports: a ZeroMQ hub binds them unless told otherwise. */
export const ZMQ_SUB_PORT = 16201;
export const ZMQ_PUB_PORT = 16202;

export interface DataHubOptions {
  fabric: FabricName;
  host?: string;
  /** WebSocket hub port (ws); 0 picks a free one. */
  port?: number;
  /** ZeroMQ ports (zmq): where peers' SUB and PUB sockets connect; 0 picks a free one. */
  subPort?: number;
  pubPort?: number;
  /** The WebSocket hub's certificate and key (PEM): it serves wss://. */
  tls?: { cert: string; key: string };
  /** Browser origins allowed to connect to the WebSocket hub (any other Origin is refused). */
  allowOrigins?: readonly string[];
  /**
   * Bearer token of the WebSocket hub. ZeroMQ has no authentication (docs/PROTOCOL.md §3.2): zmq stays on loopback
   * without one.
   */
  token?: string;
  logger?: Logger;
}

export type DataHub = (Hub & { fabric: 'ws' }) | (ZmqHub & { fabric: 'zmq' });

export async function startDataHub(options: DataHubOptions): Promise<DataHub> {
  if (options.fabric === 'ws') {
    const hub = await startHub({ host: options.host, port: options.port, token: options.token, allowOrigins: options.allowOrigins, tls: options.tls, logger: options.logger });
    return Object.assign(hub, { fabric: 'ws' as const });
  }
  const hub = await startZmqHub({ host: options.host, subPort: options.subPort, pubPort: options.pubPort, logger: options.logger });
  return Object.assign(hub, { fabric: 'zmq' as const });
}

export function parseFabric(value: string | undefined): FabricName | null {
  if (value === undefined) return 'ws';
  return value === 'ws' || value === 'zmq' ? value : null;
}

/** The command-line options that say which Data Hub to start (the services command and the hub's own process). */
export const DATA_HUB_ARGS = {
  fabric: { type: 'string', default: 'ws', value: 'ws|zmq', help: "the hub: this project's WebSocket hub (ws) or a ZeroMQ Data Hub on Pixotope's ports (zmq)" },
  host: { type: 'string', default: DEFAULT_HOST, value: '<host>', help: 'address the hub (and the data plane) listens on' },
  port: { type: 'string', value: '<port>', defaultText: String(DEFAULT_PORT), help: "the WebSocket hub's port (ws; 0 picks a free one)" },
  'sub-port': { type: 'string', value: '<port>', defaultText: String(ZMQ_SUB_PORT), help: "where peers' SUB sockets connect (zmq)" },
  'pub-port': { type: 'string', value: '<port>', defaultText: String(ZMQ_PUB_PORT), help: "where peers' PUB sockets connect (zmq)" },
  token: { type: 'string', value: '<token>', defaultText: 'ASSETHUB_TOKEN, else none', help: "the WebSocket hub's bearer token; required when it listens beyond loopback" },
  'allow-origin': { type: 'string', multiple: true, value: '<http://host:port>', help: "a web page's origin allowed to connect to the WebSocket hub (any other gets 403)" },
  'tls-cert': { type: 'string', value: '<pem file>', help: "the WebSocket hub's certificate: it serves wss:// (with --tls-key)" },
  'tls-key': { type: 'string', value: '<pem file>', help: "the key of --tls-cert's certificate" },
} as const satisfies OptionTable;

/** A Data Hub as its own process (services/datahub/main.ts). */
export const DATA_HUB_COMMAND = defineCommand({
  name: 'datahub',
  usage: 'npx tsx services/datahub/main.ts [options]',
  summary: 'Runs a reference Data Hub alone; prints `Data Hub ready on <address>` once it listens.',
  options: DATA_HUB_ARGS,
});

type HubArgs = Partial<Record<keyof typeof DATA_HUB_ARGS, string | boolean | string[] | undefined>>;

function usage(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Checks those options (a wrong one ends the process with a one-line error, exit 2) and makes the hub's options. */
export function dataHubOptionsFrom(args: HubArgs, logger: Logger): DataHubOptions {
  const text = (v: string | boolean | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
  const origins = Array.isArray(args['allow-origin']) ? args['allow-origin'] : [];
  for (const o of origins) if (!/^https?:\/\/[^/\s]+$/.test(o)) usage(`--allow-origin takes an origin such as http://studio-tools:8080 (scheme, host, port; no path), got "${o}"`);
  const fabric = parseFabric(text(args.fabric));
  if (fabric === null) usage(`--fabric must be ws (this project's WebSocket hub) or zmq (a ZeroMQ Data Hub), got "${String(args.fabric)}"`);
  if (fabric === 'zmq' && args.port !== undefined) usage("--port is the WebSocket hub's; a ZeroMQ hub takes --sub-port and --pub-port");
  if (fabric === 'ws' && (args['sub-port'] !== undefined || args['pub-port'] !== undefined)) usage("--sub-port and --pub-port are a ZeroMQ hub's: add --fabric zmq");
  const token = text(args.token) ?? process.env.ASSETHUB_TOKEN;
  const certFile = text(args['tls-cert']);
  const keyFile = text(args['tls-key']);
  if ((certFile === undefined) !== (keyFile === undefined)) usage('--tls-cert and --tls-key go together (PEM files of the hub\'s certificate and its key)');
  if (certFile !== undefined && fabric !== 'ws') usage('--tls-cert and --tls-key are the WebSocket hub\'s (wss://); ZeroMQ has no TLS here');
  let tls: { cert: string; key: string } | undefined;
  if (certFile !== undefined && keyFile !== undefined) {
    try {
      tls = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    } catch (error) {
      usage(`cannot read the TLS files: ${error instanceof Error ? error.message : String(error)}`);
    }
    // The services of this process join their own hub: they trust its certificate, by whatever address they reach it
    // (a hub on 0.0.0.0 is dialled at an address its certificate need not name).
    trustHubCertificates([tls.cert], { anyHost: true });
  }
  return {
    fabric,
    host: text(args.host) ?? DEFAULT_HOST,
    port: portOption(text(args.port), 'port', DEFAULT_PORT),
    subPort: portOption(text(args['sub-port']), 'sub-port', ZMQ_SUB_PORT),
    pubPort: portOption(text(args['pub-port']), 'pub-port', ZMQ_PUB_PORT),
    ...(token ? { token } : {}),
    ...(origins.length > 0 ? { allowOrigins: origins } : {}),
    ...(tls ? { tls } : {}),
    logger,
  };
}
