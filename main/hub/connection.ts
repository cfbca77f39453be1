/**
 * The hub connection: connect / disconnect, reconnect with exponential backoff and jitter (capped at 3 s), the
 * subscriptions sent on every (re)connect, and the Identify heartbeat. Its status is the panel API's
 * ConnectionStatus. It knows nothing of what the frames mean; the engine does.
 */
import { BROADCAST, encodeFrame, envelope, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import type { ConnectionStatus } from '../../shared/panel/api.ts';
import type { Transport, TransportFactory } from './transport.ts';
import type { Logger } from './types.ts';

/** First retry after about this long; each further attempt doubles it, up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 250;
export const MAX_BACKOFF_MS = 3000;

/** Delay before reconnect attempt `attempt` (1-based): exponential, capped, with jitter in [50%, 100%]. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random() / 2));
}

/**
 * What the panel subscribes to, on every (re)connect:
 * - `Update`, `CallResult`, `Log` and `Self` addressed to the panel (Get replies, Call replies, Logs meant for it,
 *   Identify answers);
 * - `Update` and `Log` to `BROADCAST` (every state change, every service's log lines, Set refusals);
 * - every `Startup` (a service restarted: read it again);
 * - every `Identify` (the panel is a service too: it answers with its Self, so other panels and tools see it);
 * - every `Set` and `Reset`: the hub hands the panel's own back to it in routing order, which tells the panel from
 *   which point on a service's Update can be the answer (see requests.ts); other panels' show in the message log.
 */
export function panelSubscriptions(panelName: string): string[] {
  return [
    topicPrefix('Update', { Target: panelName }),
    topicPrefix('CallResult', { Target: panelName }),
    topicPrefix('Log', { Target: panelName }),
    topicPrefix('Self', { Target: panelName }),
    topicPrefix('Update', { Target: BROADCAST }),
    topicPrefix('Log', { Target: BROADCAST }),
    topicPrefix('Startup'),
    topicPrefix('Identify'),
    topicPrefix('Set'),
    topicPrefix('Reset'),
  ];
}

export interface ConnectionOptions {
  panelName: string;
  transport: TransportFactory;
  heartbeatMs: number;
  logger: Logger;
  now?: () => number;
}

export interface ConnectionEvents {
  /** Every status change. */
  onStatus(status: ConnectionStatus): void;
  /** Connected and subscribed (after the first Identify went out). */
  onUp(): void;
  /** A connection that was up ended (lost, refused, or closed by disconnect()). */
  onDown(reason: string): void;
  /** A text frame from the hub. */
  onFrame(text: string): void;
  /** A frame the panel sent: the message and its text, or a control frame (message null). */
  onSent(text: string, message: Envelope | null): void;
  /** Every heartbeat while connected, after its Identify was sent. */
  onHeartbeat(): void;
}

export class Connection {
  private transport: Transport | null = null;
  private up = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private url = '';
  private token: string | undefined;
  private current: ConnectionStatus;
  private readonly now: () => number;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.now = options.now ?? Date.now;
    this.current = { state: 'disconnected', hubUrl: '', panelName: options.panelName, since: this.now() };
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  get connected(): boolean {
    return this.up;
  }

  get hubUrl(): string {
    return this.url;
  }

  /** Connects to `url`, dropping any current connection or pending retry first. */
  connect(url: string, token?: string): void {
    this.stop('reconnecting to another hub');
    this.url = url;
    this.token = token;
    this.attempt = 0;
    this.setStatus({ state: 'connecting' });
    this.open();
  }

  /** Ends the connection and stops retrying. */
  disconnect(reason = 'disconnected by the panel'): void {
    this.stop(reason);
    this.setStatus({ state: 'disconnected', reason });
  }

  /** Sends a message; false when not connected. */
  send(message: Envelope): boolean {
    if (!this.up || !this.transport) return false;
    const text = encodeFrame(message);
    if (!this.transport.send(text)) return false;
    this.events.onSent(text, message);
    return true;
  }

  private stop(reason: string): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopHeartbeat();
    const transport = this.transport;
    this.transport = null;
    transport?.close();
    if (this.up) {
      this.up = false;
      this.events.onDown(reason);
    }
  }

  private open(): void {
    const transport = this.options.transport(
      { url: this.url, ...(this.token ? { token: this.token } : {}) },
      {
        onOpen: () => {
          if (this.transport !== transport) return;
          this.onOpen(transport);
        },
        onMessage: (text) => {
          if (this.transport === transport) this.events.onFrame(text);
        },
        onClose: (reason, fatal) => {
          if (this.transport !== transport) return;
          this.onClose(reason, fatal);
        },
      },
    );
    this.transport = transport;
  }

  private onOpen(transport: Transport): void {
    const control = transport.subscribe(panelSubscriptions(this.options.panelName));
    if (control !== null) this.events.onSent(control, null);
    this.up = true;
    this.attempt = 0;
    this.setStatus({ state: 'connected' });
    this.identify();
    this.heartbeatTimer = setInterval(() => {
      this.identify();
      this.events.onHeartbeat();
    }, this.options.heartbeatMs);
    this.events.onUp();
  }

  private identify(): void {
    this.send(envelope<'Identify'>({ Type: 'Identify', Source: this.options.panelName }, {}));
  }

  private onClose(reason: string, fatal: boolean): void {
    this.transport = null;
    this.stopHeartbeat();
    const wasUp = this.up;
    this.up = false;
    if (wasUp) this.events.onDown(reason);
    if (fatal) {
      this.options.logger.error({ hub: this.url, reason }, 'hub connection failed; not retrying');
      this.setStatus({ state: 'failed', reason });
      return;
    }
    this.attempt++;
    const delay = backoffDelay(this.attempt);
    this.options.logger.warn({ hub: this.url, reason, attempt: this.attempt, delayMs: delay }, 'hub connection down; retrying');
    this.setStatus({ state: 'reconnecting', attempt: this.attempt, retryAt: this.now() + delay, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private setStatus(fields: Pick<ConnectionStatus, 'state'> & Partial<Pick<ConnectionStatus, 'attempt' | 'retryAt' | 'reason'>>): void {
    const status: ConnectionStatus = { state: fields.state, hubUrl: this.url, panelName: this.options.panelName, since: this.now() };
    if (fields.attempt !== undefined) status.attempt = fields.attempt;
    if (fields.retryAt !== undefined) status.retryAt = fields.retryAt;
    if (fields.reason !== undefined) status.reason = fields.reason;
    this.current = status;
    this.events.onStatus(status);
  }

  /** Stops everything without a status event (the engine is closing). */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopHeartbeat();
    const transport = this.transport;
    this.transport = null;
    this.up = false;
    transport?.close();
  }
}
