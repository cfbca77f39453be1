/**
 * The services command's option table, apart from its entry point (cli.ts) so that tests can read it without starting
 * anything. It composes the services' own: the Data Hub's (DATA_HUB_ARGS, datahub/start.ts) and the data plane's
 * (DATA_PLANE_ARGS, server/command.ts) and the
 * Pixotope Gateway's (GATEWAY_ARGS, gateway/config.ts). Each service's own process keeps its table beside it (server/command.ts,
 * client/command.ts, receiver/command.ts, datahub/start.ts), re-exported here so the tests find them all in one place.
 */
import { DATA_HUB_ARGS } from './datahub/index.ts';
import { GATEWAY_ARGS } from './gateway/index.ts';
import { defineCommand } from './lib/command-line.ts';
import { COMPAT_MODES } from './lib/offer.ts';
import { DATA_PLANE_ARGS } from './server/command.ts';

export { CLIENT_COMMAND } from './client/command.ts';
export { RECEIVER_COMMAND } from './receiver/command.ts';
export { SERVER_COMMAND } from './server/command.ts';

/** The chunk store's port when none is given. */
export const DEFAULT_STORAGE_PORT = 16210;
export const DEMO_CLIENTS = 'STAGE-A,STAGE-B';

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
    ...DATA_PLANE_ARGS,
    clients: { type: 'string', value: '<A,B,…>', defaultText: `none; with --demo ${DEMO_CLIENTS}`, help: 'machine names of the AssetHubClients to start' },
    'allow-root': { type: 'string', multiple: true, value: '<dir>', help: "a folder besides a client's synced storage where workspaces may be made" },
    demo: { type: 'boolean', default: false, help: 'build the demo show and start the demo webhook receiver with the integration "Demo DAM"' },
    compat: {
      type: 'string', choices: Object.keys(COMPAT_MODES),
      help: 'answer the hub only as Pixotope documents (extension Calls get no answer; the services still use them among themselves); not with --demo',
    },
    ...GATEWAY_ARGS,
  },
});
