/**
 * AssetHubServer as its own process: `node … services/server/main.ts --data <dir> --hub <ws url> [--token …]
 * [--storage-port <port>] [--storage-host 127.0.0.1] [--advertise <host>] [--chunk-grace <minutes>]`.
 */
import { createLogger } from '../lib/log.ts';
import { minutesOption, onShutdown, parseServiceArgs, portOption } from '../lib/args.ts';
import { startServer } from './server.ts';

const args = parseServiceArgs({
  data: { type: 'string' },
  hub: { type: 'string', default: 'ws://127.0.0.1:16209' },
  token: { type: 'string' },
  'storage-port': { type: 'string' },
  'storage-host': { type: 'string' },
  advertise: { type: 'string' },
  'chunk-grace': { type: 'string' },
});
if (!args.data) {
  console.error('--data <dir> is required: where the server keeps its database and chunks');
  process.exit(2);
}
const logger = createLogger('AssetHubServer');
const server = await startServer({
  dataDir: String(args.data),
  hubUrl: String(args.hub),
  token: args.token === undefined ? process.env.ASSETHUB_TOKEN : String(args.token),
  storagePort: portOption(args['storage-port'] as string | undefined, 'storage-port', 0),
  storageHost: args['storage-host'] as string | undefined,
  advertiseHost: args.advertise as string | undefined,
  chunkGraceMs: minutesOption(args['chunk-grace'] as string | undefined, 'chunk-grace'),
  logger,
});
// Tests and supervisors read this line to find the data plane.
console.log(`AssetHubServer storage ${server.storageUrl}`);
onShutdown(() => server.close(), logger);
