/**
 * The ZeroMQ hub's subscribe port, with a bound per peer. libzmq's XPUB keeps every prefix a subscriber sends and
 * cannot tell its peers apart (3,000,000 prefixes from one raw peer cost the hub 1.1 GB and seconds of hold), so
 * subscribers do not reach it directly: each connection on the public port is relayed to the XPUB socket, bound on
 * loopback. The hub's bytes pass through untouched; the subscriber's are read as ZMTP (zmtp-reader.ts), and only what
 * a subscriber sends is passed on: READY and heartbeats, and subscriptions within the bounds (PrefixBudget). A refused
 * subscription is dropped; anything else (a message that is not one whole subscription, a command marked MORE, not
 * ZMTP 3 with the NULL mechanism) ends the connection: libzmq would hold an unfinished message's parts without bound.
 * The subscribers' bytes are read one chunk at a time across all of them, one per turn of the event loop. libzmq's
 * proxy still does all routing.
 */
import net from 'node:net';
import type { Logger } from '../lib/log.ts';
import { listen } from '../lib/listen.ts';
import { MAX_PREFIXES_PER_PEER, MAX_PREFIX_CHARS } from './subscriptions.ts';
import { ZmtpError, ZmtpReader, type ZmtpFrame } from './zmtp-reader.ts';

/** A frame a subscriber may send: a subscription (a byte, the prefix) or a small command (READY's properties). */
const MAX_FRAME_BYTES = MAX_PREFIX_CHARS + 1024;
/**
 * Prefix bytes one connection holds at most, and distinct prefixes' bytes of all connections together. libzmq's tries
 * spend ~200 bytes of memory per distinct prefix byte (measured here) in the XPUB, the XSUB and every publisher's PUB
 * socket, and a publisher builds and tears down its trie on its own thread; libzmq's proxy walks the whole trie
 * whenever any subscriber leaves (~40 ms at 1 MiB of distinct prefixes). A peer's dozen prefixes of ~50 bytes (two
 * dozen with the Source-first ones) are far below these, and a show's 1,000 peers together (most prefixes are the same
 * for every peer, ~300 KB) too, while what any number of peers can make a process hold stays ~100 MB and a leave
 * costs the proxy ~20 ms at most.
 */
export const MAX_PREFIX_BYTES_PER_PEER = 16 * 1024;
export const MAX_PREFIX_BYTES = 512 * 1024;
/** Subscriber connections at most (each costs three descriptors: the peer's, the relay's, the XPUB's). */
const MAX_SUBSCRIBERS = 2048;
/** Refusals and disconnections are logged and said in a Log at most this often, counted. */
const REPORT_EVERY_MS = 10_000;

export interface GuardOptions {
  host: string;
  port: number;
  /** The XPUB socket's own port on 127.0.0.1. */
  xpubPort: number;
  logger: Logger;
  /** Told what was refused (at most every REPORT_EVERY_MS; the hub says it in a Log). */
  onRefused(what: string): void;
}

export interface SubscriptionGuard {
  port: number;
  close(): Promise<void>;
}

/** The distinct prefixes every connection holds together, how many hold each, and their bytes. */
class PrefixBudget {
  private readonly holders = new Map<string, number>();
  bytes = 0;

  /** Takes `key` for one more holder; false when a new distinct prefix would exceed MAX_PREFIX_BYTES. */
  take(key: string): boolean {
    const n = this.holders.get(key) ?? 0;
    if (n === 0) {
      if (this.bytes + key.length > MAX_PREFIX_BYTES) return false;
      this.bytes += key.length;
    }
    this.holders.set(key, n + 1);
    return true;
  }

  give(key: string): void {
    const n = this.holders.get(key) ?? 0;
    if (n > 1) this.holders.set(key, n - 1);
    else if (n === 1) {
      this.holders.delete(key);
      this.bytes -= key.length;
    }
  }
}

type Verdict = 'pass' | 'drop' | 'refuse' | { close: string };

/** What one subscriber holds: its prefixes (latin1, byte for byte) and their bytes. */
class Held {
  readonly prefixes = new Set<string>();
  bytes = 0;

  constructor(private readonly budget: PrefixBudget) {}

  judge(frame: ZmtpFrame): Verdict {
    const sub = subscription(frame);
    if (sub === null) {
      if (frame.command !== null) return 'pass'; // READY, PING, PONG …
      return { close: frame.first && !frame.more ? 'a message that is not a subscription' : 'a message of several parts' };
    }
    const key = sub.prefix.toString('latin1');
    if (!sub.subscribe) {
      if (!this.prefixes.delete(key)) return 'drop'; // never held (refused, or never sent): nothing to cancel
      this.bytes -= key.length;
      this.budget.give(key);
      return 'pass';
    }
    if (this.prefixes.has(key)) return 'drop'; // held already: the XPUB keeps it once
    if (key.length > MAX_PREFIX_CHARS || this.prefixes.size >= MAX_PREFIXES_PER_PEER || this.bytes + key.length > MAX_PREFIX_BYTES_PER_PEER
      || !this.budget.take(key)) return 'refuse';
    this.prefixes.add(key);
    this.bytes += key.length;
    return 'pass';
  }

  release(): void {
    for (const key of this.prefixes) this.budget.give(key);
    this.bytes = 0;
    this.prefixes.clear();
  }
}

/** A subscription or cancel: a SUBSCRIBE/CANCEL command (ZMTP 3.1), or a whole one-frame message starting 1/0 (3.0). */
function subscription(frame: ZmtpFrame): { subscribe: boolean; prefix: Buffer } | null {
  if (frame.command === 'SUBSCRIBE' || frame.command === 'CANCEL') return { subscribe: frame.command === 'SUBSCRIBE', prefix: frame.body };
  if (frame.command !== null || !frame.first || frame.more || frame.body.length === 0) return null;
  const kind = frame.body[0];
  return kind === 1 || kind === 0 ? { subscribe: kind === 1, prefix: frame.body.subarray(1) } : null;
}

/** Counts what was refused and says it at most every REPORT_EVERY_MS. */
class Reports {
  private refusedPeers = new Set<string>();
  private closed = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly log: Logger, private readonly say: (what: string) => void) {}

  refused(address: string): void {
    this.refusedPeers.add(address);
    this.schedule();
  }

  disconnected(why: string): void {
    this.closed.set(why, (this.closed.get(why) ?? 0) + 1);
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer) return;
    this.report();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.refusedPeers.size > 0 || this.closed.size > 0) this.schedule();
    }, REPORT_EVERY_MS);
    this.timer.unref();
  }

  private report(): void {
    if (this.refusedPeers.size > 0) {
      const peers = [...this.refusedPeers];
      const what = `Subscribe refused for ${peers.length} subscriber(s) past the bounds per peer (${MAX_PREFIXES_PER_PEER} prefixes, `
        + `${MAX_PREFIX_BYTES_PER_PEER} bytes of prefixes, ${MAX_PREFIX_CHARS} bytes each) or of the hub (${MAX_PREFIX_BYTES} bytes of distinct prefixes): `
        + `${peers.slice(0, 5).join(', ')}${peers.length > 5 ? ' …' : ''}`;
      this.log.warn({ peers: peers.length }, what);
      this.say(what);
    }
    if (this.closed.size > 0) {
      this.log.warn({ reasons: Object.fromEntries(this.closed) }, 'subscriber connections closed for breaking the protocol');
    }
    this.refusedPeers = new Set();
    this.closed = new Map();
  }
}

export async function startSubscriptionGuard(options: GuardOptions): Promise<SubscriptionGuard> {
  const { logger: log } = options;
  const open = new Set<net.Socket>();
  const budget = new PrefixBudget();
  const reports = new Reports(log, options.onRefused);
  // Chunks read from subscribers, handled one per turn of the event loop whatever the number of connections.
  const queue: Array<() => void> = [];
  let draining = false;
  const drain = () => {
    const next = queue.shift();
    if (!next) {
      draining = false;
      return;
    }
    next();
    setImmediate(drain);
  };

  const server = net.createServer({ noDelay: true }, (peer) => {
    const address = `${peer.remoteAddress ?? '?'}:${peer.remotePort ?? '?'}`;
    const hub = net.connect({ host: '127.0.0.1', port: options.xpubPort, noDelay: true });
    open.add(peer);
    open.add(hub);
    const reader = new ZmtpReader(MAX_FRAME_BYTES);
    const held = new Held(budget);
    let told = false;
    const end = (why?: string) => {
      if (why) reports.disconnected(why);
      peer.destroy();
      hub.destroy();
    };
    peer.on('close', () => {
      open.delete(peer);
      held.release();
      hub.destroy();
    });
    hub.on('close', () => {
      open.delete(hub);
      peer.destroy();
    });
    peer.on('error', () => end());
    hub.on('error', () => end());
    hub.pipe(peer);

    const handle = (chunk: Buffer) => {
      if (peer.destroyed) return;
      let reads;
      try {
        reads = reader.push(chunk);
      } catch (error) {
        end(error instanceof ZmtpError ? error.message : String(error));
        return;
      }
      const pass: Buffer[] = [];
      for (const r of reads) {
        if (r.kind === 'greeting') {
          pass.push(r.raw);
          continue;
        }
        const verdict = held.judge(r.frame);
        if (verdict === 'pass') pass.push(r.frame.raw);
        else if (verdict === 'refuse' && !told) {
          told = true;
          reports.refused(address);
        } else if (typeof verdict === 'object') {
          end(verdict.close);
          return;
        }
      }
      const resume = () => void (!peer.destroyed && peer.resume());
      if (pass.length > 0 && !hub.write(pass.length === 1 ? pass[0] as Buffer : Buffer.concat(pass))) hub.once('drain', resume);
      else resume();
    };
    peer.on('data', (chunk: Buffer) => {
      // Paused until its turn comes and the hub's side has room.
      peer.pause();
      queue.push(() => handle(chunk));
      if (!draining) {
        draining = true;
        setImmediate(drain);
      }
    });
  });
  const port = await listen(server, options.port, options.host, {
    maxConnections: MAX_SUBSCRIBERS,
    onRefused: (count) => log.warn({ count }, 'subscriber connections refused: the hub holds as many as it takes'),
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      reports.stop();
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
