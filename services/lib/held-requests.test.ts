// Requests held while a service is busy: handled in arrival order once it is free, state broadcasts after them, and
// no more than the bound held (one more is refused at once).
import { expect, it } from 'vitest';
import { envelope, type Envelope } from '../../shared/protocol/index.ts';
import { HeldRequests } from './held-requests.ts';

const get = (n: number): Envelope => envelope<'Get'>({ Type: 'Get', Target: 'AssetHubServer', Name: `State${n}`, RespondTo: 'P' }, {});

it('holds requests while busy, then handles them in order, then broadcasts; refuses past its bound', async () => {
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
  expect(held.waiting).toBe(true);
  expect(seen).toEqual(['refused State10000']);
  busy = undefined;
  free();
  await new Promise((resolve) => setImmediate(resolve));
  expect(seen.slice(1, 3)).toEqual(['handled State0', 'handled State1']);
  expect(seen.at(-2)).toBe('handled State9999');
  expect(seen.at(-1)).toBe('broadcast PersistentState');
  expect(held.waiting).toBe(false);
});
