/** The About box's text: what an operator reads out when asking for help (version, hub, where the data and logs are). */
import type { ConnectionStatus, HostInfo } from '../../shared/panel/api.ts';

export interface AboutFacts {
  version: string;
  connection: Pick<ConnectionStatus, 'state' | 'hubUrl'>;
  /** The host's info: how the panel is on its hub, and the embedded services' data folder. */
  host: Pick<HostInfo, 'hub' | 'embedded'>;
  logsDir: string;
  versions: { electron?: string; chrome?: string; node: string };
}

export function aboutDetail(facts: AboutFacts): string {
  const { connection, host, versions } = facts;
  const hub = connection.hubUrl ? `${connection.hubUrl} (${connection.state}${host.hub === 'embedded' ? ', the embedded services' : ''})` : 'none';
  return [
    `Version ${facts.version}`,
    `Hub: ${hub}`,
    `Data folder: ${host.embedded ? `${host.embedded.dataDir}${host.embedded.ephemeral ? ' (temporary: removed on quit)' : ''}` : 'none (no embedded services)'}`,
    `Logs: ${facts.logsDir}`,
    `Electron ${versions.electron ?? '?'} · Chromium ${versions.chrome ?? '?'} · Node ${versions.node}`,
  ].join('\n');
}
