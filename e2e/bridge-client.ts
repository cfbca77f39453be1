/**
 * The tests' own line to the panel host's bridge (with the session token and the page's Origin), to check flows against
 * the services' own state: a `get` here is a fresh Get to the service, not what the page shows.
 */
import WebSocket from 'ws';
import { panelPort, sessionToken } from './panel-host.ts';

export interface WorkspaceAssets {
  Name: string;
  LocalChanges: Array<{ Type: string; URI: string }>;
  RemoteChanges: Array<{ Type: string; URI: string }>;
  ConflictURIs: string[];
}

export class BridgeClient {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private socket: WebSocket;
  private reopening: Promise<WebSocket> | null = null;
  private closedByUs = false;

  private constructor(
    socket: WebSocket,
    private readonly port: number,
    private readonly token: string,
  ) {
    this.socket = this.attach(socket);
  }

  private static connect(port: number, token: string): Promise<WebSocket> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/bridge`, ['assethub-panel.v1', `token.${token}`], { headers: { Origin: `http://127.0.0.1:${port}` } });
    return new Promise((resolve, reject) => socket.once('open', () => resolve(socket)).once('error', reject));
  }

  /** To the global setup's host, or to the host that printed `pageUrl` (`http://127.0.0.1:<port>/#token=…`). */
  static async open(pageUrl?: string): Promise<BridgeClient> {
    const port = pageUrl === undefined ? panelPort() : Number(new URL(pageUrl).port);
    const token = pageUrl === undefined ? sessionToken() : new URL(pageUrl).hash.replace(/^#token=/, '');
    return new BridgeClient(await BridgeClient.connect(port, token), port, token);
  }

  /**
   * The host drops a socket that falls far behind its events (a loaded machine, states of 100,000 changes): what was
   * in flight fails at once, saying so, and the next command opens a new socket, as the page itself would.
   */
  private attach(socket: WebSocket): WebSocket {
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; ok?: boolean; result?: unknown; error?: { code: string; message: string } };
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p || msg.id === undefined) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(Object.assign(new Error(`${msg.error?.code}: ${msg.error?.message}`), { code: msg.error?.code }));
    });
    socket.on('close', (code) => {
      if (this.closedByUs) return;
      console.warn(`e2e bridge client: the host closed its socket (${code}); the next command reconnects`);
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) p.reject(Object.assign(new Error(`the bridge socket closed (${code})`), { code: 'BRIDGE_CLOSED' }));
    });
    return socket;
  }

  private async ready(): Promise<WebSocket> {
    if (this.socket.readyState === WebSocket.OPEN) return this.socket;
    this.reopening ??= BridgeClient.connect(this.port, this.token).then(
      (socket) => ((this.reopening = null), (this.socket = this.attach(socket))),
      (error: unknown) => {
        this.reopening = null;
        throw error;
      },
    );
    return this.reopening;
  }

  async invoke(command: string, args: Record<string, unknown>, timeoutMs = 15_000): Promise<unknown> {
    const socket = await this.ready();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${command}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: (v) => (clearTimeout(timer), resolve(v)), reject: (e) => (clearTimeout(timer), reject(e)) });
      socket.send(JSON.stringify({ id, command, args }));
    });
  }

  /** A fresh read of a service's value (decoded segments). */
  get(service: string, path: string[]): Promise<unknown> {
    return this.invoke('get', { service, path });
  }

  call(service: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    return this.invoke('call', { service, method, params });
  }

  /** Every result of a paged Call (QueryAssets, QueryIntegrationAssets…), following its cursors with pages of 500. */
  async allPages<T>(service: string, method: string, params: Record<string, unknown>): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    do {
      const page = (await this.call(service, method, { ...params, Limit: 500, ...(cursor ? { Cursor: cursor } : {}) })) as { pagination: { nextCursor: string | null }; results: T[] };
      out.push(...page.results);
      cursor = page.pagination.nextCursor;
    } while (cursor);
    return out;
  }

  /** The workspace key (absolute path) a client has for a repository. */
  async workspaceOf(client: string, repository: string): Promise<string> {
    const p = (await this.get(client, ['PersistentState'])) as { Workspaces: Record<string, { Name: string; Repository: string }> };
    const ws = Object.values(p.Workspaces ?? {}).find((w) => w.Repository === repository);
    if (!ws) throw new Error(`${client} has no workspace of ${repository}`);
    return ws.Name;
  }

  /** A workspace's AssetInfo entry, read fresh from the client. */
  async assetsOf(client: string, ws: string): Promise<WorkspaceAssets> {
    const info = (await this.get(client, ['AssetInfo'])) as { Workspaces: Record<string, WorkspaceAssets> };
    const a = Object.values(info.Workspaces ?? {}).find((w) => w.Name === ws);
    if (!a) throw new Error(`${client} reports no assets for ${ws}`);
    return a;
  }

  close(): void {
    this.closedByUs = true;
    this.socket.close();
  }
}
