/** The reference Data Hubs, one per fabric, and what their callers need. */
export { startHub, HUB_NAME, type Hub, type HubOptions, type HubStats } from './hub.ts';
export { startZmqHub, type ZmqHub, type ZmqHubOptions, type ZmqHubStats } from './zmq-hub.ts';
export { DATA_HUB_ARGS, DATA_HUB_COMMAND, dataHubOptionsFrom, startDataHub, parseFabric, type DataHub, type DataHubOptions, type FabricName } from './start.ts';
export { isLoopbackHost } from '../lib/loopback.ts';
export { DEFAULT_HOST, DEFAULT_PORT } from './config.ts';
