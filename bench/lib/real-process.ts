/**
 * Child process of the show simulator: several real AssetHubClients (services/client, startClient, as
 * services/cli.ts runs one), each with its own database and synced storage under the given folder. Driven over the
 * IPC channel (./sim-protocol.ts); exits when the parent goes.
 */
import path from 'node:path';
import { startClient, type RunningClient } from '../../services/client/client.ts';
import { createLogger } from '../../services/lib/log.ts';
import type { RealReply, RealRequest } from './sim-protocol.ts';

const logger = createLogger('bench-client', 'error');
let clients: RunningClient[] = [];

const reply = (message: RealReply): void => {
  process.send?.(message);
};

process.on('message', (raw: RealRequest) => {
  void (async () => {
    try {
      if (raw.type === 'start') {
        const storage: Record<string, string> = {};
        for (const machine of raw.machines) {
          storage[machine] = path.join(raw.dir, machine, 'Synced Storage');
          clients.push(await startClient({ machine, dataDir: path.join(raw.dir, machine), storageDir: storage[machine], hubUrl: raw.hubUrl, logger }));
        }
        reply({ type: 'started', storage });
      } else if (raw.type === 'close') {
        await Promise.all(clients.map((c) => c.close()));
        clients = [];
        process.exit(0);
      }
    } catch (error) {
      reply({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
