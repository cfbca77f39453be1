import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrefixIndex } from './prefix-index.ts';

// Short strings over few characters: prefixes that share beginnings, split edges and end inside each other.
const text = fc.string({ unit: fc.constantFrom('T', 'y', 'p', 'e', '=', '&', 'é', '😀'), maxLength: 8 });
const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4 }), text);

describe('the hub-wide prefix index', () => {
  it('matches exactly the subscribers holding a prefix of the topic, through any adds and removes, and holds nothing once all are gone', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), fc.array(text, { maxLength: 10 }), (ops, topics) => {
      const index = new PrefixIndex<number>();
      const held = new Map<number, Set<string>>();
      for (const [add, peer, prefix] of ops) {
        const mine = held.get(peer) ?? new Set<string>();
        held.set(peer, mine);
        if (add) {
          mine.add(prefix);
          index.add(prefix, peer);
        } else {
          mine.delete(prefix);
          index.remove(prefix, peer);
        }
      }
      for (const topic of [...topics, ...ops.map(([, , p]) => `${p}Type`)]) {
        const expected = [...held].filter(([, prefixes]) => [...prefixes].some((p) => topic.startsWith(p))).map(([peer]) => peer);
        expect([...index.match(topic)].sort()).toEqual(expected.sort());
      }
      for (const [peer, prefixes] of held) for (const p of prefixes) index.remove(p, peer);
      expect(index.match('Type=Update&Target=~BROADCAST~').size).toBe(0);
      expect(index.size).toBe(1);
    }), { numRuns: 3000 });
  });

  it('routes a show of 500 peers: each one its own Target, all of them the broadcasts', () => {
    const index = new PrefixIndex<string>();
    const names = Array.from({ length: 500 }, (_, i) => `R${i}-AssetHubClient`);
    for (const name of names) {
      index.add(`Type=Get&Target=${name}&`, name);
      index.add(`Type=Update&Target=~BROADCAST~&Source=AssetHubServer&Name=State`, name);
    }
    expect([...index.match('Type=Get&Target=R42-AssetHubClient&RespondTo=Panel&Name=State')]).toEqual(['R42-AssetHubClient']);
    expect(index.match('Type=Get&Target=R4-AssetHubClient&RespondTo=Panel').size).toBe(1);
    expect(index.match('Type=Update&Target=~BROADCAST~&Source=AssetHubServer&Name=State.Repositories').size).toBe(500);
    expect(index.match('Type=Update&Target=~BROADCAST~&Source=AssetHubServer&Name=Stat').size).toBe(0);
  });
});
