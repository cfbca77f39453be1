import { expect, it } from 'vitest';
import { readAll } from './readers.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

it('reads every job once, with at most `largeReaders` large files and 16 reads in flight', async () => {
  const large = Array.from({ length: 20 }, (_, i) => `L${i}`);
  const small = Array.from({ length: 100 }, (_, i) => `s${i}`);
  const done: string[] = [];
  const buffers = new Set<Buffer>();
  let inFlight = 0;
  let largeInFlight = 0;
  let peak = 0;
  let largePeak = 0;
  await readAll(large, small, 3, async (job, buffer) => {
    buffers.add(buffer);
    inFlight++;
    if (job.startsWith('L')) largeInFlight++;
    peak = Math.max(peak, inFlight);
    largePeak = Math.max(largePeak, largeInFlight);
    await tick();
    await tick();
    inFlight--;
    if (job.startsWith('L')) largeInFlight--;
    done.push(job);
  });
  expect(done.sort()).toEqual([...large, ...small].sort());
  expect(largePeak).toBe(3);
  expect(peak).toBe(16);
  expect(buffers.size).toBe(16); // one buffer per reader, reused
});

it('stops taking jobs on abort and throws the reason once every read has settled', async () => {
  const controller = new AbortController();
  let running = 0;
  const started: number[] = [];
  const jobs = Array.from({ length: 50 }, (_, i) => i);
  const run = readAll([], jobs, 4, async (job) => {
    started.push(job);
    running++;
    if (job === 3) controller.abort(new Error('stop'));
    await tick();
    running--;
  }, controller.signal);
  await expect(run).rejects.toThrow('stop');
  expect(running).toBe(0);
  expect(started.length).toBeLessThan(50);
});
