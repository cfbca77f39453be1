/**
 * `npm run serve -- [options]`, the options in ./options.ts (`--help` lists them) (scripts/serve.mjs rebuilds
 * app/dist when a source changed, then runs the bundle app/dist/main/web.mjs).
 *
 * Serves the panel on 127.0.0.1 and prints `Asset Hub Panel: http://127.0.0.1:<port>/#token=<token>` as soon as the
 * page can be served on a hub given by address (connected or not: the page shows the connection state), once the panel
 * is connected to the embedded services, or when it offers a local Data Hub. Without --hub it uses the remembered hub (<user data>/browser-host.json),
 * else offers a Data Hub that answers on this machine's Pixotope ports, else runs the embedded services with the demo
 * show on --fabric and restarts them if they die. Their data stays in <user data>/services (or --data) between runs;
 * --ephemeral gives them a temporary folder instead, removed when the host stops.
 * SIGINT/SIGTERM close the engine, the services and the server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { trustHubCertificates } from '../../peer/index.ts';
import { fileURLToPath } from 'node:url';
import { parseHubAddress } from '../../shared/protocol/index.ts';
import { startBrowserHost, type BrowserHost } from './host.ts';
import { parseCommandLine } from '../../services/lib/command-line.ts';
import { WEB_HOST_COMMAND } from './options.ts';
import { gatewayArgsFrom } from '../../services/lib/gateway-options.ts';
import { defaultUserDataDir } from '../embedded/data-folder.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const values = parseCommandLine(WEB_HOST_COMMAND);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a TCP port number, got "${values.port}"`);
const hubAddress = values.hub === undefined ? null : parseHubAddress(values.hub);
if (hubAddress && !hubAddress.ok) fail(`--hub: ${hubAddress.error}`);
if (values.fabric !== 'ws' && values.fabric !== 'zmq') fail(`--fabric must be ws or zmq (the embedded services' hub), got "${values.fabric}"`);
const localHub = values['local-hub'] === 'none' ? null : parseHubAddress(values['local-hub']);
if (localHub && (!localHub.ok || localHub.value.fabric !== 'zmq')) fail(`--local-hub must be a zmq:// address or "none", got "${values['local-hub']}"`);
if (values.hub !== undefined && values.data !== undefined) fail('--data is for the embedded services: it cannot be used with --hub');
if (values.ephemeral && values.data !== undefined) fail('--ephemeral makes a temporary data folder: it cannot be used with --data');
const gateway = gatewayArgsFrom(values);
if (!gateway.ok) fail(gateway.message);
if (gateway.value && values.hub !== undefined) fail('--gateway runs with the embedded services: it cannot be used with --hub');
// A wss:// hub with a certificate of its own (self-signed on a studio network): trust it in this process.
const caFile = values['hub-ca'] ?? process.env.ASSETHUB_HUB_CA;
if (caFile) {
  try {
    trustHubCertificates([readFileSync(caFile, 'utf8')]);
  } catch (error) {
    fail(`--hub-ca: cannot read ${caFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(values.root ?? path.join(here, '../renderer'));

let host: BrowserHost | null = null;
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the panel host`);
  const done = (code: number) => process.exit(code);
  setTimeout(() => done(1), 10_000).unref();
  (host ? host.close() : Promise.resolve()).then(
    () => done(0),
    () => done(1),
  );
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));

try {
  host = await startBrowserHost({
    port,
    root,
    hubUrl: hubAddress?.ok ? hubAddress.value.url : undefined,
    hubToken: values.token ?? process.env.ASSETHUB_TOKEN,
    dataDir: values.data,
    ephemeral: values.ephemeral,
    fabric: values.fabric as 'ws' | 'zmq',
    ...(gateway.value ? { gateway: gateway.value } : {}),
    userDataDir: path.resolve(values['user-data'] ?? defaultUserDataDir()),
    localHub: localHub?.ok ? localHub.value.url : null,
    say: (line) => console.log(line),
    warn: (line) => console.error(line),
    onServicesLine: values.verbose ? (line) => console.log(line) : undefined,
  });
} catch (error) {
  console.error(`The panel host could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
if (stopping) await new Promise(() => {});
if (host.connectProblem) console.error(`Warning: ${host.connectProblem}. The panel shows the connection state.`);
if (host.offer) console.log(`A Data Hub answers on this machine (${host.offer}): the panel offers to join it, or to start the demo instead.`);
console.log(`Asset Hub Panel: ${host.url}`);
console.log('Open that URL in a browser on this machine (the token after # is this session\'s key). Ctrl+C stops.');
