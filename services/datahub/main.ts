/** A Data Hub as its own process; `--help` lists its options (DATA_HUB_COMMAND). */
import { createLogger } from '../lib/log.ts';
import { onShutdown } from '../lib/args.ts';
import { parseCommandLine } from '../lib/command-line.ts';
import { DATA_HUB_COMMAND, dataHubOptionsFrom, startDataHub } from './index.ts';
import { startFailed } from '../lib/startup.ts';

const args = parseCommandLine(DATA_HUB_COMMAND);
const logger = createLogger('DataHub');
const hub = await startDataHub(dataHubOptionsFrom(args, logger)).catch(startFailed);
console.log(`Data Hub ready on ${hub.url}`);
onShutdown(() => hub.close(), logger);
