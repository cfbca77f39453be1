/**
 * Discovery: which services exist, what they are, and whether they are online.
 * - A service becomes known from its Self (answer to the panel's Identify; a Self of any body shape counts, its unknown
 *   fields shown as unknown), from the Source of any Update, Startup, Log or Identify, and by name only from the keys
 *   of the server's WorkspaceInfo.Clients.
 * - Kind: `server` / `client` by serviceKindOf, `hub` for DataHub, `panel` for `<Machine>-AssetHubPanel[-suffix]`,
 *   `other` otherwise.
 * - Online rule: heard from (any message with it as Source) within ONLINE_HEARTBEATS heartbeats. Every service
 *   answers the panel's Identify, so a live service is heard at least once per heartbeat. While the panel itself has
 *   no hub connection, every service is offline (nothing can be heard).
 * - Offline panels are forgotten after FORGET_PANEL_HEARTBEATS heartbeats (a panel gets a new name each run), and so
 *   is any service that never answered Identify with a Self (a name anyone can put in a Source). A service that did
 *   stays listed while offline: a machine that went away is something the operator must see.
 * - At most MAX_SERVICES entries (a peer spoofing thousands of names must not grow the panel without end). Names rank:
 *   the server, the hub and the clients the server lists (it vouches for them) first; then names that answered
 *   Identify with a Self; then names only heard. When full, a newcomer takes the place of the longest-silent entry of
 *   a lower rank, or of its own rank when that one is offline; else it is not listed. So thousands of spoofed names
 *   answering Self can fill the list, but never keep out a client the server lists.
 */
import type { ServiceEntry, ServiceOffer } from '../../shared/panel/api.ts';
import { serviceKindOf } from '../../shared/assethub/index.ts';
import { PANEL_SERVICE, parseServiceName, type SelfInfo } from '../../shared/protocol/index.ts';
import { HUB_NAME } from './types.ts';

export const ONLINE_HEARTBEATS = 2.5;
export const FORGET_PANEL_HEARTBEATS = 12;
export const MAX_SERVICES = 2048;
/**
 * An entry's lastSeen moves by at least this much: a peer heard four times a second (a client's status during a pull)
 * changes its entry, and sends it to the pages, once a second. The pages show it to the second ("3 s ago"); whether a
 * peer is online is judged from when it was last heard, to the millisecond.
 */
export const LAST_SEEN_STEP_MS = 1000;

export type Kind = ServiceEntry['kind'];

const PANEL_NAME = new RegExp(`^(.+)-${PANEL_SERVICE}(?:-[^-]+)?$`);

export function kindOf(name: string): Kind {
  if (name === HUB_NAME) return 'hub';
  const kind = serviceKindOf(name);
  if (kind) return kind;
  return PANEL_NAME.test(name) ? 'panel' : 'other';
}

/** The machine a service's name says it runs on (per-machine services), or null. */
function machineFromName(name: string, kind: Kind): string | null {
  if (kind === 'client') return parseServiceName(name)?.machine ?? null;
  if (kind === 'panel') return PANEL_NAME.exec(name)?.[1] ?? null;
  return null;
}

export interface DirectoryEvents {
  /** An entry was added or changed (its current value is in the directory). */
  onChange(name: string): void;
  /** An entry was removed. */
  onForget(name: string): void;
  /** A service went from offline (or unknown) to online. */
  onOnline(name: string, kind: Kind): void;
}

export class Directory {
  private readonly entries = new Map<string, ServiceEntry>();
  /** Names that answered Identify with a Self (or that the server lists): real peers, kept while offline. */
  private readonly confirmed = new Set<string>();
  /** Names the server lists (WorkspaceInfo.Clients): they outrank every name only a peer claims. */
  private readonly vouched = new Set<string>();
  /** When each listed peer was last heard: lastSeen, to the millisecond. */
  private readonly heardAt = new Map<string, number>();
  /** Names not listed because the directory was full (reported, once per overflow). */
  refused = 0;

  constructor(
    private readonly selfName: string,
    private heartbeatMs: number,
    private readonly events: DirectoryEvents,
  ) {}

  get(name: string): ServiceEntry | undefined {
    return this.entries.get(name);
  }

  list(): ServiceEntry[] {
    return [...this.entries.values()];
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** 3: the server, the hub, a client the server lists; 2: answered with a Self; 1: only heard. */
  private rank(name: string): number {
    const kind = kindOf(name);
    if (kind === 'server' || kind === 'hub' || this.vouched.has(name)) return 3;
    return this.confirmed.has(name) ? 2 : 1;
  }

  /** The entry of `name`, made when there is room for a newcomer of rank `rank`; null when not listed. */
  private ensure(name: string, rank = 1): ServiceEntry | null {
    let entry = this.entries.get(name);
    if (!entry) {
      if (this.entries.size >= MAX_SERVICES && !this.makeRoom(rank)) {
        this.refused++;
        return null;
      }
      const kind = kindOf(name);
      entry = { name, kind, machine: machineFromName(name, kind), online: false, lastSeen: null, version: null, startedAt: null, error: null, offer: null };
      this.entries.set(name, entry);
      this.events.onChange(name);
    }
    return entry;
  }

  /**
   * Forgets, for a newcomer of rank `rank`, the longest-silent entry of a lower rank, or of the same rank and offline;
   * false when there is none.
   */
  private makeRoom(rank: number): boolean {
    let stalest: ServiceEntry | null = null;
    let stalestRank = Infinity;
    for (const entry of this.entries.values()) {
      const r = this.rank(entry.name);
      if (r > rank || (r === rank && entry.online)) continue;
      if (r < stalestRank || (r === stalestRank && this.lastHeard(entry) < (stalest ? this.lastHeard(stalest) : 0))) {
        stalest = entry;
        stalestRank = r;
      }
    }
    if (stalest === null) return false;
    this.forget(stalest.name);
    return true;
  }

  /** A message came from `name`: it is known, seen now and online. */
  heard(name: string, now: number): void {
    if (name === this.selfName) return;
    const entry = this.ensure(name, this.rank(name));
    if (!entry) return;
    this.heardAt.set(name, now);
    const step = entry.lastSeen === null || now - entry.lastSeen >= LAST_SEEN_STEP_MS;
    if (step) entry.lastSeen = now;
    if (step || !entry.online) this.events.onChange(name);
    if (!entry.online) {
      entry.online = true;
      this.events.onOnline(name, entry.kind);
    }
  }

  /**
   * A Self answer: version, start time and machine, each null when the body did not say (real Pixotope peers' Self
   * bodies are unknown: the peer is listed all the same). Without a Machine, a peer of another kind named
   * `<Machine>-<Service>` (Pixotope's per-machine services, e.g. `Machine1-CTS`) is placed by its name.
   */
  self(name: string, info: SelfInfo, now: number): void {
    if (name === this.selfName) return;
    const entry = this.ensure(name, Math.max(2, this.rank(name)));
    if (!entry) return;
    this.confirmed.add(name);
    entry.version = info.Version;
    entry.startedAt = info.StartedAt;
    entry.machine = machineFromName(name, entry.kind) ?? info.Machine ?? (entry.kind === 'other' ? parseServiceName(name)?.machine ?? null : null);
    this.heard(name, now);
  }

  /** Known by name only (a key of the server's WorkspaceInfo.Clients): the server vouches for it, so it stays listed. */
  named(name: string): void {
    if (name === this.selfName || !this.ensure(name, 3)) return;
    this.confirmed.add(name);
    this.vouched.add(name);
  }

  setOffer(name: string, offer: ServiceOffer | null): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.offer = offer;
    this.events.onChange(name);
  }

  setError(name: string, error: string | null): void {
    const entry = this.entries.get(name);
    if (!entry || entry.error === error) return;
    entry.error = error;
    this.events.onChange(name);
  }

  /** Marks services not heard from recently offline; forgets long-gone panels. */
  sweep(now: number): void {
    const onlineFor = ONLINE_HEARTBEATS * this.heartbeatMs;
    const forgetAfter = FORGET_PANEL_HEARTBEATS * this.heartbeatMs;
    for (const entry of this.entries.values()) {
      const age = entry.lastSeen === null ? Infinity : now - this.lastHeard(entry);
      if (entry.online && age > onlineFor) {
        entry.online = false;
        this.events.onChange(entry.name);
      }
      if ((entry.kind === 'panel' || !this.confirmed.has(entry.name)) && !entry.online && age > forgetAfter) this.forget(entry.name);
    }
  }

  /** The panel lost its hub: nobody can be heard. */
  allOffline(): void {
    for (const entry of this.entries.values()) {
      if (!entry.online) continue;
      entry.online = false;
      this.events.onChange(entry.name);
    }
  }

  /** When the peer was last heard (0: never). */
  private lastHeard(entry: ServiceEntry): number {
    return this.heardAt.get(entry.name) ?? entry.lastSeen ?? 0;
  }

  forget(name: string): void {
    this.heardAt.delete(name);
    this.confirmed.delete(name);
    this.vouched.delete(name);
    if (this.entries.delete(name)) this.events.onForget(name);
  }

  clear(): void {
    for (const name of [...this.entries.keys()]) this.forget(name);
  }
}
