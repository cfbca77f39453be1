// docs/PROTOCOL-EXTENSIONS.md lists, Call by Call and State by State, what Pixotope documents and what is this
// project's: the list must hold every Call and state the panel knows, each marked as the code treats it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CALLS, DOCUMENTED_OFFER, stateNamesOf } from '../../shared/assethub/index.ts';

const doc = readFileSync(new URL('../../docs/PROTOCOL-EXTENSIONS.md', import.meta.url), 'utf8');
const rows = [...doc.matchAll(/^\| (server|client) \| (?:State )?`(\w+)` \| (Pixotope|extension) \| (.+) \|$/gm)].map((m) => ({
  kind: m[1] as 'server' | 'client', name: m[2] as string, state: m[0].includes('| State `'), whose: m[3], effect: m[4],
}));

describe('the Call-by-Call, State-by-State table', () => {
  for (const kind of ['server', 'client'] as const) {
    it(`lists every ${kind} Call and state, documented exactly when Pixotope documents it`, () => {
      const calls = rows.filter((r) => r.kind === kind && !r.state);
      expect(calls.map((r) => r.name).sort()).toEqual(Object.keys(CALLS[kind]).sort());
      for (const row of calls) expect(row.whose, row.name).toBe((DOCUMENTED_OFFER[kind].methods as readonly string[]).includes(row.name) ? 'Pixotope' : 'extension');
      const states = rows.filter((r) => r.kind === kind && r.state);
      expect(states.map((r) => r.name).sort()).toEqual([...stateNamesOf(kind)].sort());
      for (const row of states) expect(row.whose, row.name).toBe((DOCUMENTED_OFFER[kind].states as readonly string[]).includes(row.name) ? 'Pixotope' : 'extension');
    });
  }
});
