/** Service names (docs/PROTOCOL.md §2). */

export const BROADCAST = 'BROADCAST';
export const SERVER_NAME = 'AssetHubServer';
export const CLIENT_SERVICE = 'AssetHubClient';
export const PANEL_SERVICE = 'AssetHubPanel';

/** Names Pixotope reserves for its own services; no Asset Hub service or panel may take them. */
export const RESERVED_NAMES: readonly string[] = [
  'Store', 'CTS', 'Pipeline', 'Daemon', 'Engine', 'AssetHub', 'Director', 'License', 'QueryServer', 'Gateway', 'Explorer',
];

/** The hub uses this sequence internally; it must never appear in a topic. */
export const FORBIDDEN_TOPIC_SEQUENCE = ':::';

export interface ServiceName {
  machine: string;
  service: string;
}

/** `<Machine>-<Service>`. The machine part may itself contain `-` (e.g. `STAGE-A`). */
export function formatServiceName(machine: string, service: string): string {
  return `${machine}-${service}`;
}

/** Splits `<Machine>-<Service>` at its last `-`; a singleton such as `AssetHubServer` has no machine. */
export function parseServiceName(name: string): ServiceName | null {
  const at = name.lastIndexOf('-');
  if (at <= 0 || at === name.length - 1) return null;
  return { machine: name.slice(0, at), service: name.slice(at + 1) };
}

/** Why a name cannot be used as a service name on the hub, or null when it can. */
export function serviceNameProblem(name: string): string | null {
  if (name.length === 0) return 'a service name must not be empty';
  if (name === BROADCAST) return `"${BROADCAST}" addresses everyone and cannot name a service`;
  if (name.includes(FORBIDDEN_TOPIC_SEQUENCE)) return `a service name must not contain "${FORBIDDEN_TOPIC_SEQUENCE}"`;
  if (RESERVED_NAMES.includes(name)) return `"${name}" is reserved by Pixotope`;
  if (/[\u0000-\u001f"\\]/.test(name)) return 'a service name must not contain control characters, quotes or backslashes';
  return null;
}

export const isClientName = (name: string): boolean => parseServiceName(name)?.service === CLIENT_SERVICE;
