/**
 * AssetHubClient as its own process:
 * `node … services/client/main.ts --machine STAGE-A --data <dir> [--storage <dir>] --hub <ws url> [--token …]
 *  [--allow-root <dir>]…`; each `--allow-root` is a folder besides the synced storage where workspaces may be created.
 */
import path from 'node:path';
import { createLogger } from '../lib/log.ts';
import { onShutdown, parseServiceArgs } from '../lib/args.ts';
import { startClient } from './client.ts';

const args = parseServiceArgs({
  machine: { type: 'string' },
  data: { type: 'string' },
  storage: { type: 'string' },
  hub: { type: 'string', default: 'ws://127.0.0.1:16209' },
  token: { type: 'string' },
  'allow-root': { type: 'string', multiple: true },
});
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
});
console.log(`${client.name} ready`);
onShutdown(() => client.close(), logger);
