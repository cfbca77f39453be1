// Requests held while a service is busy: handled in arrival order, one per turn, once it is free, state broadcasts after them, and
// no more than the bound held (one more is refused at once).
import { expect, it } from 'vitest';
import { envelope, type Envelope } from '../../shared/protocol/index.ts';
import { until } from '../testing/wait.ts';
import { HeldRequests } from './held-requests.ts';

const get = (n: number): Envelope => envelope<'Get'>({ Type: 'Get', Target: 'AssetHubServer', Name: `State${n}`, RespondTo: 'P' }, {});

it('holds requests while busy, then handles them in order one per turn, then broadcasts; refuses past its bound', async () => {
  let free: () => void = () => {};
  let busy: Promise<void> | undefined = new Promise<void>((resolve) => (free = resolve));
  const seen: string[] = [];
  const held = new HeldRequests({
    busy: () => busy,
    dispatch: (m) => seen.push(`handled ${(m.topic as { Name: string }).Name}`),
    broadcast: (state) => seen.push(`broadcast ${state}`),
    refuse: (m) => seen.push(`refused ${(m.topic as { Name: string }).Name}`),
  });
  held.addState('PersistentState');
  for (let n = 0; n < 10_001; n++) held.add(get(n), 10);
  expect(seen).toEqual(['refused State10000']);
  busy = undefined;
  free();
  // One request per turn of the loop: after a turn, only the first ones are handled.
  await new Promise((resolve) => setImmediate(resolve));
  expect(seen.length).toBeLessThan(5);
  expect(seen[1]).toBe('handled State0');
  await until('every request handled', () => seen.at(-1) === 'broadcast PersistentState', 30_000);
  expect(seen.at(-2)).toBe('handled State9999');
  expect(seen).toHaveLength(10_002);
});
