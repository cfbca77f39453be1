/** The Gateway's reply table alone: which broadcast answers which waiting Set or Reset. */
import { describe, expect, it } from 'vitest';
import { BROADCAST, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { Replies } from './replies.ts';

const table = (): Replies => new Replies({ prefix: 'GW-', timeoutMs: 60_000, maxReplies: 8, subscribe: () => Promise.resolve(), unsubscribe: () => {} });
const update = (source: string, name: string, value: unknown): Envelope => envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: source, Name: name }, { Value: value });
const log = (source: string, text: string): Envelope => envelope<'Log'>({ Type: 'Log', Target: BROADCAST, Source: source }, { Level: 'Warning', Message: text });

describe('broadcasts', () => {
  it('answer only the requests waiting on their Source and state, in order, Logs of that Source kept before', async () => {
    const replies = table();
    const a1 = replies.wait(replies.name(), { kind: 'broadcast', source: 'A', state: 'State' });
    const a2 = replies.wait(replies.name(), { kind: 'broadcast', source: 'A', state: 'Other' });
    const b = replies.wait(replies.name(), { kind: 'broadcast', source: 'B', state: 'State' });
    replies.onMessage(log('A', 'refused'));
    replies.onMessage(update('C', 'State', 0));
    replies.onMessage(update('A', 'State', 1));
    expect(await a1).toEqual([update('A', 'State', 1), log('A', 'refused')]);
    expect(replies.pending).toBe(2);
    replies.onMessage(update('B', 'State', 2));
    expect(await b).toEqual([update('B', 'State', 2)]);
    replies.onMessage(update('A', 'Other', 3));
    expect(await a2).toEqual([update('A', 'Other', 3), log('A', 'refused')]);
    expect(replies.pending).toBe(0);
    // Nothing waits any more: later broadcasts are dropped, and a new request on A waits afresh.
    replies.onMessage(update('A', 'State', 4));
    const again = replies.wait(replies.name(), { kind: 'broadcast', source: 'A', state: 'State' });
    replies.onMessage(update('A', 'State', 5));
    expect(await again).toEqual([update('A', 'State', 5)]);
  });

  it('a request ended early (finish) is no longer answered', async () => {
    const replies = table();
    const name = replies.name();
    const waiting = replies.wait(name, { kind: 'broadcast', source: 'A', state: 'State' });
    replies.finish(name);
    expect(await waiting).toEqual([]);
    replies.onMessage(update('A', 'State', 1));
    expect(replies.pending).toBe(0);
  });
});
