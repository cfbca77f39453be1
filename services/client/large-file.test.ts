/**
 * A file larger than 4 GiB (offsets past 32 bits) pushed by one real client and pulled by another, compared byte for
 * byte. The file is sparse: random bytes at its start, across the 4 GiB boundary and at its end, zeros between (their
 * chunks are one address, uploaded once). The pull writes every byte, so the test needs ~5 GiB of free disk.
 */
import { randomBytes } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { startCluster, pulledWorkspace, type Cluster } from '../testing/cluster.ts';
import { until } from '../testing/wait.ts';

const MiB = 1024 * 1024;
const SIZE = 4 * 1024 * MiB + 3 * MiB + 17;
const REGIONS = [0, 2 ** 32 - MiB / 2, SIZE - 100_000]; // each followed by RANDOM_BYTES of random data (to the end for the last)
const RANDOM_BYTES = MiB;
const REPO = '%SYNCED_STORAGE%\\Projects\\Large';

const free = (): number => {
  const s = statfsSync(os.tmpdir());
  return s.bavail * s.bsize;
};

let cluster: Cluster | undefined;
afterAll(async () => cluster?.close());

/** The first offset where the two files differ, or null when they hold the same bytes. */
async function firstDifference(a: string, b: string): Promise<number | null> {
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const [sa, sb] = await Promise.all([fa.stat(), fb.stat()]);
    if (sa.size !== sb.size) return Math.min(sa.size, sb.size);
    const [ba, bb] = [Buffer.allocUnsafe(8 * MiB), Buffer.allocUnsafe(8 * MiB)];
    for (let at = 0; at < sa.size; at += ba.length) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, ba.length, at), fb.read(bb, 0, bb.length, at)]);
      if (ra.bytesRead !== rb.bytesRead) return at;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) {
        for (let i = 0; i < ra.bytesRead; i++) if (ba[i] !== bb[i]) return at + i;
      }
    }
    return null;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

it.skipIf(free() < 12 * 1024 * MiB)('pushes and pulls a file over 4 GiB byte for byte', async () => {
  cluster = await startCluster();
  const panel = await cluster.probe('OPS-AssetHubPanel');
  const a = await cluster.client('STAGE-A');
  const b = await cluster.client('STAGE-B');
  const wsA = await pulledWorkspace(panel, a, REPO);
  const { Workspace: wsB } = await panel.ok<{ Workspace: string }>(b.name, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' });

  const file = path.join(wsA, 'Movies', 'Huge.mov');
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'w');
  try {
    await handle.truncate(SIZE);
    for (const at of REGIONS) await handle.write(randomBytes(Math.min(RANDOM_BYTES, SIZE - at)), 0, undefined, at);
  } finally {
    await handle.close();
  }

  const status = async (client: string, ws: string) => STATE_SCHEMAS.client.WorkspaceInfo.parse(await panel.get(client, ['WorkspaceInfo'])).Workspaces[ws]?.Status;
  await until('A sees the file', async () => ((STATE_SCHEMAS.client.AssetInfo.parse(await panel.get(a.name, ['AssetInfo'])).Workspaces[wsA]?.LocalChanges.length) ?? 0) > 0, 120_000);
  await panel.ok(a.name, 'Push', { Workspace: wsA, Comment: 'a file over 4 GiB' });
  await a.idle();
  expect((await status(a.name, wsA))?.Message).toMatch(/^Pushed/);

  await until('B knows', async () => (await status(b.name, wsB))?.Incoming === true, 60_000);
  await panel.ok(b.name, 'Pull', { Workspace: wsB });
  await b.idle();
  expect((await status(b.name, wsB))?.Message).toMatch(/^Pulled/);
  expect(await firstDifference(file, path.join(wsB, 'Movies', 'Huge.mov'))).toBeNull();
}, 600_000);
