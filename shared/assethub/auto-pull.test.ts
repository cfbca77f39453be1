import { describe, expect, it } from 'vitest';
import { dictFrom } from '../dict.ts';
import { effectiveAutoPull } from './auto-pull.ts';

const server = { Repositories: dictFrom([['Show', { AutoPull: true }], ['Props', { AutoPull: false }]]) };

describe('effectiveAutoPull', () => {
  it("follows the repository's default when the workspace has no setting of its own", () => {
    expect(effectiveAutoPull(null, 'Show', server)).toBe(true);
    expect(effectiveAutoPull(undefined, 'Props', server)).toBe(false);
  });

  it("keeps the workspace's own setting, whatever the default", () => {
    expect(effectiveAutoPull(false, 'Show', server)).toBe(false);
    expect(effectiveAutoPull(true, 'Props', server)).toBe(true);
    expect(effectiveAutoPull(true, 'Unknown', null)).toBe(true);
    expect(effectiveAutoPull(false, null, undefined)).toBe(false);
  });

  it("is null when neither is known: the server's State not read, no repository, or one the server does not list", () => {
    expect(effectiveAutoPull(null, 'Show', null)).toBeNull();
    expect(effectiveAutoPull(null, 'Show', undefined)).toBeNull();
    expect(effectiveAutoPull(null, null, server)).toBeNull();
    expect(effectiveAutoPull(null, 'Unknown', server)).toBeNull();
  });

  it('reads repository names as names: an inherited property is no repository', () => {
    // A State that crossed a process boundary (JSON, a structured clone) has a prototype again.
    const inherited = { Repositories: Object.create({ Inherited: { AutoPull: true } }) as typeof server.Repositories };
    expect(effectiveAutoPull(null, 'Inherited', inherited)).toBeNull();
    expect(effectiveAutoPull(null, 'toString', JSON.parse('{"Repositories":{}}') as typeof server)).toBeNull();
    expect(effectiveAutoPull(null, '__proto__', { Repositories: dictFrom([['__proto__', { AutoPull: true }]]) })).toBe(true);
  });
});
