/**
 * The browser host's command line (`npm run serve`): one table for main/web/main.ts, which parses it, and
 * scripts/serve.mjs, which answers `--help` and refuses unknown options before it builds anything.
 */
import { defineCommand } from '../../services/lib/command-line.ts';
import { GATEWAY_ARGS } from '../../services/lib/gateway-options.ts';
import { defaultUserDataDir } from '../embedded/data-folder.ts';

export const WEB_HOST_COMMAND = defineCommand({
  name: 'serve',
  usage: 'npm run serve -- [options]',
  summary:
    'Serves the panel to a browser on 127.0.0.1 and prints its URL with the session token. Without --hub it joins the ' +
    'remembered hub, else offers a Data Hub answering on this machine, else runs the embedded demo services.',
  options: {
    port: { type: 'string', default: '0', value: '<port>', help: "the panel's web server port on 127.0.0.1 (0 picks a free one)" },
    hub: { type: 'string', value: 'ws://host:port|zmq://host', help: 'join this hub, this run only (not with --data)' },
    token: { type: 'string', value: '<hub token>', defaultText: 'ASSETHUB_TOKEN, else none', help: "the hub's token" },
    data: { type: 'string', value: '<dir>', defaultText: '<user data>/services, kept between runs', help: "the embedded services' data folder (not with --hub or --ephemeral)" },
    ephemeral: { type: 'boolean', default: false, help: "the embedded services' data in a temporary folder, removed at the end" },
    fabric: { type: 'string', default: 'ws', value: 'ws|zmq', help: "the embedded services' hub: WebSocket (ws) or ZeroMQ (zmq)" },
    'user-data': { type: 'string', value: '<dir>', defaultText: defaultUserDataDir(), help: 'where the browser host remembers the hub (browser-host.json) and keeps the services\' data (services/)' },
    'local-hub': { type: 'string', default: 'zmq://127.0.0.1', value: 'zmq://host|none', help: 'where to look for a Data Hub on this machine at start' },
    'hub-ca': { type: 'string', value: '<pem file>', defaultText: 'ASSETHUB_HUB_CA, else none', help: "trust this certificate for a wss:// hub (a studio's own)" },
    root: { type: 'string', value: '<dir>', defaultText: 'app/dist/renderer', help: 'serve the renderer from this folder' },
    verbose: { type: 'boolean', default: false, help: "print the embedded services' log lines too" },
    // The embedded services' Pixotope Gateway (services/gateway), passed on to them.
    ...GATEWAY_ARGS,
  },
});
