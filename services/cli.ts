/**
 * `npm run services -- --data <dir> [--host 127.0.0.1] [--port 16209] [--token …] [--storage-port 16210]`:
 * the Data Hub and the AssetHubServer in one process, logging JSON lines to stdout, stopping cleanly on SIGINT/SIGTERM.
 */
import path from 'node:path';
import { createLogger } from './lib/log.ts';
import { onShutdown, parseServiceArgs, portOption } from './lib/args.ts';
import { startHub } from './datahub/index.ts';
import { startServer } from './server/server.ts';

const args = parseServiceArgs({
  data: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string' },
  token: { type: 'string' },
  'storage-port': { type: 'string' },
});
if (!args.data) {
  console.error('--data <dir> is required: where the services keep their databases and files');
  process.exit(2);
}
const dataDir = path.resolve(String(args.data));
const token = args.token === undefined ? process.env.ASSETHUB_TOKEN : String(args.token);
const logger = createLogger('services');

const hub = await startHub({ host: String(args.host), port: portOption(args.port as string | undefined, 'port', 16209), token, logger: createLogger('DataHub') });
const server = await startServer({
  dataDir: path.join(dataDir, 'server'),
  hubUrl: hub.url,
  token,
  storagePort: portOption(args['storage-port'] as string | undefined, 'storage-port', 16210),
  logger: createLogger('AssetHubServer'),
});
logger.info({ hub: hub.url, storage: server.storageUrl, data: dataDir }, 'services ready');

onShutdown(async () => {
  await server.close();
  await hub.close();
}, logger);
