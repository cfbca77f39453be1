/**
 * Typed reads of the states in the store. The engine validated every cached state with the documented schemas before it
 * reached the renderer, so the casts below restate what was checked; a state not read yet is undefined.
 */
import type { ClientStates, ServerStates } from '../../../shared/assethub/states.ts';
import { SERVER_NAME, parseServiceName } from '../../../shared/protocol/names.ts';
import type { ServiceEntry } from '../../../shared/panel/api.ts';
import { own } from '../../../shared/dict.ts';
import type { PanelData } from '../store/panel.ts';

export { SERVER_NAME };

export type Server = { [K in keyof ServerStates]?: ServerStates[K] };
export type Client = { [K in keyof ClientStates]?: ClientStates[K] };

export const serverOf = (data: PanelData | null): Server => (own(data?.states, SERVER_NAME) ?? {}) as Server;
export const clientOf = (data: PanelData | null, name: string): Client => (own(data?.states, name) ?? {}) as Client;

/** localeCompare's order, without building a collator per comparison (hundreds of machines, sorted per Update). */
export const byName = new Intl.Collator().compare;

/**
 * What the machine filter shows: every machine for no text; a machine named exactly that (any case) alone, so choosing
 * STAGE-A does not also show STAGE-AB; else every machine whose name contains the text (any case).
 */
export function machineMatcher(all: readonly string[], query: readonly string[]): (machine: string) => boolean {
  const wanted = query.map((q) => q.trim().toLowerCase()).filter((q) => q !== '');
  if (wanted.length === 0) return () => true;
  const names = new Set(all.map((m) => m.toLowerCase()));
  const exact = wanted.filter((q) => names.has(q));
  const loose = wanted.filter((q) => !names.has(q));
  return (machine) => {
    const m = machine.toLowerCase();
    return exact.includes(m) || loose.some((q) => m.includes(q));
  };
}

/** Client services, by name; with a machine filter (see machineMatcher), only the machines it matches. */
export function clientEntries(data: PanelData | null, machines: readonly string[] = []): ServiceEntry[] {
  if (!data) return [];
  const clients = sortedClients(data.services);
  if (machines.length === 0) return clients;
  const match = machineMatcher(clients.map((c) => machineOf(c.name)), machines);
  return clients.filter((s) => match(machineOf(s.name)));
}

const clientCache = new WeakMap<object, ServiceEntry[]>();

/** The client entries by name, sorted once per services map (the store keeps it while only states change). */
function sortedClients(services: Record<string, ServiceEntry>): ServiceEntry[] {
  const hit = clientCache.get(services);
  if (hit) return hit;
  const clients = Object.values(services).filter((s) => s.kind === 'client').sort((a, b) => byName(a.name, b.name));
  clientCache.set(services, clients);
  return clients;
}

/** `STAGE-A-AssetHubClient` → `STAGE-A`. */
export const machineOf = (service: string): string => parseServiceName(service)?.machine ?? service;

/** Every machine with a client, for the machine filter. */
export const machines = (data: PanelData | null): string[] => clientEntries(data).map((c) => machineOf(c.name));

export const shortId = (id: string | null | undefined): string => (id ? id.slice(0, 8) : '—');
