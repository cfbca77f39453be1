/**
 * The demo show, made by running the real operations through the hub (never written as canned states):
 * three repositories (one with a `.` in its name), commits with tags, a claim, AutoPull on for one machine and off
 * for another, and a conflict waiting on STAGE-B.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SERVER_NAME, encodeNamePath, encodeValueKeys, envelope } from '../shared/protocol/index.ts';
import type { RunningClient } from './client/client.ts';
import type { Logger } from './lib/log.ts';
import { ServiceHost } from './lib/service-host.ts';

export const DEMO_REPOSITORIES = {
  alpha: '%SYNCED_STORAGE%\\Projects\\Project Alpha',
  show: '%SYNCED_STORAGE%\\Projects\\Show.2026',
  common: '%SYNCED_STORAGE%\\Common',
} as const;

/** The demo's managed integration: every asset of every repository, to the demo receiver, which refuses T_Sky.png. */
export const DEMO_INTEGRATION = 'Demo DAM';
/** The demo receiver's rule (it leaves T_Sky.png out of its answers): shared, the panel engine puts it back too. */
export { DEMO_RECEIVER_RULE } from '../shared/assethub/demo-receiver.ts';

export interface DemoOptions {
  hubUrl: string;
  token?: string;
  logger: Logger;
  clients: RunningClient[];
  /** The demo receiver: the integration is created (or pointed at it again, its port changes per run) before the show. */
  receiver?: { url: string; secret: string };
}

async function writeAsset(workspace: string, rel: string, content: string | Uint8Array): Promise<void> {
  const file = path.join(workspace, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

/** Pseudo-random but repeatable bytes, so the demo's textures have some size. */
function bytes(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export async function buildDemo(options: DemoOptions): Promise<void> {
  const [stageA, stageB] = options.clients;
  if (!stageA || !stageB) throw new Error('the demo needs two clients');
  const driver = new ServiceHost(
    { name: 'DEMO-AssetHubPanel', version: '0.1.0', states: [], get: () => undefined, calls: {} },
    { hubUrl: options.hubUrl, token: options.token, logger: options.logger },
  );
  await driver.start();
  const call = <T>(target: string, method: string, params: Record<string, unknown>) => driver.call(target, method, params, 15_000) as Promise<T>;
  const push = async (client: RunningClient, ws: string, comment: string) => {
    await client.workspaces.get(ws)?.rescan();
    await call(client.name, 'Push', { Workspace: ws, Comment: comment });
    await client.idle();
  };
  const pull = async (client: RunningClient, ws: string) => {
    await call(client.name, 'Pull', { Workspace: ws });
    await client.idle();
  };
  const headOf = async (repository: string) => {
    const repos = await call<Array<{ Name: string; Branches: Array<{ Commits: Array<{ ID: string }> }> }>>(SERVER_NAME, 'GetRepositories', {});
    return repos.find((r) => r.Name === repository)?.Branches[0]?.Commits.at(-1)?.ID ?? '';
  };

  try {
    if (options.receiver) await connectIntegration(driver, options.receiver, options.logger);
    const existing = await call<Array<{ Name: string }>>(SERVER_NAME, 'GetRepositories', {});
    if (existing.some((r) => r.Name === DEMO_REPOSITORIES.alpha)) {
      options.logger.info('demo show already built in this data folder');
      return;
    }
    for (const name of Object.values(DEMO_REPOSITORIES)) await call(SERVER_NAME, 'CreateRepository', { Name: name, Branch: 'Main' });

    const a = await call<{ Workspace: string }>(stageA.name, 'CreateWorkspace', { Repository: DEMO_REPOSITORIES.alpha, Branch: 'Main' });
    const aShow = await call<{ Workspace: string }>(stageA.name, 'CreateWorkspace', { Repository: DEMO_REPOSITORIES.show, Branch: 'Main' });
    const b = await call<{ Workspace: string }>(stageB.name, 'CreateWorkspace', { Repository: DEMO_REPOSITORIES.alpha, Branch: 'Main' });
    const bCommon = await call<{ Workspace: string }>(stageB.name, 'CreateWorkspace', { Repository: DEMO_REPOSITORIES.common, Branch: 'Main' });
    for (const [client, ws] of [[stageA, a.Workspace], [stageA, aShow.Workspace], [stageB, b.Workspace], [stageB, bCommon.Workspace]] as const) await pull(client, ws);

    // STAGE-A builds the first version of Project Alpha.
    await writeAsset(a.Workspace, 'Content/Textures/T_Sky.png', bytes(1, 256 * 1024));
    await writeAsset(a.Workspace, 'Content/Textures/T_Floor.png', bytes(2, 128 * 1024));
    await writeAsset(a.Workspace, 'Content/Meshes/SM_Rock.fbx', bytes(3, 64 * 1024));
    await writeAsset(a.Workspace, 'Content/Levels/Main.umap', bytes(4, 96 * 1024));
    await writeAsset(a.Workspace, '.pxignore', '# local caches\n*.tmp\n');
    await push(stageA, a.Workspace, 'Initial set of textures, meshes and the main level');
    await call(SERVER_NAME, 'TagCommit', { Repository: DEMO_REPOSITORIES.alpha, Branch: 'Main', Commit: await headOf(DEMO_REPOSITORIES.alpha), Tag: 'v1.0' });
    await writeAsset(a.Workspace, 'Content/Audio/A_Intro.wav', bytes(5, 200 * 1024));
    await writeAsset(a.Workspace, 'Content/Textures/T_Floor.png', bytes(6, 128 * 1024));
    await push(stageA, a.Workspace, 'Lighting pass and intro audio');
    await call(SERVER_NAME, 'TagCommit', { Repository: DEMO_REPOSITORIES.alpha, Branch: 'Main', Commit: await headOf(DEMO_REPOSITORIES.alpha), Tag: 'rehearsal' });

    await writeAsset(aShow.Workspace, 'Graphics/LowerThird.png', bytes(7, 64 * 1024));
    await writeAsset(aShow.Workspace, 'Graphics/Logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await push(stageA, aShow.Workspace, 'Show graphics');

    // STAGE-A holds the main level; STAGE-B follows Project Alpha automatically, STAGE-A does not.
    await call(stageA.name, 'Claim', { Workspace: a.Workspace, URI: 'FileSystem:/Content/Levels/Main.umap' });
    await pull(stageB, b.Workspace);
    await call(SERVER_NAME, 'Claim', { Repository: DEMO_REPOSITORIES.alpha, Branch: 'Main', URI: 'FileSystem:/Content/Meshes/SM_Rock.fbx', Owner: 'STAGE-B' });
    const setAutoPull = (client: RunningClient, ws: string, on: boolean) => driver.send(envelope<'Set'>(
      { Type: 'Set', Target: client.name, Name: 'State' },
      { Value: encodeValueKeys(['State'], { Workspaces: { [ws]: { AutoPull: on } } }) },
    ));
    setAutoPull(stageA, a.Workspace, false);
    setAutoPull(stageB, b.Workspace, true);

    // A conflict on STAGE-B: both machines change the sky texture; STAGE-B's AutoPull brings the rest.
    await writeAsset(b.Workspace, 'Content/Textures/T_Sky.png', bytes(8, 256 * 1024));
    await stageB.workspaces.get(b.Workspace)?.rescan();
    await writeAsset(a.Workspace, 'Content/Textures/T_Sky.png', bytes(9, 256 * 1024));
    await push(stageA, a.Workspace, 'New sky for act two');
    await new Promise((r) => setTimeout(r, 500));
    await stageB.idle();

    // STAGE-A has something not pushed yet.
    await writeAsset(a.Workspace, 'Content/Textures/T_Wall.png', bytes(10, 32 * 1024));
    await stageA.workspaces.get(a.Workspace)?.rescan();
    if (options.receiver) await integrationSettled(driver, options.logger);
    options.logger.info('demo show built');
  } finally {
    await driver.close();
  }
}

/**
 * Creates the demo integration, or points it at this run's receiver. Short retries (2 attempts, 500 ms apart), so
 * T_Sky.png, which the receiver refuses, lands in the Failed list while the show is built.
 */
async function connectIntegration(driver: ServiceHost, receiver: { url: string; secret: string }, logger: Logger): Promise<void> {
  const existing = await driver.get(SERVER_NAME, ['Integrations', DEMO_INTEGRATION], 15_000);
  const value = existing === null || existing === undefined
    ? {
        Enabled: true, EndpointUrl: receiver.url, Secret: receiver.secret, Filter: '', Repositories: [], BatchSize: 50, TimeoutMs: 5000,
        Configuration: { library: 'Demo show assets' }, TenantId: 'demo-tenant', Retry: { MaxAttempts: 2, InitialDelayMs: 500, Multiplier: 2 },
      }
    : { EndpointUrl: receiver.url, Secret: receiver.secret };
  const path = ['Integrations', DEMO_INTEGRATION];
  driver.send(envelope<'Set'>({ Type: 'Set', Target: SERVER_NAME, Name: encodeNamePath(path) }, { Value: encodeValueKeys(path, value) }));
  // The Set has no reply: read it back.
  for (let i = 0; i < 100; i++) {
    const now = await driver.get(SERVER_NAME, [...path, 'EndpointUrl'], 15_000);
    if (now === receiver.url) {
      logger.info({ integration: DEMO_INTEGRATION, receiver: receiver.url }, existing ? 'demo integration pointed at the receiver' : 'demo integration created');
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server did not take the demo integration "${DEMO_INTEGRATION}"`);
}

/** Waits (at most 15 s) until the demo integration has delivered what the show queued, T_Sky.png failed. */
async function integrationSettled(driver: ServiceHost, logger: Logger): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const entry = await driver.get(SERVER_NAME, ['Integrations', DEMO_INTEGRATION], 15_000) as { Pending?: number; Failed?: number } | null;
    if (entry && entry.Pending === 0 && (entry.Failed ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  logger.warn({ integration: DEMO_INTEGRATION }, 'the demo integration has not settled yet; it goes on in the background');
}
