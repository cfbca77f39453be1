import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter } from './writer.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assethub-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('BatchWriter', () => {
  it('writes pieces in order from the start position, whatever their sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 700_000 }), { maxLength: 12 }), fc.nat(1000), async (sizes, start) => {
        const file = path.join(dir, 'ordered.bin');
        const prefix = randomBytes(start);
        await writeFile(file, prefix);
        const pieces = sizes.map((n) => randomBytes(n));
        const handle = await open(file, 'r+');
        try {
          const writer = new BatchWriter(handle, start);
          for (const piece of pieces) await writer.add(piece);
          await writer.flush();
        } finally {
          await handle.close();
        }
        expect((await readFile(file)).equals(Buffer.concat([prefix, ...pieces]))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('reports a failed write to the caller instead of losing it', async () => {
    const file = path.join(dir, 'readonly.bin');
    await writeFile(file, '');
    const handle = await open(file, 'r');
    try {
      const writer = new BatchWriter(handle, 0);
      const outcome = (async () => {
        for (let i = 0; i < 8; i++) await writer.add(randomBytes(512 * 1024));
        await writer.flush();
      })();
      await expect(outcome).rejects.toMatchObject({ code: 'EBADF' });
    } finally {
      await handle.close();
    }
  });
});
