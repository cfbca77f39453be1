/**
 * A Data Hub as its own process: `node … services/datahub/main.ts [--fabric ws|zmq] [--host 127.0.0.1] [--port 16209]
 * [--sub-port 16201] [--pub-port 16202] [--token …]`. Prints `Data Hub ready on <address>` once it listens.
 */
import { createLogger } from '../lib/log.ts';
import { onShutdown, parseServiceArgs } from '../lib/args.ts';
import { DATA_HUB_ARGS, dataHubOptionsFrom, startDataHub } from './index.ts';

const args = parseServiceArgs(DATA_HUB_ARGS);
const logger = createLogger('DataHub');
const hub = await startDataHub(dataHubOptionsFrom(args, logger));
console.log(`Data Hub ready on ${hub.url}`);
onShutdown(() => hub.close(), logger);
