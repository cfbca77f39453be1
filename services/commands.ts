/**
 * The option tables of the services' own processes (the services command, AssetHubServer, AssetHubClient and the demo
 * receiver alone), apart from their entry points so that tests can read them without starting anything. The Data
 * Hub's are DATA_HUB_ARGS (datahub/start.ts), shared with the services command.
 */
import { DATA_HUB_ARGS } from './datahub/index.ts';
import { defineCommand } from './lib/command-line.ts';
import { CHUNK_GRACE_MS } from './server/storage.ts';

/** The chunk store's port when none is given. */
export const DEFAULT_STORAGE_PORT = 16210;
const DEFAULT_HUB = 'ws://127.0.0.1:16209';
export const DEMO_CLIENTS = 'STAGE-A,STAGE-B';

const DATA_PLANE = {
  advertise: { type: 'string', value: '<host>', defaultText: "the bound host, or this machine's name for a wildcard bind", help: 'the host clients are sent to for chunks' },
  'chunk-grace': { type: 'string', value: '<minutes>', defaultText: String(CHUNK_GRACE_MS / 60_000), help: 'how long an unreferenced chunk is kept before it is collected' },
} as const;

export const SERVICES_COMMAND = defineCommand({
  name: 'services',
  usage: 'npm run services -- --data <dir> [options]',
  summary:
    'Runs the Data Hub, the AssetHubServer and any clients in one process, logging JSON lines to stdout; prints ' +
    '`Asset Hub services ready on <hub address>` once they are up. Ctrl+C stops them.',
  options: {
    data: { type: 'string', value: '<dir>', help: 'where the services keep their databases and files (required)' },
    ...DATA_HUB_ARGS,
    'storage-port': { type: 'string', value: '<port>', defaultText: String(DEFAULT_STORAGE_PORT), help: "the chunk store's (data plane's) port, on --host" },
    ...DATA_PLANE,
    clients: { type: 'string', value: '<A,B,…>', defaultText: `none; with --demo ${DEMO_CLIENTS}`, help: 'machine names of the AssetHubClients to start' },
    'allow-root': { type: 'string', multiple: true, value: '<dir>', help: "a folder besides a client's synced storage where workspaces may be made" },
    demo: { type: 'boolean', default: false, help: 'build the demo show and start the demo webhook receiver with the integration "Demo DAM"' },
  },
});

export const SERVER_COMMAND = defineCommand({
  name: 'server',
  usage: 'npx tsx services/server/main.ts --data <dir> [options]',
  summary: 'Runs the AssetHubServer alone; prints `AssetHubServer storage <url>` once its data plane listens.',
  options: {
    data: { type: 'string', value: '<dir>', help: 'where the server keeps its database and chunks (required)' },
    hub: { type: 'string', default: DEFAULT_HUB, value: '<ws url>', help: 'the hub to join' },
    token: { type: 'string', value: '<token>', defaultText: 'ASSETHUB_TOKEN, else none', help: "the hub's token" },
    'storage-port': { type: 'string', value: '<port>', defaultText: '0 (a free port)', help: "the chunk store's (data plane's) port" },
    'storage-host': { type: 'string', value: '<host>', defaultText: '127.0.0.1', help: 'address the data plane listens on' },
    ...DATA_PLANE,
  },
});

export const CLIENT_COMMAND = defineCommand({
  name: 'client',
  usage: 'npx tsx services/client/main.ts --machine <name> --data <dir> [options]',
  summary: 'Runs one AssetHubClient alone; prints `<name> ready` once it has joined the hub.',
  options: {
    machine: { type: 'string', value: '<name>', help: "the client's machine name (required)" },
    data: { type: 'string', value: '<dir>', help: 'where the client keeps its database (required)' },
    storage: { type: 'string', value: '<dir>', defaultText: '<data>/Synced Storage', help: 'its synced storage: where workspaces live' },
    hub: { type: 'string', default: DEFAULT_HUB, value: '<ws url>', help: 'the hub to join' },
    token: { type: 'string', value: '<token>', defaultText: 'ASSETHUB_TOKEN, else none', help: "the hub's token" },
    'allow-root': { type: 'string', multiple: true, value: '<dir>', help: 'a folder besides the synced storage where workspaces may be made' },
  },
});

export const RECEIVER_COMMAND = defineCommand({
  name: 'receiver',
  usage: 'npx tsx services/receiver/main.ts --secret <secret> [options]',
  summary: 'Runs the demo webhook receiver alone; prints `Demo webhook receiver on <url>` once it listens.',
  options: {
    secret: { type: 'string', value: '<secret>', defaultText: 'ASSETHUB_RECEIVER_SECRET', help: "the integration's secret, to check signatures (required)" },
    port: { type: 'string', value: '<port>', defaultText: '0 (a free port)', help: 'the port it listens on' },
    host: { type: 'string', default: '127.0.0.1', value: '<host>', help: 'the address it listens on' },
    data: { type: 'string', value: '<file.sqlite>', defaultText: 'in memory', help: 'keep what it received in this SQLite file' },
    rule: { type: 'string', value: '<json>', defaultText: 'none', help: 'how it fails, e.g. {"mode":"dropItem","failUris":"T_Sky.png"} (modes: status500, timeout, dropItem, malformed)' },
  },
});
