/** One way to start either fabric's Data Hub, for the services command, the hub's own process and the tests. */
import type { Logger } from '../lib/log.ts';
import { startHub, type Hub } from './hub.ts';
import { startZmqHub, type ZmqHub } from './zmq-hub.ts';

export type FabricName = 'ws' | 'zmq';

export interface DataHubOptions {
  fabric: FabricName;
  host?: string;
  /** WebSocket hub port (ws); 0 picks a free one. */
  port?: number;
  /** ZeroMQ ports (zmq): where peers' SUB and PUB sockets connect; 0 picks a free one. */
  subPort?: number;
  pubPort?: number;
  /** Bearer token of the WebSocket hub. ZeroMQ has no authentication (docs/PROTOCOL.md): zmq stays on loopback without one. */
  token?: string;
  logger?: Logger;
}

export type DataHub = (Hub & { fabric: 'ws' }) | (ZmqHub & { fabric: 'zmq' });

export async function startDataHub(options: DataHubOptions): Promise<DataHub> {
  if (options.fabric === 'ws') {
    const hub = await startHub({ host: options.host, port: options.port, token: options.token, logger: options.logger });
    return Object.assign(hub, { fabric: 'ws' as const });
  }
  const hub = await startZmqHub({ host: options.host, subPort: options.subPort, pubPort: options.pubPort, logger: options.logger });
  return Object.assign(hub, { fabric: 'zmq' as const });
}

export function parseFabric(value: string | undefined): FabricName | null {
  if (value === undefined) return 'ws';
  return value === 'ws' || value === 'zmq' ? value : null;
}
