// SIGKILL a client mid-pull of a large file while its first chunk is still arriving and the chunks after it are on
// disk (a hole, then complete chunks): the pull after the restart fetches only the chunk that was missing.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { putChunk, sha256, startCluster, type Cluster } from '../testing/cluster.ts';
import { spawnClient } from '../testing/client-process.ts';
import type { Probe } from '../testing/probe.ts';
import { exited } from '../testing/server-process.ts';
import { until } from '../testing/wait.ts';

const REPO = '%SYNCED_STORAGE%\\Projects\\Resume';
const B = 'STAGE-B-AssetHubClient';
const CHUNK = 1024 * 1024;
const CHUNKS = 40;
let cluster: Cluster;
let panel: Probe;

beforeAll(async () => {
  cluster = await startCluster();
  panel = await cluster.probe('OPS-AssetHubPanel');
}, 60_000);
afterAll(async () => cluster?.close());

/** What the server's data plane sends for each GET; `hold` keeps one chunk's body after its first piece until released. */
function observeDataPlane(): { gets: Array<{ hash: string; bytes: number }>; hold(hash: string): () => void } {
  const gets: Array<{ hash: string; bytes: number }> = [];
  let held: { hash: string; released: Promise<void> } | undefined;
  const store = cluster.server.chunks;
  const openRead = store.openRead.bind(store);
  store.openRead = async (hash) => {
    const chunk = await openRead(hash);
    if (!chunk) return chunk;
    const entry = { hash, bytes: 0 };
    gets.push(entry);
    const hold = held?.hash === hash ? held : undefined;
    if (hold) held = undefined;
    const create = chunk.handle.createReadStream.bind(chunk.handle);
    chunk.handle.createReadStream = ((options) => {
      const counted = new Transform({
        transform(piece: Buffer, _encoding, done) {
          const first = entry.bytes === 0;
          entry.bytes += piece.length;
          if (hold && !first) void hold.released.then(() => done(null, piece));
          else done(null, piece);
        },
      });
      return pipeline(create(options), counted, () => undefined) as Readable;
    }) as typeof chunk.handle.createReadStream;
    return chunk;
  };
  return {
    gets,
    hold(hash) {
      let release = (): void => undefined;
      held = { hash, released: new Promise<void>((resolve) => (release = resolve)) };
      return () => release();
    },
  };
}

const statusOfB = async (ws: string) => STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(B, ['WorkspaceInfo'])).Workspaces[ws]?.Status;

it('resumes a pull killed with a hole in its partial by fetching only the chunks that were missing', async () => {
  const { Commit: root } = await panel.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  const data = randomBytes(CHUNK * CHUNKS);
  const pieces = Array.from({ length: CHUNKS }, (_, i) => data.subarray(i * CHUNK, (i + 1) * CHUNK));
  const chunks: string[] = [];
  for (const piece of pieces) chunks.push(await putChunk(cluster.server.storageUrl, piece));
  const hash = sha256(data);
  await panel.ok(SERVER_NAME, 'CreateCommit', {
    Repository: REPO, Branch: 'Main', Parent: root, Author: 'STAGE-A', Comment: 'a big movie',
    Changes: [{ Type: 'PutFile', URI: 'FileSystem:/Movies/Big.mov', Size: data.length, Hash: hash, Chunks: chunks }],
  });
  const plane = observeDataPlane();

  let b = spawnClient(panel, cluster.hub.url, cluster.dir, 'STAGE-B');
  await b.ready;
  const ws = (await panel.ok<{ Workspace: string }>(B, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' })).Workspace;
  const partial = path.join(ws, '.assethub', 'partial', hash);
  /** Chunks whose bytes are in place in the partial. */
  const intact = async (): Promise<number[]> => {
    const bytes = await readFile(partial).catch(() => Buffer.alloc(0));
    return pieces.flatMap((piece, i) => (bytes.subarray(i * CHUNK, (i + 1) * CHUNK).equals(piece) ? [i] : []));
  };

  const release = plane.hold(chunks[0] as string);
  await until('B has read the server', async () => (await statusOfB(ws))?.Attached === true, 20_000);
  await panel.ok(B, 'Pull', { Workspace: ws });
  // The first chunk is held mid-body by the server; a pull that fetches several chunks at once completes the others.
  const others = Array.from({ length: CHUNKS - 1 }, (_, i) => i + 1);
  await until('every chunk but the first in the partial', async () => (await intact()).join() === others.join(), 60_000, 100);
  b.child.kill('SIGKILL');
  await exited(b.child);
  release();
  expect(await intact()).toEqual(others);

  plane.gets.length = 0;
  b = spawnClient(panel, cluster.hub.url, cluster.dir, 'STAGE-B');
  await b.ready;
  await until('B has read the server', async () => (await statusOfB(ws))?.Attached === true, 20_000);
  await panel.ok(B, 'Pull', { Workspace: ws });
  await until('B finished the pull', async () => {
    const status = await statusOfB(ws);
    return status?.Activity === 'Idle' && status.Incoming === false;
  }, 60_000);
  expect((await readFile(path.join(ws, 'Movies', 'Big.mov'))).equals(data)).toBe(true);
  // After the restart the data plane served the missing chunk and nothing else.
  expect(plane.gets).toEqual([{ hash: chunks[0], bytes: CHUNK }]);
  b.child.kill('SIGTERM');
  await exited(b.child);
}, 180_000);
