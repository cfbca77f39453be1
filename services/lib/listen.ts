/**
 * Starts a server listening, with a bound on its open connections; resolves with the port it got (the one asked for,
 * or the one the system chose for 0).
 *
 * Every listener of the services (the Data Hub, the Gateway, the data plane, the demo receiver) shares one process
 * and its file descriptors: without a bound, one local program opening sockets without end takes them all. Past
 * MAX_CONNECTIONS a new connection is closed at once (node's `maxConnections`), counted and logged once a minute at
 * most, while those already open go on. 4,096 is room for a show of 500 machines, each with a client and a panel
 * (and their pulls' parallel downloads on the data plane), and three listeners at the bound stay well under the
 * process's descriptors.
 */
import type { Server } from 'node:net';

export const MAX_CONNECTIONS = 4096;
const REPORT_EVERY_MS = 60_000;

export interface ListenOptions {
  maxConnections?: number;
  /** Told how many connections were refused since it was last told (at most once a minute). */
  onRefused?(count: number): void;
}

export function listen(server: Server, port: number, host: string, options: ListenOptions = {}): Promise<number> {
  server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  let refused = 0;
  let reportedAt = -Infinity;
  server.on('drop', () => {
    refused++;
    const now = Date.now();
    if (now - reportedAt < REPORT_EVERY_MS) return;
    reportedAt = now;
    options.onRefused?.(refused);
    refused = 0;
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(address !== null && typeof address === 'object' ? address.port : port);
    });
  });
}
