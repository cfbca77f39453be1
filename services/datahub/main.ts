/**
 * A Data Hub as its own process: `node … services/datahub/main.ts [--fabric ws|zmq] [--host 127.0.0.1] [--port 16209]
 * [--sub-port 16201] [--pub-port 16202] [--token …]`. Prints `Data Hub ready on <address>` once it listens.
 */
import { createLogger } from '../lib/log.ts';
import { onShutdown, parseServiceArgs, portOption } from '../lib/args.ts';
import { parseFabric, startDataHub } from './index.ts';

const args = parseServiceArgs({
  fabric: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string' },
  'sub-port': { type: 'string' },
  'pub-port': { type: 'string' },
  token: { type: 'string' },
});
const fabric = parseFabric(args.fabric as string | undefined);
if (fabric === null) {
  console.error(`--fabric must be ws or zmq, got "${String(args.fabric)}"`);
  process.exit(2);
}
const logger = createLogger('DataHub');
const hub = await startDataHub({
  fabric,
  host: String(args.host),
  port: portOption(args.port as string | undefined, 'port', 16209),
  subPort: portOption(args['sub-port'] as string | undefined, 'sub-port', 16201),
  pubPort: portOption(args['pub-port'] as string | undefined, 'pub-port', 16202),
  token: args.token === undefined ? process.env.ASSETHUB_TOKEN : String(args.token),
  logger,
});
console.log(`Data Hub ready on ${hub.url}`);
onShutdown(() => hub.close(), logger);
