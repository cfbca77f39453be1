/** The AssetHubServer's options (`--help`), apart from its entry point so that tests can read them without starting it. */
import { JOIN_HUB_OPTIONS } from '../lib/args.ts';
import { defineCommand } from '../lib/command-line.ts';
import { CHUNK_GRACE_MS } from './storage.ts';

/** The data plane's options, shared with the services command (services/commands.ts). */
export const DATA_PLANE_ARGS = {
  advertise: { type: 'string', value: '<host>', defaultText: "the bound host, or this machine's name for a wildcard bind", help: 'the host clients are sent to for chunks' },
  'chunk-grace': { type: 'string', value: '<minutes>', defaultText: String(CHUNK_GRACE_MS / 60_000), help: 'how long an unreferenced chunk is kept before it is collected' },
} as const;

export const SERVER_COMMAND = defineCommand({
  name: 'server',
  usage: 'npx tsx services/server/main.ts --data <dir> [options]',
  summary: 'Runs the AssetHubServer alone; prints `AssetHubServer storage <url>` once its data plane listens.',
  options: {
    data: { type: 'string', value: '<dir>', help: 'where the server keeps its database and chunks (required)' },
    ...JOIN_HUB_OPTIONS,
    'storage-port': { type: 'string', value: '<port>', defaultText: '0 (a free port)', help: "the chunk store's (data plane's) port" },
    'storage-host': { type: 'string', value: '<host>', defaultText: '127.0.0.1', help: 'address the data plane listens on' },
    ...DATA_PLANE_ARGS,
  },
});
