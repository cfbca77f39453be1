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
  const match = machineMatcher(clientMachines(data.services), machines);
  return clients.filter((s) => match(machineOf(s.name)));
}

const namesCache = new WeakMap<object, readonly string[]>();
let lastNames: readonly string[] = [];

/**
 * The client services' names, sorted. The store makes a new services map whenever an entry changes (a machine heard
 * from, every second or so for each of hundreds), rarely with another set of clients: then the same array comes back,
 * found in one pass, with no sort, and what is derived from it keeps its identity too.
 */
export function clientNames(services: Record<string, ServiceEntry>): readonly string[] {
  const hit = namesCache.get(services);
  if (hit) return hit;
  const isClient = (name: string) => own(services, name)?.kind === 'client';
  let count = 0;
  for (const entry of Object.values(services)) if (entry.kind === 'client') count++;
  const names = count === lastNames.length && lastNames.every(isClient) ? lastNames : Object.keys(services).filter(isClient).sort(byName);
  namesCache.set(services, names);
  lastNames = names;
  return names;
}

const clientCache = new WeakMap<object, ServiceEntry[]>();

/** The client entries by name, once per services map. */
function sortedClients(services: Record<string, ServiceEntry>): ServiceEntry[] {
  const hit = clientCache.get(services);
  if (hit) return hit;
  const clients = clientNames(services).map((name) => own(services, name) as ServiceEntry);
  clientCache.set(services, clients);
  return clients;
}

const machinesCache = new WeakMap<readonly string[], string[]>();

/** The client machines' names, in the clients' order; the same array while the clients are the same. */
function clientMachines(services: Record<string, ServiceEntry>): string[] {
  const names = clientNames(services);
  const hit = machinesCache.get(names);
  if (hit) return hit;
  const machines = names.map(machineOf);
  machinesCache.set(names, machines);
  return machines;
}

const machineNames = new Map<string, string>();

/** `STAGE-A-AssetHubClient` → `STAGE-A`. */
export const machineOf = (service: string): string => {
  const hit = machineNames.get(service);
  if (hit !== undefined) return hit;
  // Bounded: names come from the hub; a flood of new ones must not grow this without end.
  if (machineNames.size >= 10_000) machineNames.clear();
  const machine = parseServiceName(service)?.machine ?? service;
  machineNames.set(service, machine);
  return machine;
};

const NO_MACHINES: string[] = [];

/** Every machine with a client, for the machine filter: the same array while the clients are the same. */
export const machines = (data: PanelData | null): string[] => (data ? clientMachines(data.services) : NO_MACHINES);

export const shortId = (id: string | null | undefined): string => (id ? id.slice(0, 8) : '—');
