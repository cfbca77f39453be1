/**
 * Child process of the show simulator: many simulated clients (./sim-client.ts) on one thread, so that they share
 * neither the hub's nor the panel's. Driven over the IPC channel (./sim-protocol.ts); exits when the parent goes.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger } from '../../services/lib/log.ts';
import { SimClient } from './sim-client.ts';
import type { SimReply, SimRequest } from './sim-protocol.ts';

const logger = silentLogger();
let clients: SimClient[] = [];
let traffic: NodeJS.Timeout | null = null;
const lag = monitorEventLoopDelay({ resolution: 20 });

const reply = (message: SimReply): void => {
  process.send?.(message);
};

/**
 * Show traffic: about `syncing` of the machines pulling at any time (each pull 3 to 8 s of status Updates), and the
 * machines with thousands of local changes editing now and then (an AssetInfo each time, every ~10 s on average).
 */
function startTraffic(syncing: number): void {
  const editors = clients.filter((c) => c.name.includes('EDIT'));
  const TICK_MS = 500;
  traffic = setInterval(() => {
    const busy = clients.filter((c) => c.busy).length;
    const idle = clients.filter((c) => !c.busy);
    // A fractional share is met on average: with 4.5 machines wanted, 4 or 5.
    for (let i = busy; i < Math.floor(syncing * clients.length + Math.random()) && idle.length > 0; i++) {
      const at = Math.floor(Math.random() * idle.length);
      idle.splice(at, 1)[0]?.pull(3 + Math.random() * 5);
    }
    for (const e of editors) if (Math.random() < TICK_MS / 10_000) e.edit();
  }, TICK_MS);
}

process.on('message', (raw: SimRequest) => {
  void (async () => {
    try {
      if (raw.type === 'start') {
        clients = raw.machines.map((spec, i) => new SimClient(spec, raw.hubUrl, logger, raw.seed + i));
        // A few at a time, as machines of a show come up: not one burst of hundreds of handshakes.
        for (let i = 0; i < clients.length; i += 10) await Promise.all(clients.slice(i, i + 10).map((c) => c.start()));
        reply({ type: 'started', count: clients.length });
      } else if (raw.type === 'traffic') {
        lag.reset();
        lag.enable();
        if (raw.syncing > 0) startTraffic(raw.syncing);
        reply({ type: 'traffic' });
      } else if (raw.type === 'stop') {
        if (traffic) clearInterval(traffic);
        traffic = null;
        lag.disable();
        const sent: Record<string, number> = {};
        for (const c of clients) for (const [k, v] of Object.entries(c.sent)) sent[k] = (sent[k] ?? 0) + v;
        reply({
          type: 'stopped', sent, pulls: clients.reduce((n, c) => n + c.pulls, 0), sets: clients.reduce((n, c) => n + c.sets, 0),
          lagP99Ms: lag.percentile(99) / 1e6, lagMaxMs: lag.max / 1e6, connected: clients.filter((c) => c.host.connected).length,
        });
      } else if (raw.type === 'close') {
        await Promise.all(clients.map((c) => c.close()));
        process.exit(0);
      }
    } catch (error) {
      reply({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
