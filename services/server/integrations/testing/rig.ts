/**
 * Test helpers for managed integrations: a hub and a server started with the options a test needs (and started again
 * on the same data), and a scripted webhook receiver whose answers a test writes by hand (status, headers, bodies of
 * any size or speed). Real HTTP on loopback throughout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { IntegrationEntry, type TIntegrationAsset } from '../../../../shared/assethub/integrations.ts';
import { SERVER_NAME, type Envelope } from '../../../../shared/protocol/index.ts';
import { startDataHub, type DataHub } from '../../../datahub/index.ts';
import { silentLogger } from '../../../lib/log.ts';
import { putFile, tempDir } from '../../../testing/cluster.ts';
import { Probe } from '../../../testing/probe.ts';
import { until } from '../../../testing/wait.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../server.ts';

export interface Rig {
  hub: DataHub;
  server: RunningServer;
  panel: Probe;
  dataDir: string;
  /** Stops the server, runs `between` (the data folder is free then), and starts it again on the same data. */
  restart(between?: () => void | Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startRig(options: Pick<ServerOptions, 'maxWebhookResponseBytes'> = {}): Promise<Rig> {
  const dir = await tempDir('assethub-integrations-rig-');
  const logger = silentLogger();
  const hub = await startDataHub({ fabric: 'ws', port: 0, subPort: 0, pubPort: 0, logger });
  const serverOptions: ServerOptions = { dataDir: path.join(dir, 'server'), hubUrl: hub.url, storagePort: 0, logger, ...options };
  const server = await startServer(serverOptions);
  const panel = await Probe.connect(hub.url, { name: 'RIG-AssetHubPanel' });
  const rig: Rig = {
    hub, server, panel, dataDir: serverOptions.dataDir,
    async restart(between) {
      await rig.server.close();
      await between?.();
      rig.server = await startServer(serverOptions);
      await until('the server answers again', () => panel.ok(SERVER_NAME, 'Health').then(() => true, () => false));
    },
    async close() {
      await panel.close();
      await rig.server.close();
      await hub.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** What the server POSTs, as far as a scripted receiver cares. */
export interface Action { type: string; assetId: string }

export interface Exchange {
  actions: Action[];
  /** The request body's `configuration` (undefined when the body is not JSON). */
  configuration: unknown;
  res: http.ServerResponse;
}

export interface ScriptedReceiver {
  url: string;
  /** Requests answered so far (any answer). */
  readonly requests: number;
  /** Responses the server dropped before the receiver finished writing them. */
  readonly cut: number;
  answer: (exchange: Exchange) => void;
  close(): Promise<void>;
}

/** The answer a correct receiver gives: an Item per action. */
export const itemsBody = (actions: readonly Action[]): string =>
  JSON.stringify({ Items: actions.map((a) => ({ AssetId: a.assetId, IntegrationState: `state-${a.assetId}` })) });

export const answerItems = ({ actions, res }: Exchange): void => {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(itemsBody(actions));
};

export async function scriptedReceiver(answer: (exchange: Exchange) => void = answerItems): Promise<ScriptedReceiver> {
  let requests = 0;
  let cut = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      res.on('close', () => {
        if (!res.writableFinished) cut++;
      });
      let body: { actions?: Action[]; configuration?: unknown } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        // answered as scripted all the same
      }
      receiver.answer({ actions: body.actions ?? [], configuration: body.configuration, res });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: ScriptedReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    get requests() {
      return requests;
    },
    get cut() {
      return cut;
    },
    answer,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** Writes `total` bytes of a JSON string in 16 KiB pieces, as fast as the socket takes them, until done or dropped. */
export function streamBody(res: http.ServerResponse, total: number): void {
  const piece = Buffer.alloc(16 * 1024, 'x');
  let written = 0;
  const pump = () => {
    while (written < total && !res.destroyed) {
      const n = Math.min(piece.length, total - written);
      written += n;
      if (!res.write(piece.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

// ---- driving the server ----

export async function createRepo(panel: Probe, repo: string): Promise<string> {
  return (await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: repo, Branch: 'Main' })).Commit;
}

/** One commit putting each file (uri → content) on Main after `parent`; returns the new head. */
export async function commitFiles(rig: Rig, repo: string, parent: string, files: Record<string, string>): Promise<string> {
  const changes = [];
  for (const [uri, content] of Object.entries(files)) changes.push(await putFile(rig.server.storageUrl, uri, new TextEncoder().encode(content)));
  const r = await rig.panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', { Repository: repo, Branch: 'Main', Parent: parent, Author: 'TEST', Comment: 'test', Changes: changes });
  return r.Commit;
}

/** Sets `Integrations.<path…>`; returns the refusal the server logged, or null. */
export async function setIntegration(panel: Probe, path: string[], value: unknown): Promise<string | null> {
  const from = panel.messages.length;
  await panel.set(SERVER_NAME, ['Integrations', ...path], value);
  const log = panel.messages.slice(from).find((m: Envelope) => m.topic.Type === 'Log' && m.topic.Source === SERVER_NAME
    && String((m.message as { Message: string }).Message).startsWith('Set Integrations'));
  return log ? String((log.message as { Message: string }).Message) : null;
}

export async function integrationEntry(panel: Probe, name: string) {
  return IntegrationEntry.parse(await panel.get(SERVER_NAME, ['Integrations', name]));
}

export async function records(panel: Probe, name: string, status: 'Tracked' | 'Failed' | 'Pending'): Promise<TIntegrationAsset[]> {
  const r = await panel.ok<{ results: TIntegrationAsset[] }>(SERVER_NAME, 'QueryIntegrationAssets', { Integration: name, Status: status, Limit: 500 });
  return r.results;
}
