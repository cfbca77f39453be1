/**
 * How the engine reaches a Data Hub. A Transport carries frames as WebSocket-style text (`{"Topic":…,"Message":…}`,
 * PROTOCOL.md §3.1) in both directions and takes topic-prefix subscriptions, which is what both the WebSocket hub
 * (a `{"Subscribe":[…]}` control frame) and a ZeroMQ PUB/SUB pair (`sub.subscribe(prefix)`, with the text split into
 * `[topic, message]` parts on the way out and joined on the way in) need. One Transport is one connection attempt:
 * the connection manager makes a new one for every (re)connect.
 */
import WebSocket from 'ws';
import { encodeSubscribe } from '../../shared/protocol/index.ts';

export interface TransportEvents {
  /** The connection is open: subscriptions and messages may be sent. */
  onOpen(): void;
  /** One text frame from the hub. */
  onMessage(text: string): void;
  /**
   * The connection ended or could not be made; called once, and never after close(). `fatal` means retrying cannot
   * help (the hub refused the token, the URL is invalid): the engine stops and reports `failed`.
   */
  onClose(reason: string, fatal: boolean): void;
}

export interface Transport {
  /** Sends one text frame; false when the connection is not open (nothing was sent). */
  send(text: string): boolean;
  /** Adds topic-prefix subscriptions; returns the text of the control frame sent, for the message log (or null). */
  subscribe(prefixes: readonly string[]): string | null;
  /** Ends the connection; no event follows. */
  close(): void;
}

export interface TransportOptions {
  url: string;
  token?: string;
}

export type TransportFactory = (options: TransportOptions, events: TransportEvents) => Transport;

/** Largest frame accepted from the hub (the reference hub refuses frames over 16 MiB by default). */
const MAX_PAYLOAD = 64 * 1024 * 1024;

/** The WebSocket Data Hub transport, with `Authorization: Bearer <token>` on the upgrade request. */
export const wsTransport: TransportFactory = (options, events) => {
  let done = false;
  const end = (reason: string, fatal: boolean) => {
    if (done) return;
    done = true;
    events.onClose(reason, fatal);
  };

  let socket: WebSocket;
  try {
    socket = new WebSocket(options.url, {
      headers: options.token ? { Authorization: `Bearer ${options.token}` } : undefined,
      maxPayload: MAX_PAYLOAD,
      perMessageDeflate: false,
      handshakeTimeout: 5000,
    });
  } catch (error) {
    // An invalid URL throws synchronously; report it like any other failure, but after the caller has the Transport.
    const reason = `cannot connect to ${options.url}: ${error instanceof Error ? error.message : String(error)}`;
    queueMicrotask(() => end(reason, true));
    return { send: () => false, subscribe: () => null, close: () => void (done = true) };
  }

  let lastError: string | null = null;
  socket.on('open', () => {
    if (!done) events.onOpen();
  });
  socket.on('message', (data, isBinary) => {
    // The panel asks for nothing that carries an Attachment; binary frames are not for it.
    if (done || isBinary) return;
    events.onMessage(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8'));
  });
  socket.on('unexpected-response', (request, response) => {
    const status = response.statusCode ?? 0;
    request.destroy();
    socket.terminate();
    const fatal = status === 401 || status === 403;
    end(fatal ? `the hub refused the connection (HTTP ${status}): wrong or missing token` : `the hub answered HTTP ${status}`, fatal);
  });
  socket.on('error', (error: Error & { code?: string }) => {
    lastError = error.code ? `${error.code}: ${error.message}` : error.message;
  });
  socket.on('close', (code, reasonBuffer) => {
    const said = reasonBuffer.toString();
    const reason = lastError ?? (code === 1006 ? 'connection lost' : `closed by the hub (${code}${said ? ` ${said}` : ''})`);
    end(reason, false);
  });

  return {
    send(text) {
      if (done || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(text);
      return true;
    },
    subscribe(prefixes) {
      const text = encodeSubscribe(prefixes);
      return this.send(text) ? text : null;
    },
    close() {
      if (done) return;
      done = true;
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else {
        socket.close(1000, 'panel closing');
        // A hub that never answers the close handshake must not keep the socket (or the process) alive.
        setTimeout(() => socket.terminate(), 1000).unref();
      }
    },
  };
};
