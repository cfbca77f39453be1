/**
 * How the server's WorkspaceInfo goes out. It lists every client (hundreds in a large show), and each client's Status
 * changes several times a second while it syncs: re-broadcasting the whole state on every tick would send every
 * client's entry to every subscriber each time one of them moved. So changes are gathered for a short while, then
 * only what changed is sent, each as an Update addressed by dot notation (docs/PROTOCOL.md §1: `Name` addresses a
 * value): `WorkspaceInfo.Clients.<name>` for a client's entry and `WorkspaceInfo.Status` for the aggregate when it
 * moved. The whole state goes out when a client left (an entry cannot be removed by a path Update), or when most
 * entries changed anyway (one frame is then cheaper than hundreds).
 */
export interface WorkspaceInfoOutlet {
  /** Broadcasts the whole state. */
  whole(): void;
  /** Broadcasts the value at a path below WorkspaceInfo (decoded names). */
  at(path: readonly string[]): void;
  /** The aggregate Status as it would be sent now. */
  status(): unknown;
  /** Clients listed now. */
  count(): number;
  has(client: string): boolean;
}

/** Changes gathered this long go out together. */
export const WORKSPACE_INFO_EVERY_MS = 200;

export class WorkspaceInfoBroadcaster {
  private readonly changed = new Set<string>();
  private whole = false;
  private timer: NodeJS.Timeout | null = null;
  /** The aggregate Status last sent (JSON), to send it only when it moved. */
  private sentStatus = '';

  constructor(private readonly outlet: WorkspaceInfoOutlet) {}

  /** A client's entry was added or changed. */
  client(name: string): void {
    this.changed.add(name);
    this.schedule();
  }

  /** Clients left, or anything else a path Update cannot say. */
  all(): void {
    this.whole = true;
    this.schedule();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), WORKSPACE_INFO_EVERY_MS);
  }

  private flush(): void {
    this.timer = null;
    const status = JSON.stringify(this.outlet.status());
    const names = [...this.changed];
    this.changed.clear();
    if (this.whole || names.some((n) => !this.outlet.has(n)) || names.length * 2 > this.outlet.count()) {
      this.whole = false;
      this.sentStatus = status;
      this.outlet.whole();
      return;
    }
    for (const name of names) this.outlet.at(['Clients', name]);
    if (status !== this.sentStatus) {
      this.sentStatus = status;
      this.outlet.at(['Status']);
    }
  }
}
