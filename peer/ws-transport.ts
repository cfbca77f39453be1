/**
 * The WebSocket fabric (docs/PROTOCOL.md §3.1): one text frame per message, an Attachment as the
 * binary frame right after the text frame that announces it, `{"Subscribe":[…]}` control frames, and
 * `Authorization: Bearer <token>` on the upgrade request.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import WebSocket from 'ws';
import {
  decodeFrame, encodeFrame, encodeSubscribe, encodeUnsubscribe, skimFrame, type Envelope,
} from '../shared/protocol/index.ts';
import { cut, DEFAULT_MAX_MESSAGE_BYTES, type Inbound, type Transport, type TransportFactory } from './transport.ts';

const HEAD = '{"Topic":{';
const BOUNDARY = '},"Message":';

/**
 * The Message's JSON text of a frame. A frame laid out as `{"Topic":{…flat…},"Message":{…}}` (what the reference hub
 * forwards and what peers send) has it cut out of the text, without re-encoding: the topic object holds only strings,
 * and a string cannot contain an unescaped `"`, so the first `},"Message":` ends the topic exactly when no other `{`
 * comes before it. Any other layout, and a frame with an Attachment, has its decoded Message encoded again.
 */
export function messageBody(text: string, message: Envelope, attachment = false): string {
  if (!attachment && text.startsWith(HEAD)) {
    const end = text.indexOf(BOUNDARY, HEAD.length);
    const nested = text.indexOf('{', HEAD.length);
    if (end > 0 && (nested === -1 || nested > end) && text.endsWith('}')) return text.slice(end + BOUNDARY.length, text.length - 1);
  }
  return JSON.stringify(message.message);
}

/**
 * Certificates this process trusts for `wss://` hubs besides the system's (a hub with a certificate of its own, e.g.
 * self-signed for a studio network): set once from the command line or ASSETHUB_HUB_CA.
 */
let extraCa: string[] = [];
/** Fingerprints (SHA-256) of certificates accepted by whatever host name the hub is reached (`anyHost`). */
let pinned = new Set<string>();
export function trustHubCertificates(pems: readonly string[], options: { anyHost?: boolean } = {}): void {
  extraCa = [...pems];
  pinned = new Set(options.anyHost ? pems.map((pem) => new X509Certificate(pem).fingerprint256) : []);
}

/**
 * The name check of a hub's certificate: the system's, except that a pinned certificate (the hub's own, for the
 * services of its process) is that hub wherever it listens (`--host 0.0.0.0` is reached through an address its
 * certificate need not name).
 */
function checkHubIdentity(host: string, cert: tls.PeerCertificate): Error | undefined {
  return pinned.has(cert.fingerprint256) ? undefined : tls.checkServerIdentity(host, cert);
}

const bytesOf = (data: WebSocket.RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);

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
      maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: 5000,
      ...(extraCa.length > 0 ? { ca: [...tls.rootCertificates, ...extraCa], checkServerIdentity: checkHubIdentity } : {}),
    });
  } catch (error) {
    const reason = `cannot connect to ${options.url}: ${error instanceof Error ? error.message : String(error)}`;
    queueMicrotask(() => end(reason, true));
    return { send: () => null, subscribe: () => {}, unsubscribe: () => {}, sendRaw: () => false, close: () => void (done = true) };
  }

  /**
   * A message whose text frame announced an Attachment, waiting for the binary frame; `inbound` null: a refused one,
   * whose Attachment is dropped unread.
   */
  let awaiting: { inbound: Inbound | null; length: number; raw: string; bytes: number } | null = null;
  const invalid = (message: string, raw: string, bytes: number) =>
    events.onInvalid({ error: { code: 'INVALID_FIELD', message }, raw: cut(raw), bytes });

  const admit = options.admit?.bind(options);
  /**
   * Whether the text frame was refused (or its topic found invalid) from its topic alone, and handled: its bytes are
   * never made into a string. False: decode it whole.
   */
  const refused = (wanted: NonNullable<typeof admit>, bytes: Buffer): boolean => {
    const skim = skimFrame(bytes);
    if (skim === null) return false;
    if (!skim.topic.ok) {
      events.onInvalid({ error: skim.topic.error, raw: cut(skim.topicText), bytes: bytes.length });
      return true;
    }
    const total = bytes.length + (skim.attachment ?? 0);
    if (wanted(skim.topic.value, total)) return false;
    events.onRefused({ topic: skim.topic.value, bytes: total });
    if (skim.attachment !== undefined) awaiting = { inbound: null, length: skim.attachment, raw: cut(skim.topicText), bytes: bytes.length };
    return true;
  };

  let lastError: string | null = null;
  socket.on('open', () => {
    if (!done) events.onOpen();
  });
  socket.on('message', (data, isBinary) => {
    if (done) return;
    if (isBinary) {
      const bytes = bytesOf(data);
      const owner = awaiting;
      awaiting = null;
      if (owner === null) return invalid('a binary frame that no message announced', `<binary ${bytes.length} bytes>`, bytes.length);
      if (bytes.length !== owner.length) return invalid(`the Attachment announced ${owner.length} bytes but ${bytes.length} came`, owner.raw, bytes.length);
      if (owner.inbound === null) return;
      owner.inbound.attachment = bytes;
      owner.inbound.bytes += bytes.length;
      return events.onMessage(owner.inbound);
    }
    if (awaiting !== null) {
      invalid('the binary Attachment announced by the previous message did not follow it', awaiting.raw, awaiting.bytes);
      awaiting = null;
    }
    const frameBytes = bytesOf(data);
    if (admit !== undefined && refused(admit, frameBytes)) return;
    const text = frameBytes.toString('utf8');
    const frame = decodeFrame(text);
    if (!frame.ok) return events.onInvalid({ error: frame.error, raw: cut(text), bytes: frameBytes.length });
    if (frame.value.kind !== 'message') {
      return events.onInvalid({ error: { code: 'INVALID_FIELD', message: 'a control frame came from the hub' }, raw: cut(text), bytes: text.length });
    }
    const { envelope, attachment } = frame.value;
    const inbound: Inbound = { envelope, bytes: frameBytes.length, body: () => messageBody(text, envelope, attachment !== undefined), raw: text };
    if (attachment !== undefined) awaiting = { inbound, length: attachment, raw: text, bytes: inbound.bytes };
    else events.onMessage(inbound);
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
    end(lastError ?? (code === 1006 ? 'connection lost' : `closed by the hub (${code}${said ? ` ${said}` : ''})`), false);
  });

  const open = () => !done && socket.readyState === WebSocket.OPEN;
  const sendText = (text: string): boolean => {
    if (!open()) return false;
    socket.send(text);
    return true;
  };

  const transport: Transport & { socket: WebSocket } = {
    socket,
    send(message, attachment) {
      const text = encodeFrame(message, attachment?.length);
      if (!sendText(text)) return null;
      if (attachment !== undefined) socket.send(attachment, { binary: true });
      return { bytes: Buffer.byteLength(text) + (attachment?.length ?? 0), body: () => messageBody(text, message, attachment !== undefined) };
    },
    subscribe(prefixes) {
      sendText(encodeSubscribe(prefixes));
    },
    unsubscribe(prefixes) {
      sendText(encodeUnsubscribe(prefixes));
    },
    sendRaw(data) {
      if (!open()) return false;
      if (typeof data === 'string') socket.send(data);
      else if (data instanceof Uint8Array) socket.send(data, { binary: true });
      else return false;
      return true;
    },
    close() {
      if (done) return;
      done = true;
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else {
        socket.close(1000, 'closing');
        // A hub that never answers the close handshake must not keep the socket (or the process) alive.
        setTimeout(() => socket.terminate(), 1000).unref();
      }
    },
  };
  return transport;
};

/** The WebSocket of a transport made by wsTransport (tests that pause reading or check close codes). */
export const socketOf = (transport: Transport): WebSocket | null => (transport as { socket?: WebSocket }).socket ?? null;
