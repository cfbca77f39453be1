/**
 * Hub addresses (docs/PROTOCOL.md §3): the scheme picks the fabric.
 * - `ws://…` / `wss://…`: this project's WebSocket hub.
 * - `zmq://HOST` or `zmq://HOST?sub=PORT&pub=PORT`: a ZeroMQ Data Hub (Pixotope's Data Hub 2, or the embedded libzmq
 *   proxy). A peer's SUB socket connects to the hub's subscribe port (Pixotope: 16201), its PUB socket to the hub's
 *   publish port (16202).
 * Pure: the renderer parses what the operator types with it, the hub peer what it is told to join.
 */
import { err, ok, type Result } from '../result.ts';

export type Fabric = 'ws' | 'zmq';

/** Pixotope's fixed Data Hub ports: the hub publishes on 16201 (peers subscribe there) and takes publications on 16202. */
export const PIXOTOPE_SUB_PORT = 16201;
export const PIXOTOPE_PUB_PORT = 16202;

export interface WsHubAddress {
  fabric: 'ws';
  url: string;
}
export interface ZmqHubAddress {
  fabric: 'zmq';
  /** Host name or IP literal; an IPv6 literal keeps its brackets. */
  host: string;
  subPort: number;
  pubPort: number;
  /** The canonical form: `zmq://HOST`, with `?sub=…&pub=…` only when a port is not Pixotope's. */
  url: string;
}
export type HubAddress = WsHubAddress | ZmqHubAddress;

export const FABRIC_LABEL: Record<Fabric, string> = {
  zmq: 'Pixotope Data Hub (ZeroMQ)',
  ws: 'Asset Hub hub (WebSocket)',
};

function port(text: string | null, fallback: number, key: string): Result<number, string> {
  if (text === null) return ok(fallback);
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) return err(`${key} must be a TCP port (1-65535), got "${text}"`);
  return ok(Number(text));
}

/** The canonical `zmq://` URL of a host and its two ports. */
export function zmqHubUrl(host: string, subPort = PIXOTOPE_SUB_PORT, pubPort = PIXOTOPE_PUB_PORT): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return subPort === PIXOTOPE_SUB_PORT && pubPort === PIXOTOPE_PUB_PORT ? `zmq://${h}` : `zmq://${h}?sub=${subPort}&pub=${pubPort}`;
}

/** `scheme://authority path ?query #fragment`, split without a URL class (shared/ runs where none is typed). */
const SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/;
/** `host`, `[v6]` or either with `:port`. */
const AUTHORITY = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]@\s]+)(?::(\d*))?$/;

/** Parses a hub address; the error says what is wrong in words an operator can act on. */
export function parseHubAddress(text: string): Result<HubAddress, string> {
  const trimmed = text.trim();
  const shape = SHAPE.exec(trimmed);
  if (!shape) return err(`"${trimmed}" is not a hub address: use ws://host:port, wss://host:port or zmq://host`);
  const [, schemeText = '', authority = '', path = '', query, fragment] = shape;
  const scheme = schemeText.toLowerCase();
  if (scheme !== 'ws' && scheme !== 'wss' && scheme !== 'zmq') return err(`"${scheme}:" is not a hub scheme: use ws://, wss:// or zmq://`);
  if (authority.includes('@')) return err('a hub address carries no user or password (the token is given separately)');
  const hostPort = AUTHORITY.exec(authority);
  if (!hostPort) return err(`"${trimmed}" names no host`);
  const [, host = '', portText] = hostPort;
  if (scheme !== 'zmq') return ok({ fabric: 'ws', url: trimmed });
  if (portText !== undefined) return err(`a zmq:// address has two ports: write them as zmq://${host}?sub=PORT&pub=PORT`);
  if (path !== '' && path !== '/') return err(`a zmq:// address has no path ("${path}")`);
  if (fragment !== undefined) return err('a zmq:// address has no #fragment');
  const params = new Map<string, string>();
  for (const pair of (query ?? '').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    if (key !== 'sub' && key !== 'pub') return err(`unknown zmq:// option "${key}": only sub=PORT and pub=PORT`);
    params.set(key, at < 0 ? '' : pair.slice(at + 1));
  }
  const sub = port(params.get('sub') ?? null, PIXOTOPE_SUB_PORT, 'sub');
  if (!sub.ok) return sub;
  const pub = port(params.get('pub') ?? null, PIXOTOPE_PUB_PORT, 'pub');
  if (!pub.ok) return pub;
  if (sub.value === pub.value) return err(`sub and pub must be two different ports, both are ${sub.value}`);
  return ok({ fabric: 'zmq', host, subPort: sub.value, pubPort: pub.value, url: zmqHubUrl(host, sub.value, pub.value) });
}

/** One line for the status bar and logs: the fabric and where it is. */
export function describeHub(address: HubAddress): string {
  if (address.fabric === 'ws') return `${FABRIC_LABEL.ws} ${address.url}`;
  return `${FABRIC_LABEL.zmq} ${address.host} (ports ${address.subPort}/${address.pubPort})`;
}
