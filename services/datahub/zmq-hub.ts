/**
 * The embedded Data Hub on Pixotope's own fabric (docs/PROTOCOL.md §3.2): libzmq's own forwarder, an
 * XSUB socket bound on the publish port (peers' PUB sockets connect there) and an XPUB socket bound on the subscribe
 * port (peers' SUB sockets connect there), run by zeromq.js's Proxy on a thread of its own. Subscriptions travel
 * upstream through it, so a publisher only sends what some subscriber asked for. Subscribers reach the XPUB socket
 * through the subscription guard (subscription-guard.ts), which bounds the prefixes each one holds.
 *
 * libzmq's proxy forwards bytes and has no hook: validation is every peer's (the hub peer drops, counts and logs what
 * does not decode, and never hands it on). What the hub itself adds, as peers of its own fabric:
 * - an inspector: a SUB socket subscribed to everything, which decodes each message with the shared codec, counts
 *   valid and invalid ones (the `Stats` of `DataHub`) and logs the invalid ones; being a subscriber, it can fall
 *   behind and lose messages without slowing the proxy (its counts are then a lower bound);
 * - `DataHub`, a service on the hub peer that answers Identify with its Self and `Get DataHub Stats`, as the
 *   WebSocket hub does.
 * A message over `maxMessageBytes` is refused by libzmq at the XSUB socket (the sender's connection is dropped and it
 * reconnects); both sockets have high-water marks, past which libzmq drops messages for that peer (see the docs).
 */
import { hostname } from 'node:os';
import type * as Zmq from 'zeromq';
import pkg from '../../package.json' with { type: 'json' };
import { decodeMultipart, decodeTopicPart, zmqHubUrl, type DecodeError } from '../../shared/protocol/index.ts';
import type { Result } from '../../shared/result.ts';
import { loadZeromq, RECEIVE_HIGH_WATER_MARK, SEND_HIGH_WATER_MARK, SUBSCRIPTION_MAX_BYTES, watchEvents } from '../../peer/zmq-transport.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { ServiceHost } from '../lib/service-host.ts';
import { DEFAULT_MAX_FRAME_BYTES, HUB_NAME } from './config.ts';
import { STATS_FIELDS, StatsTracker, type HubStats } from './stats.ts';
import { StartupError } from '../lib/startup.ts';
import { startSubscriptionGuard, type SubscriptionGuard } from './subscription-guard.ts';

/** Messages the counter judges by their topic part alone (a message of this size decodes in about a millisecond). */
const TOPIC_ONLY_ABOVE_BYTES = 256 * 1024;

export interface ZmqHubOptions {
  host?: string;
  /** Where peers' SUB sockets connect (the XPUB side); Pixotope: 16201. 0 picks a free port. */
  subPort?: number;
  /** Where peers' PUB sockets connect (the XSUB side); Pixotope: 16202. 0 picks a free port. */
  pubPort?: number;
  /** A message over this size is refused at the XSUB socket. */
  maxMessageBytes?: number;
  logger?: Logger;
}

/** What a ZeroMQ hub can count: fan-out and high-water-mark drops happen inside libzmq, unseen (null). */
export type ZmqHubStats = Omit<HubStats, 'MessagesOut' | 'MessagesOutPerSecond' | 'Dropped' | 'Disconnected'> & {
  Fabric: 'zmq';
  MessagesOut: null;
  MessagesOutPerSecond: null;
  Dropped: null;
  Disconnected: null;
};

export interface ZmqHub {
  /** `zmq://host?sub=…&pub=…`, ready for a peer. */
  readonly url: string;
  readonly subPort: number;
  readonly pubPort: number;
  stats(): ZmqHubStats;
  close(): Promise<void>;
}

const portOf = (endpoint: string | null): number => Number(/:(\d+)$/.exec(endpoint ?? '')?.[1] ?? NaN);
const endpoint = (host: string, port: number): string => `tcp://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port === 0 ? '*' : port}`;

export async function startZmqHub(options: ZmqHubOptions = {}): Promise<ZmqHub> {
  const zmq: typeof Zmq = loadZeromq();
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? createLogger(HUB_NAME);
  const ipv6 = host.includes(':');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const xsub = new zmq.XSubscriber({ linger: 0, ipv6, receiveHighWaterMark: RECEIVE_HIGH_WATER_MARK, maxMessageSize: maxMessageBytes });
  // The XPUB side reads only subscriptions (a prefix each): anything larger is a peer breaking the protocol.
  const xpub = new zmq.XPublisher({ linger: 0, ipv6, sendHighWaterMark: SEND_HIGH_WATER_MARK, maxMessageSize: SUBSCRIPTION_MAX_BYTES });
  // Set once the guard is up: it says the refusals it sees in a Log from DataHub.
  let say: (what: string) => void = () => undefined;
  let guard: SubscriptionGuard;
  try {
    await xsub.bind(endpoint(host, options.pubPort ?? 16202));
    await xpub.bind(endpoint('127.0.0.1', 0));
    guard = await startSubscriptionGuard({
      host, port: options.subPort ?? 16201, xpubPort: portOf(xpub.lastEndpoint), logger: log, onRefused: (what) => say(what),
    });
  } catch (error) {
    xsub.close();
    xpub.close();
    throw new StartupError(`DataHub: cannot bind ${host} ports ${options.subPort ?? 16201}/${options.pubPort ?? 16202}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const subPort = guard.port;
  const xpubPort = portOf(xpub.lastEndpoint);
  const pubPort = portOf(xsub.lastEndpoint);
  const url = zmqHubUrl(host, subPort, pubPort);

  // Subscriber connections on the XPUB side: one per peer (the inspector and DataHub's own are not counted).
  let subscribers = 0;
  watchEvents(xpub, (event) => {
    if (event.type === 'accept') subscribers++;
    else if (event.type === 'disconnect') subscribers--;
  });
  watchEvents(xsub, (event) => {
    if (event.type === 'disconnect') log.debug({ address: event.address }, 'a publisher disconnected');
  });

  const proxy = new zmq.Proxy(xsub, xpub);
  const running = proxy.run().catch((error: unknown) => log.error({ err: String(error) }, 'the proxy stopped'));

  const stats = new StatsTracker();
  // Nothing over the XSUB side's maximum gets through the proxy, so the inspector takes exactly that.
  const inspector = new zmq.Subscriber({ linger: 0, ipv6, receiveHighWaterMark: RECEIVE_HIGH_WATER_MARK, maxMessageSize: maxMessageBytes });
  inspector.connect(endpoint('127.0.0.1', xpubPort));
  inspector.subscribe();
  let inspecting = true;
  const count = (decoded: Result<unknown, DecodeError>): void => {
    if (decoded.ok) {
      stats.messagesIn++;
      return;
    }
    stats.invalid++;
    log.warn({ error: decoded.error }, 'an invalid message crossed the hub (peers drop it)');
  };
  void (async () => {
    try {
      for await (const parts of inspector) {
        // The proxy has forwarded the message already: this only counts it. A large one is judged by its topic part
        // alone: decoding megabytes here (or even copying them to another thread: libzmq's buffers cannot be moved)
        // would hold the thread every service of this process shares, and its receivers check it anyway.
        const bytes = parts.reduce((n, p) => n + p.length, 0);
        count(bytes > TOPIC_ONLY_ABOVE_BYTES && parts.length >= 2 && parts.length <= 3 ? decodeTopicPart(parts[0] as Buffer) : decodeMultipart(parts));
      }
    } catch (error) {
      if (inspecting) log.error({ err: String(error) }, 'the hub inspector stopped');
    }
  })();

  const snapshot = (): ZmqHubStats => {
    const s = stats.snapshot(Math.max(0, subscribers - 2));
    return {
      Fabric: 'zmq', Peers: s.Peers, MessagesIn: s.MessagesIn, MessagesInPerSecond: s.MessagesInPerSecond, Invalid: s.Invalid,
      MessagesOut: null, MessagesOutPerSecond: null, Dropped: null, Disconnected: null, StartedAt: s.StartedAt,
    };
  };
  const dataHub = new ServiceHost(
    {
      name: HUB_NAME,
      version: pkg.version,
      states: ['Stats'],
      get: (path) => {
        if (path[0] !== 'Stats') return undefined;
        const value = snapshot();
        if (path.length === 1) return value;
        const field = path[1] as string;
        return path.length === 2 && ((STATS_FIELDS as readonly string[]).includes(field) || field === 'Fabric') ? value[field as keyof ZmqHubStats] : undefined;
      },
      calls: {},
    },
    { hubUrl: url, logger: log },
  );
  await dataHub.start();
  say = (what) => dataHub.log('Warning', what);
  log.info({ url, host, subPort, pubPort, machine: hostname() }, 'ZeroMQ DataHub listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    subPort,
    pubPort,
    stats: snapshot,
    close(): Promise<void> {
      closed ??= (async () => {
        inspecting = false;
        stats.stop();
        await dataHub.close();
        inspector.close();
        await guard.close();
        proxy.terminate();
        await running;
        xsub.close();
        xpub.close();
        log.info({ url }, 'ZeroMQ DataHub closed');
      })();
      return closed;
    },
  };
}
