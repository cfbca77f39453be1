/**
 * Reads the bytes one ZeroMQ peer sends (ZMTP 3.0/3.1, rfc.zeromq.org/spec/23 and /37) as they arrive: the 64-byte
 * greeting, then frames. Only what the subscription guard needs: it never builds messages, and it refuses what a
 * subscriber never sends (another mechanism than NULL, an older ZMTP, reserved flag bits, a frame over `maxFrameBytes`,
 * a command marked MORE) before buffering it.
 */

const GREETING_BYTES = 64;
const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;

export interface ZmtpFrame {
  /** The frame as it came, header included (what is passed on). */
  raw: Buffer;
  /** A command's name (READY, SUBSCRIBE, CANCEL, PING …); null for a message frame. */
  command: string | null;
  /** A command's data, or a message frame's body. */
  body: Buffer;
  /** The first frame of a message (a subscription message is one frame on its own). */
  first: boolean;
  more: boolean;
}

export type ZmtpRead =
  /** Bytes of the greeting, passed on as they come: both sides send it in steps, each waiting for the other's. */
  | { kind: 'greeting'; raw: Buffer }
  | { kind: 'frame'; frame: ZmtpFrame };

export class ZmtpError extends Error {}

/** Checks as much of a greeting as has come. */
function checkGreeting(g: Buffer): void {
  if (g[0] !== 0xff || (g.length > 9 && g[9] !== 0x7f)) throw new ZmtpError('not a ZMTP 3 greeting');
  if (g.length > 10 && (g[10] as number) < 3) throw new ZmtpError(`ZMTP ${g[10]}.x (the hub speaks 3.x)`);
  if (g.length >= 32) {
    const mechanism = g.subarray(12, 32).toString('latin1').replace(/\0+$/, '');
    if (mechanism !== 'NULL') throw new ZmtpError(`security mechanism ${JSON.stringify(mechanism.slice(0, 20))} (the hub uses NULL)`);
  }
}

export class ZmtpReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Greeting bytes read so far (the first GREETING_BYTES bytes of the stream). */
  private greeting = Buffer.alloc(0);
  private inMessage = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Takes the next bytes; returns what they completed. Throws ZmtpError on anything not allowed. */
  push(chunk: Buffer): ZmtpRead[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: ZmtpRead[] = [];
    let data = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    let at = 0;
    for (;;) {
      if (this.greeting.length < GREETING_BYTES) {
        const part = data.subarray(at, at + GREETING_BYTES - this.greeting.length);
        if (part.length === 0) break;
        this.greeting = Buffer.concat([this.greeting, part]);
        checkGreeting(this.greeting);
        out.push({ kind: 'greeting', raw: part });
        at += part.length;
        continue;
      }
      const available = data.length - at;
      if (available < 2) break;
      const flags = data[at] as number;
      if ((flags & ~(FLAG_MORE | FLAG_LONG | FLAG_COMMAND)) !== 0) throw new ZmtpError(`reserved frame flags 0x${flags.toString(16)}`);
      const long = (flags & FLAG_LONG) !== 0;
      const head = long ? 9 : 2;
      if (available < head) break;
      const size = long ? data.readBigUInt64BE(at + 1) : BigInt(data[at + 1] as number);
      if (size > BigInt(this.maxFrameBytes)) throw new ZmtpError(`a frame of ${size} bytes (a subscriber's are at most ${this.maxFrameBytes})`);
      const end = at + head + Number(size);
      if (data.length < end) break;
      const raw = data.subarray(at, end);
      const payload = raw.subarray(head);
      const isCommand = (flags & FLAG_COMMAND) !== 0;
      if (isCommand) {
        if ((flags & FLAG_MORE) !== 0) throw new ZmtpError('a command marked MORE');
        const nameLength = payload[0] ?? 0;
        if (payload.length < 1 + nameLength) throw new ZmtpError('a command shorter than its name');
        const command = payload.subarray(1, 1 + nameLength).toString('latin1');
        out.push({ kind: 'frame', frame: { raw, command, body: payload.subarray(1 + nameLength), first: false, more: false } });
      } else {
        const more = (flags & FLAG_MORE) !== 0;
        out.push({ kind: 'frame', frame: { raw, command: null, body: payload, first: !this.inMessage, more } });
        this.inMessage = more;
      }
      at = end;
    }
    // Keep only what is not read yet (at most one frame's header and body).
    data = data.subarray(at);
    this.pending = data.length > 0 ? [Buffer.from(data)] : [];
    this.pendingBytes = data.length;
    return out;
  }
}
