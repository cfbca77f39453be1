/**
 * The panel API over a WebSocket, for the browser host: the page sends `CommandRequest`s and gets `CommandResponse`s
 * and `EventMessage`s (shared/panel/api.ts). Every incoming message is validated; a malformed one gets an error
 * response (id -1 when it has no readable id), never a crash. `log` events go only to sockets whose page asked for
 * them (`watchLog`). A socket that cannot keep up loses `log` events first; far behind, its socket is dropped and the
 * page reconnects and reloads the snapshot.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { CommandRequest, EVENTS, logWatchAfter, type CommandResponse, type EventData, type EventName } from '../../shared/panel/api.ts';
import { BRIDGE_PROTOCOL, checkUpgrade } from './session.ts';

/** Above this many queued bytes a socket gets no `log` events. */
export const LOG_DROP_BYTES = 1 << 20;
/** Above this many queued bytes a socket is closed: it reconnects and starts again from a snapshot. */
export const CLOSE_BYTES = 32 << 20;
/** Largest message accepted from a page. */
export const MAX_MESSAGE_BYTES = 4 << 20;
/** Commands one socket may have in flight. */
export const MAX_IN_FLIGHT = 256;
const PING_INTERVAL_MS = 30_000;
const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

export interface BridgeOptions {
  /** The engine's event source. */
  events: { on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void };
  /** Runs one command; resolves with the response (dispatchCommand from main/hub). */
  dispatch(id: number, command: string, args: unknown): Promise<CommandResponse>;
  /** The session token pages must present. */
  token: string;
  /** The port the page was served from (for the Origin and Host checks). */
  port(): number;
  /** Refusals and dropped sockets, for the host's log. */
  log?(message: string): void;
}

export interface Bridge {
  /** For the HTTP server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly clients: number;
  /** Log events not sent to slow sockets so far. */
  readonly droppedLogEvents: number;
  close(): void;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const errorResponse = (id: number, code: string, message: string): CommandResponse => ({ id, ok: false, error: { code, message } });

/** The id of a message that failed validation, when it has a usable one; -1 otherwise. */
function salvageId(message: unknown): number {
  const id = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : -1;
}

export function createBridge(options: BridgeOptions): Bridge {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();
  const alive = new WeakMap<WebSocket, boolean>();
  /** Sockets whose page watches the message log (`watchLog`). */
  const logWatchers = new Set<WebSocket>();
  let droppedLogEvents = 0;
  let closed = false;

  const send = (ws: WebSocket, text: string): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > CLOSE_BYTES) {
      // A close frame would wait behind the backlog: drop the socket now; the page reconnects and reloads the snapshot.
      options.log?.('bridge: a page fell too far behind; dropping its socket so it reloads');
      ws.terminate();
      return;
    }
    ws.send(text, (error) => {
      if (error) ws.terminate();
    });
  };

  const unsubscribe = EVENT_NAMES.map((event) =>
    options.events.on(event, (data: EventData<typeof event>) => {
      if (sockets.size === 0 || (event === 'log' && logWatchers.size === 0)) return;
      let text: string;
      try {
        text = JSON.stringify({ event, data });
      } catch (error) {
        options.log?.(`bridge: could not serialize a ${event} event: ${String(error)}`);
        return;
      }
      for (const ws of event === 'log' ? logWatchers : sockets) {
        if (event === 'log' && ws.bufferedAmount > LOG_DROP_BYTES) {
          droppedLogEvents++;
          continue;
        }
        send(ws, text);
      }
    }),
  );

  const ping = setInterval(() => {
    for (const ws of sockets) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, PING_INTERVAL_MS);
  ping.unref();

  const attach = (ws: WebSocket): void => {
    sockets.add(ws);
    alive.set(ws, true);
    let inFlight = 0;
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      sockets.delete(ws);
      logWatchers.delete(ws);
    });
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      const reply = (response: CommandResponse) => {
        let text: string;
        try {
          text = JSON.stringify(response);
        } catch (error) {
          text = JSON.stringify(errorResponse(response.id, 'INTERNAL', `the result could not be serialized: ${String(error)}`));
        }
        send(ws, text);
      };
      if (isBinary) return reply(errorResponse(-1, 'BAD_REQUEST', 'binary messages are not part of the panel API'));
      let message: unknown;
      try {
        message = JSON.parse(raw.toString());
      } catch {
        return reply(errorResponse(-1, 'BAD_REQUEST', 'the message is not JSON'));
      }
      const request = CommandRequest.safeParse(message);
      if (!request.success) {
        const issues = request.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
        return reply(errorResponse(salvageId(message), 'BAD_REQUEST', `not a command request: ${issues}`));
      }
      const { id, command, args } = request.data;
      if (inFlight >= MAX_IN_FLIGHT) return reply(errorResponse(id, 'BUSY', `more than ${MAX_IN_FLIGHT} commands in flight`));
      inFlight++;
      let answer: Promise<CommandResponse>;
      try {
        answer = options.dispatch(id, command, args);
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer
        .catch((error: unknown) => errorResponse(id, 'INTERNAL', error instanceof Error ? error.message : String(error)))
        .then((response) => {
          inFlight--;
          const watch = logWatchAfter(command, response);
          if (watch === true && sockets.has(ws)) logWatchers.add(ws);
          else if (watch === false) logWatchers.delete(ws);
          reply(response);
        });
    });
  };

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      if (closed) return refuse(socket, 503, 'the panel host is stopping');
      const verdict = checkUpgrade(req.url, req.headers, options.port(), options.token);
      if (!verdict.ok) {
        options.log?.(`bridge: refused an upgrade (${verdict.status} ${verdict.reason})`);
        return refuse(socket, verdict.status, verdict.status === 404 ? 'Not found' : verdict.status === 401 ? 'Unauthorized' : 'Forbidden');
      }
      wss.handleUpgrade(req, socket, head, attach);
    },
    get clients() {
      return sockets.size;
    },
    get droppedLogEvents() {
      return droppedLogEvents;
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      for (const off of unsubscribe) off();
      for (const ws of sockets) ws.close(1001, 'the panel host is stopping');
      wss.close();
    },
  };
}
