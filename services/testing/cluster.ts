/** Real hub (either fabric) and server for tests: in-process on ephemeral ports, data in a fresh temp folder. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDataHub, type DataHub, type FabricName } from '../datahub/index.ts';
import { silentLogger } from '../lib/log.ts';
import type { OfferOptions } from '../lib/offer.ts';
import { startServer, type RunningServer } from '../server/server.ts';
import { startClient, type RunningClient } from '../client/client.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { Probe } from './probe.ts';
import { until } from './wait.ts';

export interface Cluster {
  hub: DataHub;
  server: RunningServer;
  dir: string;
  token: string | undefined;
  probe(name?: string): Promise<Probe>;
  /**
   * An AssetHubClient for `machine`, in-process, with its own folders under the cluster's temp dir (the same ones
   * again after stopClient: a restart).
   */
  client(machine: string, offer?: OfferOptions): Promise<RunningClient>;
  stopClient(client: RunningClient): Promise<void>;
  /** A new server on the same data; `offer` replaces what the server answers (services/lib/offer.ts). */
  restartServer(offer?: OfferOptions): Promise<RunningServer>;
  close(): Promise<void>;
}

export async function tempDir(prefix = 'assethub-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function startCluster(options: { token?: string; fabric?: FabricName } = {}): Promise<Cluster> {
  const dir = await tempDir();
  const logger = silentLogger();
  const hub = await startDataHub({ fabric: options.fabric ?? (process.env.ASSETHUB_TEST_FABRIC === 'zmq' ? 'zmq' : 'ws'), port: 0, subPort: 0, pubPort: 0, token: options.token, logger });
  const probes: Probe[] = [];
  const clients: RunningClient[] = [];
  const serverOptions = { dataDir: path.join(dir, 'server'), hubUrl: hub.url, token: options.token, storagePort: 0, logger };
  const cluster: Cluster = {
    hub,
    server: await startServer(serverOptions),
    dir,
    token: options.token,
    async probe(name) {
      const p = await Probe.connect(hub.url, { name, token: options.token });
      probes.push(p);
      return p;
    },
    async client(machine, offer = {}) {
      const c = await startClient({
        machine, dataDir: path.join(dir, machine), storageDir: path.join(dir, machine, 'Synced Storage'), hubUrl: hub.url, token: options.token, logger,
        ...offer,
      });
      clients.push(c);
      return c;
    },
    async stopClient(client) {
      const at = clients.indexOf(client);
      if (at >= 0) clients.splice(at, 1);
      await client.close();
    },
    async restartServer(offer) {
      await cluster.server.close();
      cluster.server = await startServer({ ...serverOptions, ...offer });
      return cluster.server;
    },
    async close() {
      await Promise.all(probes.map((p) => p.close()));
      for (const c of clients) await c.close();
      await cluster.server.close();
      await hub.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** A new repository on the server and a workspace of it on a client, pulled: what most client tests start from. */
export async function pulledWorkspace(panel: Probe, client: RunningClient, repository: string): Promise<string> {
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: repository, Branch: 'Main' });
  const { Workspace } = await until('the client to know the repository', () => panel.ok<{ Workspace: string }>(client.name, 'CreateWorkspace', { Repository: repository, Branch: 'Main' }));
  await panel.ok(client.name, 'Pull', { Workspace });
  await client.idle();
  return Workspace;
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Uploads bytes as one chunk over the server's data plane; returns its hash. */
export async function putChunk(storageUrl: string, data: Uint8Array, token?: string): Promise<string> {
  const hash = sha256(data);
  const res = await fetch(`${storageUrl}/chunks/${hash}`, {
    method: 'PUT',
    body: Buffer.from(data),
    headers: { 'Content-Type': 'application/octet-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`chunk upload answered ${res.status}: ${await res.text()}`);
  return hash;
}

/** A PutFile change for bytes uploaded as one chunk. */
export async function putFile(storageUrl: string, uri: string, data: Uint8Array, token?: string) {
  const hash = await putChunk(storageUrl, data, token);
  return { Type: 'PutFile' as const, URI: uri, Size: data.length, Hash: sha256(data), Chunks: data.length ? [hash] : [] };
}
