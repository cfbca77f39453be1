/**
 * The panel API over the browser host's WebSocket bridge (main/web/bridge.ts), as a PanelHostApi.
 *
 * - The session token (from the page URL's `#token=…`) is offered as the subprotocol `token.<token>` next to
 *   `assethub-panel.v1`; the host checks it before the upgrade, so a wrong token never gets a socket.
 * - Commands carry increasing ids and time out; results are validated with the command's schema, events with
 *   parseEvent. Anything malformed is dropped with a warning, never applied.
 * - When the bridge drops it reconnects with backoff (0.5 s doubling to 10 s); commands in flight fail with
 *   BRIDGE_CLOSED (whether they ran is unknown), commands given while it is down wait for it until their timeout.
 *   Listeners of onTransport learn when it is open again, so the store reloads the snapshot.
 */
import {
  COMMANDS,
  CommandResponse,
  EventMessage,
  parseEvent,
  type CommandArgs,
  type CommandName,
  type CommandResult,
  type EventData,
  type EventName,
  type PanelHostApi,
} from '../../../shared/panel/api.ts';

export const BRIDGE_PATH = '/bridge';
export const BRIDGE_PROTOCOL = 'assethub-panel.v1';
export const DEFAULT_REQUEST_TIMEOUT_MS = 45_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/** An error from the panel API: the engine's or service's code and message, or the bridge's own. */
export class PanelApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PanelApiError';
  }
}

export type TransportState =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  | { state: 'waiting'; attempt: number; retryAt: number; reason: string }
  | { state: 'closed' };

/** The part of the browser's WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export interface BridgeClientOptions {
  /** ws(s)://host/bridge */
  url: string;
  token: string;
  requestTimeoutMs?: number;
  createSocket?: (url: string, protocols: string[]) => SocketLike;
  random?: () => number;
}

interface Pending {
  command: CommandName;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  /** The request text; null once sent. */
  unsent: string | null;
}

const OPEN = 1;

/** The bridge URL for a page served by the browser host. */
export function bridgeUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_PATH}`;
}

/** The session token from a URL fragment like `#token=abc`, or null. */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  return token && /^[A-Za-z0-9_-]{16,256}$/.test(token) ? token : null;
}

export class BridgeClient implements PanelHostApi {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private readonly transportListeners = new Set<(state: TransportState) => void>();
  private current: TransportState = { state: 'closed' };
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private readonly timeoutMs: number;
  private readonly createSocket: (url: string, protocols: string[]) => SocketLike;
  private readonly random: () => number;

  constructor(private readonly options: BridgeClientOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.createSocket = options.createSocket ?? ((url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike);
    this.random = options.random ?? Math.random;
  }

  get transport(): TransportState {
    return this.current;
  }

  onTransport(listener: (state: TransportState) => void): () => void {
    this.transportListeners.add(listener);
    return () => this.transportListeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close(1000, 'closed by the page');
    }
    this.failAll('BRIDGE_CLOSED', 'the page closed the bridge');
    this.setTransport({ state: 'closed' });
  }

  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    return new Promise<CommandResult<C>>((resolve, reject) => {
      if (this.stopped) return reject(new PanelApiError('BRIDGE_CLOSED', 'the bridge is not started'));
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new PanelApiError('TIMEOUT', `${command}: no answer from the panel host within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      let text: string;
      try {
        text = JSON.stringify({ id, command, args: args ?? {} });
      } catch (error) {
        clearTimeout(timer);
        return reject(new PanelApiError('INVALID_ARGS', `${command}: the arguments cannot be sent (${String(error)})`));
      }
      this.pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject, timer, unsent: text });
      this.flush();
    });
  }

  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as (data: never) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  // ---- internals ----

  private setTransport(state: TransportState): void {
    this.current = state;
    for (const listener of [...this.transportListeners]) listener(state);
  }

  private open(): void {
    this.attempt++;
    this.setTransport({ state: 'connecting', attempt: this.attempt });
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.options.url, [BRIDGE_PROTOCOL, `token.${this.options.token}`]);
    } catch (error) {
      this.retry(`cannot open the bridge: ${String(error)}`);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.setTransport({ state: 'open' });
      this.flush();
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data);
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      // The sent commands may or may not have run: they fail; unsent ones wait for the next socket.
      for (const [id, p] of this.pending) {
        if (p.unsent !== null) continue;
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new PanelApiError('BRIDGE_CLOSED', `${p.command}: the connection to the panel host dropped before the answer`));
      }
      const reason =
        event.code === 1006 || event.code === 0
          ? 'the panel host cannot be reached (stopped, or this page\'s token is out of date)'
          : `the panel host closed the bridge (${event.code}${event.reason ? `: ${event.reason}` : ''})`;
      this.retry(reason);
    };
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, this.attempt - 1));
    const delay = Math.round(base * (0.75 + this.random() / 4));
    this.setTransport({ state: 'waiting', attempt: this.attempt, retryAt: Date.now() + delay, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    for (const p of this.pending.values()) {
      if (p.unsent === null) continue;
      socket.send(p.unsent);
      p.unsent = null;
    }
  }

  private failAll(code: string, message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new PanelApiError(code, `${p.command}: ${message}`));
    }
  }

  private receive(data: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(typeof data === 'string' ? data : '');
    } catch {
      console.warn('panel bridge: a message that is not JSON was dropped');
      return;
    }
    if (typeof message === 'object' && message !== null && 'event' in message) {
      const parsed = EventMessage.safeParse(message);
      const data = parsed.success ? parseEvent(parsed.data.event, parsed.data.data) : null;
      if (!parsed.success || data === null) {
        console.warn('panel bridge: an invalid event was dropped', parsed.success ? parsed.data.event : message);
        return;
      }
      for (const listener of [...(this.listeners.get(parsed.data.event) ?? [])]) {
        try {
          (listener as (d: unknown) => void)(data);
        } catch (error) {
          console.error('panel bridge: an event listener failed', error);
        }
      }
      return;
    }
    const response = CommandResponse.safeParse(message);
    if (!response.success) {
      console.warn('panel bridge: an invalid response was dropped');
      return;
    }
    const p = this.pending.get(response.data.id);
    if (!p) {
      if (response.data.id < 0 && !response.data.ok) console.warn(`panel bridge: the host refused a message: ${response.data.error.message}`);
      return;
    }
    this.pending.delete(response.data.id);
    clearTimeout(p.timer);
    if (!response.data.ok) {
      p.reject(new PanelApiError(response.data.error.code, response.data.error.message));
      return;
    }
    const result = COMMANDS[p.command].result.safeParse(response.data.result);
    if (!result.success) {
      p.reject(new PanelApiError('BAD_RESULT', `${p.command}: the host's answer does not match the contract`));
      return;
    }
    p.resolve(result.data);
  }
}
