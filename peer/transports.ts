/** The transport for a hub address: its scheme picks the fabric (shared/protocol/hub-address.ts). */
import { parseHubAddress } from '../shared/protocol/index.ts';
import { failedTransport, type TransportFactory } from './transport.ts';
import { wsTransport } from './ws-transport.ts';
import { zmqTransport } from './zmq-transport.ts';

export const defaultTransport: TransportFactory = (options, events) => {
  const address = parseHubAddress(options.url);
  if (!address.ok) return failedTransport(address.error, events);
  return address.value.fabric === 'zmq' ? zmqTransport(options, events) : wsTransport(options, events);
};
