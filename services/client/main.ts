/**
 * AssetHubClient as its own process: `node … services/client/main.ts --machine STAGE-A --data <dir> [options]`
 * (`--help`: CLIENT_COMMAND); each `--allow-root` is a folder besides the synced storage where workspaces may be made.
 */
import path from 'node:path';
import { createLogger } from '../lib/log.ts';
import { onShutdown } from '../lib/args.ts';
import { parseCommandLine } from '../lib/command-line.ts';
import { CLIENT_COMMAND } from './command.ts';
import { startClient } from './client.ts';
import { startFailed } from '../lib/startup.ts';

const args = parseCommandLine(CLIENT_COMMAND);
if (!args.machine || !args.data) {
  console.error('--machine <name> and --data <dir> are required');
  process.exit(2);
}
const data = path.resolve(String(args.data));
const logger = createLogger(`${args.machine}-AssetHubClient`);
const client = await startClient({
  machine: String(args.machine),
  dataDir: data,
  storageDir: path.resolve(args.storage === undefined ? path.join(data, 'Synced Storage') : String(args.storage)),
  hubUrl: String(args.hub),
  token: args.token === undefined ? process.env.ASSETHUB_TOKEN : String(args.token),
  allowedRoots: (args['allow-root'] ?? []).map((root) => path.resolve(root)),
  logger,
}).catch(startFailed);
console.log(`${client.name} ready`);
onShutdown(() => client.close(), logger);
