import { describe, expect, it } from 'vitest';
import { parsePlace, startPlace, type RepoCount } from './startPlace.ts';

const repos = [
  { name: 'A', branches: [{ name: 'Main' }] },
  { name: 'B', branches: [{ name: 'Main' }, { name: 'Show' }] },
  { name: 'C', branches: [{ name: 'Main' }] },
  { name: 'Empty', branches: [] },
];
const counts = (entries: Array<[string, RepoCount]>) => new Map(entries);

describe('startPlace', () => {
  it('waits until every repository with a branch is counted, then opens on the one with the most assets', () => {
    expect(startPlace(repos, null, counts([['A', 3], ['B', 40]]))).toBeNull();
    expect(startPlace(repos, null, counts([['A', 3], ['B', 40], ['C', 12]]))).toEqual({ repository: 'B', branch: 'Main' });
  });
  it('breaks ties by name, and skips what the server did not count', () => {
    expect(startPlace(repos, null, counts([['A', 7], ['B', 'failed'], ['C', 7]]))).toEqual({ repository: 'A', branch: 'Main' });
  });
  it('opens on the first repository when nothing could be counted (a server without CountAssets)', () => {
    expect(startPlace(repos, null, counts([['A', 'failed'], ['B', 'failed'], ['C', 'failed']]))).toEqual({ repository: 'A', branch: 'Main' });
  });
  it('prefers the place last used while it exists, without waiting for counts; a branch gone falls back to the first', () => {
    expect(startPlace(repos, { repository: 'C', branch: 'Main' }, counts([]))).toEqual({ repository: 'C', branch: 'Main' });
    expect(startPlace(repos, { repository: 'B', branch: 'Gone' }, counts([]))).toEqual({ repository: 'B', branch: 'Main' });
    expect(startPlace(repos, { repository: 'Deleted', branch: 'Main' }, counts([['A', 1], ['B', 2], ['C', 3]]))).toEqual({ repository: 'C', branch: 'Main' });
  });
  it('has nothing to open with no repositories', () => {
    expect(startPlace([], null, counts([]))).toBeNull();
  });
});

describe('parsePlace', () => {
  it('reads only two short strings from storage', () => {
    expect(parsePlace('{"repository":"A","branch":"Main"}')).toEqual({ repository: 'A', branch: 'Main' });
    for (const bad of [null, '', 'nope', '[]', '{"repository":"A"}', '{"repository":1,"branch":"Main"}', `{"repository":"${'x'.repeat(2000)}","branch":"M"}`]) {
      expect(parsePlace(bad), String(bad)).toBeNull();
    }
  });
});
