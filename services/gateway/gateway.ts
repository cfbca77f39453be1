/**
 * A Pixotope-compatible HTTP Gateway (docs/PROTOCOL.md §3.3, decisions in docs/PROTOCOL-EXTENSIONS.md "The Pixotope
 * Gateway"): `POST /gateway/<any version>/publish` with `{"Topic", "Message"}`, or the GET form with the topic in the
 * query, publishes the message on the hub and answers the JSON array of the replies addressed to it. It is one peer of
 * the hub (peer/HubPeer), on either fabric; who may call it is access.ts's, what it publishes publish.ts's, how the
 * replies find their request replies.ts's.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { encodeTopic, type Envelope } from '../../shared/protocol/index.ts';
import { HubPeer } from '../../peer/index.ts';
import { accessPolicy, assertGatewayBinding, preflightHeaders, tokenRequired, CORS_METHODS } from './access.ts';
import {
  DEFAULT_GATEWAY_PORT, HEADERS_TIMEOUT_MS, MAX_BODY_BYTES, MAX_IN_FLIGHT, MAX_REPLIES, REPLY_TIMEOUT_MS, REQUEST_TIMEOUT_MS, TIMEOUT_CHECK_MS, type GatewayOptions,
} from './config.ts';
import { ANSWER_HEADERS, readBody, sendError, sendJson } from './http-io.ts';
import { toPublication, type Filler } from './publish.ts';
import { Replies, replyPrefixes } from './replies.ts';
import { parseBody, parseQuery, type Parsed, type RawPublish } from './request.ts';
import { listen } from '../lib/listen.ts';
import { StartupError } from '../lib/startup.ts';

export interface Gateway {
  /** `http://host:port`. */
  readonly url: string;
  /** Where clients publish: `<url>/gateway/<version>/publish` (any version; Pixotope's clients use 2.0 … 26.1.0). */
  readonly publishUrl: string;
  readonly port: number;
  /** The Gateway's name on the hub (Source of what it publishes; its requests are `<name>-<n>`). */
  readonly name: string;
  readonly machine: string;
  /** Requests being answered now. */
  readonly inFlight: number;
  close(): Promise<void>;
}

const PUBLISH_PATH = /^\/gateway\/[^/]+\/publish\/?$/;
/** The version shown in the URL the Gateway prints (any is accepted). */
const SHOWN_VERSION = '26.1.0';

/** What a connection whose request cannot be parsed gets (node's own, with the Gateway's ANSWER_HEADERS). */
const BAD_REQUEST = `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n${Object.entries(ANSWER_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
/** How long such a connection may stay after its 400 (the client reads it and closes; the rest it sends is dropped). */
const BAD_REQUEST_GRACE_MS = 1000;

/** A reply as the Gateway answers it: `{"Topic": {…}, "Message": {…}}`, the topic in its canonical key order. */
const replyJson = (message: Envelope): string => `{"Topic":${encodeTopic(message.topic)},"Message":${JSON.stringify(message.message)}}`;


export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  assertGatewayBinding(host, options.token);
  const log = options.logger;
  const machine = options.machine ?? os.hostname();
  // Per machine as §2 names services, with a suffix of its own so that two Gateways on one hub never share replies.
  const name = `${machine}-Gateway-${randomBytes(2).toString('hex')}`;
  const filler: Filler = { source: name, machine };
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
  const decide = accessPolicy({ host, token: options.token, allowOrigins: options.allowOrigins ?? [] });

  let replies: Replies | null = null;
  const peer = new HubPeer(
    { name, logger: log, subscriptions: replyPrefixes(`${name}-`) },
    { onMessage: (message) => replies?.onMessage(message) },
  );
  replies = new Replies({
    prefix: `${name}-`,
    timeoutMs: options.replyTimeoutMs ?? REPLY_TIMEOUT_MS,
    maxReplies: MAX_REPLIES,
    subscribe: (prefixes) => {
      peer.subscribe(prefixes);
      return peer.sync();
    },
    unsubscribe: (prefixes) => peer.unsubscribe(prefixes),
  });
  const pending = replies;
  let inFlight = 0;
  let closing = false;

  /** Publishes one client's message and resolves with the replies' JSON array (status 200), or an error answer. */
  async function publish(raw: RawPublish): Promise<{ status: number; json: string }> {
    const requestName = pending.name();
    const built = toPublication(raw, requestName, filler);
    if (!built.ok) return { status: 400, json: JSON.stringify({ Error: built.reason }) };
    const { envelope, awaited } = built.value;
    if (!peer.connected) return { status: 503, json: JSON.stringify({ Error: `the Gateway is not connected to the hub at ${options.hubUrl}` }) };
    let release = (): void => {};
    if (awaited.kind === 'broadcast') {
      try {
        release = await pending.watch(awaited.source);
      } catch (error) {
        return { status: 503, json: JSON.stringify({ Error: `the hub did not confirm the Gateway's subscription: ${error instanceof Error ? error.message : String(error)}` }) };
      }
    }
    try {
      const answered = awaited.kind === 'none' ? Promise.resolve([]) : pending.wait(requestName, awaited);
      if (!peer.send(envelope)) {
        pending.finish(requestName);
        return { status: 503, json: JSON.stringify({ Error: `the Gateway could not publish on the hub at ${options.hubUrl} (not connected)` }) };
      }
      log.debug({ request: requestName, topic: envelope.topic }, 'published for an HTTP client');
      const list = await answered;
      return { status: 200, json: `[${list.map(replyJson).join(',')}]` };
    } finally {
      release();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const preflight = req.method === 'OPTIONS';
    const access = decide(req.headers, preflight);
    if (!access.ok) {
      log.warn({ remote: req.socket.remoteAddress, status: access.status, origin: req.headers.origin?.slice(0, 200) }, `request refused: ${access.reason}`);
      return sendError(res, access.status, access.reason, access.headers ?? {}, true);
    }
    const cors = access.cors;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway.invalid');
    } catch {
      return sendError(res, 400, 'the request target is not a URL path', cors, true);
    }
    if (!PUBLISH_PATH.test(url.pathname)) return sendError(res, 404, `no such path: the Gateway answers /gateway/<version>/publish`, cors, true);
    if (preflight) {
      const headers = req.headers.origin === undefined ? { Allow: CORS_METHODS } : preflightHeaders(cors, req.headers);
      res.writeHead(204, { ...headers, ...ANSWER_HEADERS, 'Content-Length': '0' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') return sendError(res, 405, `method ${String(req.method).slice(0, 20)} is not allowed: GET, POST or OPTIONS`, { ...cors, Allow: CORS_METHODS }, true);
    if (closing) return sendError(res, 503, 'the Gateway is stopping', cors, true);
    if (inFlight >= maxInFlight) return sendError(res, 503, `the Gateway is answering ${maxInFlight} requests already; try again`, { ...cors, 'Retry-After': '1' }, true);
    inFlight += 1;
    try {
      let raw: Parsed<RawPublish>;
      if (req.method === 'POST') {
        const body = await readBody(req, maxBody);
        if (!body.ok) return sendError(res, 400, body.reason, cors, true);
        raw = parseBody(body.text);
      } else {
        raw = parseQuery(url.search);
      }
      if (!raw.ok) return sendError(res, 400, raw.reason, cors);
      const answer = await publish(raw.value);
      sendJson(res, answer.status, answer.json, cors);
    } finally {
      inFlight -= 1;
    }
  }

  /** Connections that carried a request: a parse error on them comes after (or during) an answer, and gets none of its own. */
  const served = new WeakSet<object>();
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const timeouts = { requestTimeout, headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout), connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, requestTimeout) };
  const server = createServer(timeouts, (req, res) => {
    served.add(req.socket);
    handle(req, res).catch((error: unknown) => {
      // A bug costs one request, never the Gateway.
      log.error({ err: error instanceof Error ? error.stack : String(error) }, 'a Gateway request failed');
      sendError(res, 500, 'the Gateway failed to answer this request', {}, true);
    });
  });
  server.keepAliveTimeout = 5000;
  /** Connections answered 400 and closing: destroyed at the latest when the Gateway closes. */
  const refused = new Set<Duplex>();
  server.on('clientError', (_error, socket) => {
    // node keeps parsing what comes after: every later chunk is another error, on a connection already answered.
    if (refused.has(socket)) return;
    if (!socket.writable || served.has(socket)) {
      socket.destroy();
      return;
    }
    // The 400, then a FIN. Destroyed at once, the connection could lose it: bytes the client sent and the Gateway left
    // unread make the close a reset, and a client's TCP may drop a reply it had not read yet (ECONNRESET). So the rest
    // is read and dropped, and the connection closes when the client closes it, or after a grace.
    socket.end(BAD_REQUEST);
    socket.resume();
    refused.add(socket);
    const grace = setTimeout(() => socket.destroy(), BAD_REQUEST_GRACE_MS);
    grace.unref();
    socket.once('close', () => {
      clearTimeout(grace);
      refused.delete(socket);
    });
  });

  peer.connect(options.hubUrl, options.token);
  try {
    await peer.whenUp();
  } catch (error) {
    peer.close();
    throw error;
  }
  let port: number;
  try {
    port = await listen(server, options.port ?? DEFAULT_GATEWAY_PORT, host, { onRefused: (count) => log.warn({ count }, 'connections refused: the Gateway holds as many as it takes') });
  } catch (error) {
    peer.close();
    throw new StartupError(`Gateway: cannot listen on ${host}:${options.port ?? DEFAULT_GATEWAY_PORT}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  log.info({ url, name, machine, tokenRequired: tokenRequired(host) }, 'Gateway listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    publishUrl: `${url}/gateway/${SHOWN_VERSION}/publish`,
    port,
    name,
    machine,
    get inFlight() {
      return inFlight;
    },
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        pending.finishAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          for (const socket of refused) socket.destroy();
          setTimeout(() => server.closeAllConnections(), 500).unref();
        });
        peer.close();
        log.info({ url }, 'Gateway closed');
      })();
      return closed;
    },
  };
}
