/** AssetHubServer as its own process: `node … services/server/main.ts --data <dir> [options]` (`--help`: SERVER_COMMAND). */
import { createLogger } from '../lib/log.ts';
import { minutesOption, onShutdown, portOption } from '../lib/args.ts';
import { parseCommandLine } from '../lib/command-line.ts';
import { SERVER_COMMAND } from './command.ts';
import { startServer } from './server.ts';
import { startFailed } from '../lib/startup.ts';

const args = parseCommandLine(SERVER_COMMAND);
if (!args.data) {
  console.error('--data <dir> is required: where the server keeps its database and chunks');
  process.exit(2);
}
const logger = createLogger('AssetHubServer');
const server = await startServer({
  dataDir: String(args.data),
  hubUrl: String(args.hub),
  token: args.token === undefined ? process.env.ASSETHUB_TOKEN : String(args.token),
  storagePort: portOption(args['storage-port'], 'storage-port', 0),
  storageHost: args['storage-host'],
  advertiseHost: args.advertise,
  chunkGraceMs: minutesOption(args['chunk-grace'], 'chunk-grace'),
  logger,
}).catch(startFailed);
// Tests and supervisors read this line to find the data plane.
console.log(`AssetHubServer storage ${server.storageUrl}`);
onShutdown(() => server.close(), logger);
