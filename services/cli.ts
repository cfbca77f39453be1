/**
 * `npm run services -- --data <dir> [options]` (`--help` lists them: SERVICES_COMMAND): the Data Hub (this
 * project's WebSocket hub, or with `--fabric zmq` a ZeroMQ Data Hub on Pixotope's ports), the AssetHubServer and any
 * clients in one process, every service joining the hub through its fabric, logging JSON lines to stdout, stopping
 * cleanly on SIGINT/SIGTERM. `--demo` (implies two clients if none are named) builds the
 * demo show by running the real operations, and starts the demo webhook receiver (services/receiver) with the
 * managed integration "Demo DAM" pointing at it. The server's data plane listens on `--host` too; `--advertise` names
 * the host clients are sent to (docs/PROTOCOL-EXTENSIONS.md, "The data plane"). `--compat pixotope-docs` makes every
 * service answer only what Pixotope documents, except to the services this command started (docs/PROTOCOL-EXTENSIONS.md,
 * "Documented-only mode"); building the demo needs the extensions, so it is refused with `--demo`: run `--demo` on the
 * data folder once, then `--compat pixotope-docs` on it. `--gateway` adds a Pixotope-compatible HTTP Gateway on `--host` (services/gateway; docs/PROTOCOL-EXTENSIONS.md, "The Pixotope Gateway").
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from './lib/log.ts';
import { minutesOption, onShutdown, portOption } from './lib/args.ts';
import { parseCommandLine } from './lib/command-line.ts';
import { COMPAT_MODES, type CompatMode, type OfferOptions } from './lib/offer.ts';
import { DEFAULT_STORAGE_PORT, DEMO_CLIENTS, SERVICES_COMMAND } from './commands.ts';
import { startClient, type RunningClient } from './client/client.ts';
import { dataHubOptionsFrom, startDataHub } from './datahub/index.ts';
import { gatewayArgsFrom, startGateway, type Gateway } from './gateway/index.ts';
import { DEMO_RECEIVER_RULE, buildDemo } from './demo.ts';
import { startReceiver, type RunningReceiver } from './receiver/receiver.ts';
import { startServer } from './server/server.ts';
import { CLIENT_SERVICE, SERVER_NAME, formatServiceName } from '../shared/protocol/index.ts';
import { startFailed } from './lib/startup.ts';

const args = parseCommandLine(SERVICES_COMMAND);
if (!args.data) {
  console.error('--data <dir> is required: where the services keep their databases and files');
  process.exit(2);
}
if (args.demo && args.compat) {
  console.error('--demo builds the show with Calls Pixotope does not document, so it cannot run with --compat: run --demo on the data folder first, then --compat on it');
  process.exit(2);
}
const hubOptions = dataHubOptionsFrom(args, createLogger('DataHub'));
const dataDir = path.resolve(String(args.data));
const token = hubOptions.token;
const logger = createLogger('services');
const machines = String(args.clients ?? (args.demo ? DEMO_CLIENTS : '')).split(',').map((m) => m.trim()).filter(Boolean);
for (const m of machines) {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(m)) {
    console.error(`--clients: "${m}" is not a machine name (letters, digits, - and _)`);
    process.exit(2);
  }
}
// With --compat, the services answer each other in full (a real installation's client and server speak their own
// Calls too), and anyone else (a panel) only as documented: the allow-list is this run's own services, by name.
const offer: OfferOptions = args.compat === undefined ? {} : {
  offer: COMPAT_MODES[args.compat as CompatMode],
  internalPeers: [SERVER_NAME, ...machines.map((m) => formatServiceName(m, CLIENT_SERVICE))],
};

// The Gateway's ~LOCAL~ is the machine of the first client this command runs (else this computer's name).
const gatewayArgs = gatewayArgsFrom(args);
if (!gatewayArgs.ok) {
  console.error(gatewayArgs.message);
  process.exit(2);
}

const hub = await startDataHub(hubOptions).catch(startFailed);
const server = await startServer({
  dataDir: path.join(dataDir, 'server'),
  hubUrl: hub.url,
  token,
  storagePort: portOption(args['storage-port'], 'storage-port', DEFAULT_STORAGE_PORT),
  storageHost: hubOptions.host,
  advertiseHost: args.advertise,
  chunkGraceMs: minutesOption(args['chunk-grace'], 'chunk-grace'),
  logger: createLogger('AssetHubServer'),
  ...offer,
}).catch(startFailed);
const clients: RunningClient[] = [];
for (const machine of machines) {
  const home = path.join(dataDir, 'clients', machine);
  clients.push(await startClient({
    machine, dataDir: home, storageDir: path.join(home, 'Synced Storage'), hubUrl: hub.url, token, logger: createLogger(`${machine}-AssetHubClient`),
    // Folders besides its synced storage where each client may create workspaces.
    allowedRoots: (args['allow-root'] ?? []).map((root) => path.resolve(root)),
    ...offer,
  }).catch(startFailed));
}
let receiver: RunningReceiver | null = null;
if (args.demo) {
  // The demo receiver keeps what it received and its secret in the data folder, so a restart continues the show.
  const home = path.join(dataDir, 'receiver');
  await mkdir(home, { recursive: true });
  const secretFile = path.join(home, 'secret');
  const secret = await readFile(secretFile, 'utf8').catch(async () => {
    const fresh = randomBytes(32).toString('hex');
    await writeFile(secretFile, fresh, { mode: 0o600 });
    return fresh;
  });
  receiver = await startReceiver({ port: 0, secret: secret.trim(), dataFile: path.join(home, 'received.sqlite'), rule: DEMO_RECEIVER_RULE, logger: createLogger('DemoReceiver') }).catch(startFailed);
  await buildDemo({ hubUrl: hub.url, token, logger, clients, receiver: { url: receiver.url, secret: secret.trim() } });
}
let gateway: Gateway | null = null;
if (gatewayArgs.value) {
  const { port, allowOrigins, machine } = gatewayArgs.value;
  gateway = await startGateway({ hubUrl: hub.url, token, host: hubOptions.host, port, allowOrigins, machine: machine ?? machines[0] ?? os.hostname(), logger: createLogger('Gateway') }).catch(startFailed);
}
logger.info({ hub: hub.url, storage: server.storageUrl, clients: clients.map((c) => c.name), data: dataDir, receiver: receiver?.url ?? null, gateway: gateway?.url ?? null, compat: args.compat ?? null }, 'services ready');
if (gateway) console.log(`Pixotope Gateway on ${gateway.publishUrl} (any version; ~LOCAL~ is ${gateway.machine})`);
if (receiver) console.log(`Demo webhook receiver on ${receiver.url} (admin: GET/PUT ${receiver.baseUrl}/admin/rule, GET ${receiver.baseUrl}/admin/received)`);
// Supervisors (the panel's hosts, tests) wait for this line.
console.log(`Asset Hub services ready on ${hub.url}`);

onShutdown(async () => {
  await gateway?.close();
  for (const c of clients) await c.close();
  await server.close();
  await receiver?.close();
  await hub.close();
}, logger);
