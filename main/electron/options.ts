/**
 * The Electron host's command line: one table for main.ts, which reads Electron's argv with it, and for
 * scripts/start.mjs, which answers `--help` and refuses a wrong option before it builds or opens anything. No electron
 * import here, so that plain Node (start.mjs, the tests) can load it.
 */
import { defineCommand, readCommandLine } from '../../services/lib/command-line.ts';
import { GATEWAY_ARGS, gatewayArgsFrom, type GatewayChoice } from '../../services/lib/gateway-options.ts';

export const ELECTRON_HOST_COMMAND = defineCommand({
  name: 'asset-hub-panel',
  usage: 'asset-hub-panel [options]',
  summary:
    'The desktop panel. Without --hub it joins the remembered hub, else offers a Data Hub answering on this machine, ' +
    'else runs the embedded demo services. Its logs are in <user data>/logs.',
  options: {
    hub: { type: 'string', value: 'ws://host:port|zmq://host', help: 'join this hub, this run only' },
    token: { type: 'string', value: '<hub token>', defaultText: 'ASSETHUB_TOKEN, else the remembered one', help: "the hub's token" },
    data: {
      type: 'string',
      value: '<dir>',
      defaultText: "the platform's folder for Asset Hub Panel (~/.config/Asset Hub Panel on Linux)",
      help: "the user-data folder: settings, logs and the embedded services' data",
    },
    ephemeral: { type: 'boolean', default: false, help: "the embedded services' data in a temporary folder, removed on quit (kept in <user data>/services otherwise)" },
    fabric: { type: 'string', default: 'ws', value: 'ws|zmq', help: "the embedded services' hub: WebSocket (ws) or ZeroMQ (zmq)" },
    verbose: { type: 'boolean', default: false, help: "also print the engine's and the embedded services' log lines on this terminal" },
    // The embedded services' Pixotope Gateway (services/gateway), passed on to them.
    ...GATEWAY_ARGS,
  },
});

/** `npm start`: the same options; what follows `--` goes to Electron and Chromium unchecked. */
export const START_COMMAND = defineCommand({
  ...ELECTRON_HOST_COMMAND,
  name: 'start',
  usage: 'npm start -- [options] [-- <Electron or Chromium switches>]',
  summary:
    `${ELECTRON_HOST_COMMAND.summary} Where no Electron binary is installed, it runs Electron's own installer first ` +
    '(its mirror, cache and proxy settings); where that fails, it says why and runs the browser panel (npm run serve).',
  options: {
    ...ELECTRON_HOST_COMMAND.options,
    // Read by scripts/electron-install.mjs (takeTimeoutOption), with its environment variable; here for --help.
    'electron-timeout': {
      type: 'string',
      value: '<seconds>',
      defaultText: 'ASSETHUB_ELECTRON_TIMEOUT, else 300',
      help: 'how long installing a missing Electron may take; 0 never tries',
    },
  },
});

export interface CliOptions {
  hub?: string;
  token?: string;
  data?: string;
  fabric: 'ws' | 'zmq';
  verbose: boolean;
  ephemeral: boolean;
  /** The embedded services' Pixotope Gateway (`--gateway`), when asked for. */
  gateway?: GatewayChoice;
}

export type HostCommandLine =
  | { kind: 'run'; options: CliOptions; ignored: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

/**
 * Reads our options out of Electron's argv: argv[0] is the executable, the app path (in development) a positional.
 * Options we do not know are left to Electron, Chromium and Node (--no-sandbox, --inspect…) and listed in `ignored`:
 * start.mjs refuses them on the command line, before Electron sees them.
 */
export function parseCliOptions(argv: readonly string[]): HostCommandLine {
  const line = readCommandLine(ELECTRON_HOST_COMMAND, argv.slice(1), { ignoreUnknown: true, allowPositionals: true });
  if (line.kind !== 'run') return line;
  const { hub, token, data, fabric, verbose, ephemeral } = line.values;
  if (fabric !== 'ws' && fabric !== 'zmq') return { kind: 'error', message: `${ELECTRON_HOST_COMMAND.name}: --fabric must be ws or zmq, got "${fabric}"` };
  const gateway = gatewayArgsFrom(line.values);
  if (!gateway.ok) return { kind: 'error', message: `${ELECTRON_HOST_COMMAND.name}: ${gateway.message}` };
  const text = (value: string | undefined) => (value === '' ? undefined : value);
  const options: CliOptions = { hub: text(hub), token: text(token), data: text(data), fabric, verbose, ephemeral, ...(gateway.value ? { gateway: gateway.value } : {}) };
  return { kind: 'run', options, ignored: line.ignored };
}
