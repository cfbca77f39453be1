/**
 * The ZeroMQ hub's subscribe port, with a bound per peer. libzmq's XPUB keeps every prefix a subscriber sends and
 * cannot tell its peers apart (3,000,000 prefixes from one raw peer cost the hub 1.1 GB and seconds of hold), so
 * subscribers do not reach it directly: each connection on the public port is relayed to the XPUB socket, bound on
 * loopback. The hub's bytes pass through untouched; the subscriber's are read as ZMTP (zmtp-reader.ts), and a
 * subscription is passed on only while the peer holds fewer than MAX_PREFIXES_PER_PEER and it is at most
 * MAX_PREFIX_CHARS long, the WebSocket hub's bounds. The rest is dropped, logged and said in a Log once per connection.
 * A subscriber sends nothing else: other messages are dropped, and anything that is not ZMTP 3 with the NULL mechanism
 * ends the connection. libzmq's proxy still does all routing.
 */
import net from 'node:net';
import type { Logger } from '../lib/log.ts';
import { listen } from '../lib/listen.ts';
import { MAX_PREFIXES_PER_PEER, MAX_PREFIX_CHARS } from './subscriptions.ts';
import { ZmtpError, ZmtpReader, type ZmtpFrame } from './zmtp-reader.ts';

/** A frame a subscriber may send: a subscription (a byte, the prefix) or a small command (READY's properties). */
const MAX_FRAME_BYTES = MAX_PREFIX_CHARS + 1024;

export interface GuardOptions {
  host: string;
  port: number;
  /** The XPUB socket's own port on 127.0.0.1. */
  xpubPort: number;
  logger: Logger;
  /** Told once per connection that went past a bound (the hub says it in a Log). */
  onRefused(what: string): void;
}

export interface SubscriptionGuard {
  port: number;
  close(): Promise<void>;
}

/** What one subscriber holds: its prefixes (latin1, byte for byte), and whether it was told of a refusal. */
class Held {
  readonly prefixes = new Set<string>();
  tooLong = 0;
  overLimit = 0;
  told = false;

  /** Whether the frame is passed on. */
  admit(frame: ZmtpFrame): boolean {
    const sub = subscription(frame);
    if (sub === null) return frame.command !== null; // commands pass (READY, PING …); other messages never do
    const key = sub.prefix.toString('latin1');
    if (!sub.subscribe) return this.prefixes.delete(key); // a cancel of a prefix refused before: nothing to cancel
    if (this.prefixes.has(key)) return true;
    if (sub.prefix.length > MAX_PREFIX_CHARS) this.tooLong++;
    else if (this.prefixes.size >= MAX_PREFIXES_PER_PEER) this.overLimit++;
    else {
      this.prefixes.add(key);
      return true;
    }
    return false;
  }

  refusal(): string {
    const parts = [];
    if (this.tooLong > 0) parts.push(`prefixes over ${MAX_PREFIX_CHARS} bytes`);
    if (this.overLimit > 0) parts.push(`prefixes past the limit of ${MAX_PREFIXES_PER_PEER} per peer`);
    return `Subscribe refused for ${parts.join(' and ')}`;
  }
}

/** A subscription or cancel: a SUBSCRIBE/CANCEL command (ZMTP 3.1), or a one-frame message starting 1/0 (3.0). */
function subscription(frame: ZmtpFrame): { subscribe: boolean; prefix: Buffer } | null {
  if (frame.command === 'SUBSCRIBE' || frame.command === 'CANCEL') return { subscribe: frame.command === 'SUBSCRIBE', prefix: frame.body };
  if (frame.command !== null || !frame.first || frame.body.length === 0) return null;
  const kind = frame.body[0];
  return kind === 1 || kind === 0 ? { subscribe: kind === 1, prefix: frame.body.subarray(1) } : null;
}

export async function startSubscriptionGuard(options: GuardOptions): Promise<SubscriptionGuard> {
  const { logger: log } = options;
  const open = new Set<net.Socket>();

  const server = net.createServer({ noDelay: true }, (peer) => {
    const address = `${peer.remoteAddress ?? '?'}:${peer.remotePort ?? '?'}`;
    const hub = net.connect({ host: '127.0.0.1', port: options.xpubPort, noDelay: true });
    open.add(peer);
    open.add(hub);
    const reader = new ZmtpReader(MAX_FRAME_BYTES);
    const held = new Held();
    const end = (why?: string) => {
      if (why) log.warn({ address, why }, 'a subscriber was disconnected');
      peer.destroy();
      hub.destroy();
    };
    peer.on('close', () => {
      open.delete(peer);
      hub.destroy();
    });
    hub.on('close', () => {
      open.delete(hub);
      peer.destroy();
    });
    peer.on('error', () => end());
    hub.on('error', () => end());
    hub.pipe(peer);
    peer.on('data', (chunk: Buffer) => {
      let reads;
      try {
        reads = reader.push(chunk);
      } catch (error) {
        end(error instanceof ZmtpError ? error.message : String(error));
        return;
      }
      const pass: Buffer[] = [];
      for (const r of reads) {
        if (r.kind === 'greeting') pass.push(r.raw);
        else if (held.admit(r.frame)) pass.push(r.frame.raw);
      }
      if ((held.tooLong > 0 || held.overLimit > 0) && !held.told) {
        held.told = true;
        const what = `${held.refusal()} (a subscriber at ${address})`;
        log.warn({ address }, what);
        options.onRefused(what);
      }
      // One chunk per turn of the event loop (node reads many at once from a busy socket), and no more while the
      // hub's side is full.
      peer.pause();
      const resume = () => void (!peer.destroyed && peer.resume());
      if (pass.length > 0 && !hub.write(pass.length === 1 ? pass[0] as Buffer : Buffer.concat(pass))) hub.once('drain', resume);
      else setImmediate(resume);
    });
  });
  const port = await listen(server, options.port, options.host, {
    onRefused: (count) => log.warn({ count }, 'subscriber connections refused: the hub holds as many as it takes'),
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
