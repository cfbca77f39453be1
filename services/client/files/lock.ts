/** In-process mutual exclusion by key: two downloads of the same content share one partial file, so they take turns. */
const tails = new Map<string, Promise<void>>();

export async function serialized<T>(key: string, job: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  let release = (): void => undefined;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = before.then(() => mine);
  tails.set(key, tail);
  await before;
  try {
    return await job();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
