// The server's data plane: the URL GetStorage gives clients (--advertise, bound host, machine name for a wildcard),
// and the collection of chunks no commit refers to, at start, periodically and around a push in progress.
import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { startDataHub, type DataHub } from '../datahub/index.ts';
import { silentLogger } from '../lib/log.ts';
import { ChunkStore } from './chunks/index.ts';
import { uploadChunk } from '../lib/chunks/index.ts';
import { waitFor } from './chunks/testing/chunk-server.ts';
import { startServer, type RunningServer, type ServerOptions } from './server.ts';
import { startDataPlane } from './storage.ts';
import { putChunk, sha256, tempDir } from '../testing/cluster.ts';
import { Probe } from '../testing/probe.ts';
import { commitPush } from '../client/push-commit.ts';
import { ServiceFailure } from '../lib/failure.ts';

const TOKEN = 'storage-secret';
const REPO = '%SYNCED_STORAGE%\\Projects\\Collected';
const HOUR = 60 * 60 * 1000;

let dir = '';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

async function serverOnHub(options: Partial<ServerOptions> = {}): Promise<{ hub: DataHub; server: RunningServer; probe: Probe }> {
  dir ||= await tempDir();
  const hub = await startDataHub({ fabric: 'ws', port: 0, subPort: 0, pubPort: 0, token: TOKEN, logger: silentLogger() });
  cleanups.push(() => hub.close());
  const server = await startServer({ dataDir: path.join(dir, 'server'), hubUrl: hub.url, token: TOKEN, storagePort: 0, logger: silentLogger(), ...options });
  cleanups.push(() => server.close());
  const probe = await Probe.connect(hub.url, { token: TOKEN });
  cleanups.push(() => probe.close());
  return { hub, server, probe };
}

/** Last touched two hours ago: past the default grace period of one hour. */
const age = (file: string) => utimes(file, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));
const chunkOf = (text: string) => Buffer.from(text.repeat(50));

it('GetStorage answers the --advertise host for a data plane on every address, where the data plane serves', async () => {
  const { server, probe } = await serverOnHub({ storageHost: '0.0.0.0', advertiseHost: 'assets.example' });
  const { Url } = await probe.ok<{ Url: string }>(SERVER_NAME, 'GetStorage');
  const url = new URL(Url);
  expect([url.protocol, url.hostname, Url]).toEqual(['http:', 'assets.example', server.storageUrl]);
  // Reached on another of its addresses, it serves the same chunks.
  const hash = await putChunk(`http://127.0.0.1:${url.port}`, chunkOf('advertised'), TOKEN);
  expect(await server.chunks.has(hash)).toBe(true);
});

it('without --advertise names the bound host, or for a wildcard the machine (said in the log); never serves the network without a token', async () => {
  dir = await tempDir();
  const chunks = await ChunkStore.open(path.join(dir, 'chunks'));
  const plane = async (host: string, { token, advertise }: { token?: string; advertise?: string } = { token: TOKEN }) => {
    const { logger, lines } = recordingLogger();
    const started = await startDataPlane({ chunks, referenced: () => new Set(), port: 0, host, token, advertise, logger });
    cleanups.push(() => started.close());
    return { url: new URL(started.url), lines };
  };
  const wildcard = await plane('0.0.0.0');
  expect(wildcard.url.hostname).toBe(os.hostname().toLowerCase());
  expect(wildcard.lines.some((l) => String(l.msg).includes('--advertise'))).toBe(true);
  expect((await plane('127.0.0.1', {})).url.hostname).toBe('127.0.0.1');
  expect((await plane('::1')).url.hostname).toBe('[::1]');
  expect((await plane('0.0.0.0', { token: TOKEN, advertise: '10.1.2.3' })).url.hostname).toBe('10.1.2.3');
  await expect(plane('0.0.0.0', {})).rejects.toThrow(/without a token/);
  await expect(plane('0.0.0.0', { token: TOKEN, advertise: 'http://x:1/' })).rejects.toThrow(/--advertise/);
});

it('a push that uploads, waits past the grace period of another chunk, then commits still succeeds; committed chunks stay', async () => {
  const { server, probe } = await serverOnHub();
  const url = server.storageUrl;
  const { Commit: root } = await probe.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  // Left by pushes that never committed: one that nobody asks for again, one this push needs too.
  const abandoned = await putChunk(url, chunkOf('abandoned'), TOKEN);
  const reused = await putChunk(url, chunkOf('reused'), TOKEN);
  await age(server.chunks.path(abandoned));
  await age(server.chunks.path(reused));

  // The push: HEAD then PUT each chunk, as the client does; the reused one is already there.
  const fresh = chunkOf('fresh');
  for (const data of [chunkOf('reused'), fresh]) {
    await uploadChunk(url, TOKEN, sha256(data), { length: data.length, open: () => Readable.from([data]) });
  }
  expect((await server.collectChunks()).removed).toEqual([abandoned]);

  const file = (uri: string, data: Buffer) => ({ Type: 'PutFile', URI: uri, Size: data.length, Hash: sha256(data), Chunks: [sha256(data)] });
  const { Commit: pushed } = await probe.ok<{ Commit: string }>(SERVER_NAME, 'CreateCommit', {
    Repository: REPO, Branch: 'Main', Parent: root, Author: 'STAGE-A', Comment: 'push', Changes: [file('FileSystem:/a.bin', chunkOf('reused')), file('FileSystem:/b.bin', fresh)],
  });
  // Deleted at the head, the files are still in the history: their chunks stay however old.
  await probe.ok(SERVER_NAME, 'CreateCommit', {
    Repository: REPO, Branch: 'Main', Parent: pushed, Author: 'STAGE-A', Comment: 'gone', Changes: [{ Type: 'Delete', URI: 'FileSystem:/a.bin' }, { Type: 'Delete', URI: 'FileSystem:/b.bin' }],
  });
  await age(server.chunks.path(reused));
  await age(server.chunks.path(sha256(fresh)));
  expect((await server.collectChunks()).removed).toEqual([]);
  expect([await server.chunks.has(reused), await server.chunks.has(sha256(fresh))]).toEqual([true, true]);
});

it('a push whose first chunks were collected before it committed (it ran past the grace period) offers them again and commits', async () => {
  const { server, probe } = await serverOnHub();
  const url = server.storageUrl;
  const { Commit: root } = await probe.ok<{ Commit: string }>(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  const data = [chunkOf('first of a long push'), chunkOf('second')];
  const upload = async (d: Buffer) => uploadChunk(url, TOKEN, sha256(d), { length: d.length, open: () => Readable.from([d]) });
  for (const d of data) await upload(d);
  // The push took longer than the grace period: its first chunk is collected before it commits.
  await age(server.chunks.path(sha256(data[0] as Buffer)));
  expect((await server.collectChunks()).removed).toEqual([sha256(data[0] as Buffer)]);
  const params = {
    Repository: REPO, Branch: 'Main', Parent: root, Author: 'STAGE-A', Comment: 'long push',
    Changes: data.map((d, i) => ({ Type: 'PutFile', URI: `FileSystem:/${i}.bin`, Size: d.length, Hash: sha256(d), Chunks: [sha256(d)] })),
  };
  const answers: string[] = [];
  let offered = 0;
  const commit = await commitPush(
    async () => {
      const outcome = await probe.call(SERVER_NAME, 'CreateCommit', params);
      if ('Failure' in outcome) {
        answers.push(outcome.Failure.Code);
        throw new ServiceFailure(outcome.Failure.Code, outcome.Failure.Message);
      }
      answers.push('Result');
      return (outcome.Result as { Commit: string }).Commit;
    },
    async () => {
      offered++;
      for (const d of data) await upload(d);
    },
  );
  expect(answers).toEqual(['MISSING_CHUNKS', 'Result']);
  expect(offered).toBe(1);
  expect(commit).toMatch(/^[0-9a-f-]{36}$/i);
  expect([await server.chunks.has(sha256(data[0] as Buffer)), await server.chunks.has(sha256(data[1] as Buffer))]).toEqual([true, true]);
});

it('collects at start, and logs what it removed', async () => {
  dir = await tempDir();
  // A chunk left from before the start, never committed.
  const before = chunkOf('before start');
  const beforeFile = path.join(dir, 'server', 'chunks', sha256(before).slice(0, 2), sha256(before));
  await mkdir(path.dirname(beforeFile), { recursive: true });
  await writeFile(beforeFile, before);
  await age(beforeFile);
  const { logger, lines } = recordingLogger();
  await serverOnHub({ logger });
  const logged = () => lines.filter((l) => l.msg === 'collected chunks no commit refers to');
  await waitFor(() => logged().length > 0, 'the collection at start to log');
  expect(logged()).toMatchObject([{ removed: 1, bytes: before.length, chunks: [sha256(before)] }]);
  expect(await readdir(path.dirname(beforeFile))).toEqual([]);
});

it('collects periodically', async () => {
  const { server } = await serverOnHub({ chunkCollectEveryMs: 20 });
  await server.collectChunks(); // the one at start, if still running, is over
  const later = await putChunk(server.storageUrl, chunkOf('later'), TOKEN);
  await age(server.chunks.path(later));
  await waitFor(async () => !(await server.chunks.has(later)), 'a periodic collection');
});
