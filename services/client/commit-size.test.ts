import { expect, it } from 'vitest';
import { ServiceFailure } from '../lib/failure.ts';
import { assertCommitFits } from './commit-size.ts';

const change = (i: number) => ({ Type: 'PutFile', URI: `FileSystem:/Show/folder${i % 50}/asset${i}.png`, Size: 10, Hash: 'a'.repeat(64), Chunks: ['b'.repeat(64)] });

it('lets a commit through that fits in one hub message', () => {
  expect(() => assertCommitFits({ Changes: Array.from({ length: 10_000 }, (_, i) => change(i)) })).not.toThrow();
});

it('refuses one that does not with TOO_LARGE, its size and the way out', () => {
  const changes = Array.from({ length: 100_000 }, (_, i) => change(i));
  let thrown: unknown;
  try {
    assertCommitFits({ Changes: changes });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ServiceFailure);
  expect((thrown as ServiceFailure).code).toBe('TOO_LARGE');
  expect((thrown as Error).message).toMatch(/a commit of 100000 change\(s\) is \d+\.\d MiB, over the 16\.0 MiB .*fewer files/);
});
