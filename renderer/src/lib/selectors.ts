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

/** Client services, by name; with a machine filter, only those machines. */
export function clientEntries(data: PanelData | null, machines: readonly string[] = []): ServiceEntry[] {
  if (!data) return [];
  return Object.values(data.services)
    .filter((s) => s.kind === 'client' && (machines.length === 0 || machines.includes(machineOf(s.name))))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `STAGE-A-AssetHubClient` → `STAGE-A`. */
export const machineOf = (service: string): string => parseServiceName(service)?.machine ?? service;

/** Every machine with a client, for the machine filter. */
export const machines = (data: PanelData | null): string[] => clientEntries(data).map((c) => machineOf(c.name));

export const shortId = (id: string | null | undefined): string => (id ? id.slice(0, 8) : '—');
