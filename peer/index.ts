/** The hub peer: one library for every peer of a Data Hub, on either fabric. */
export { HubPeer, type HubPeerEvents, type HubPeerOptions, type PeerState, type PeerStatus, type TapEntry } from './hub-peer.ts';
export { HubError, type PeerErrorCode } from './errors.ts';
export { backoffDelay, BASE_BACKOFF_MS, MAX_BACKOFF_MS } from './backoff.ts';
export { silentLogger, type Logger, type LogFn } from './log.ts';
export { defaultTransport } from './transports.ts';
export { wsTransport, messageBody, trustHubCertificates } from './ws-transport.ts';
export { zmqTransport } from './zmq-transport.ts';
export type { Inbound, InvalidInbound, Outbound, Transport, TransportEvents, TransportFactory, TransportOptions } from './transport.ts';
export { hubAnswers } from './probe-hub.ts';
