import { describe, expect, it } from 'vitest';
import { branchNameProblem, commitNameProblem, findTwin, nameProblem, repositoryNameProblem, utf8Length } from './names.ts';

const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';

describe('nameProblem', () => {
  it.each([
    'sky.png', 'Level 01.umap', 'über', '日本語.txt', 'a'.repeat(255), 'é'.repeat(127), 'CONSOLE.txt', 'com10', 'lpt', 'nul-ish', '.hidden', 'a..b',
  ])('accepts %j', (name) => {
    expect(nameProblem(name)).toBeNull();
  });

  it('counts UTF-8 bytes, not characters: 256 bytes is one too many', () => {
    expect(utf8Length('é'.repeat(128))).toBe(256);
    expect(nameProblem('é'.repeat(128))).toMatch(/256 bytes long \(at most 255/);
    expect(nameProblem('a'.repeat(256))).toMatch(/256 bytes/);
    expect(nameProblem('😀'.repeat(64))).toMatch(/256 bytes/); // 4 bytes each
    expect(nameProblem('😀'.repeat(63))).toBeNull();
  });

  it.each(['CON', 'con', 'Prn', 'AUX', 'nul', 'NUL.txt', 'con.tar.gz', 'COM1', 'com9.log', 'LPT1', 'lpt9', 'COM¹', 'CONIN$', 'aux .txt'])(
    'refuses the Windows device name %j',
    (name) => {
      expect(nameProblem(name)).toMatch(/device name reserved by Windows/);
    },
  );

  it.each(['name.', 'name ', 'a. ', '..', '.'])('refuses %j, which ends with a dot or a space', (name) => {
    expect(nameProblem(name)).toMatch(/ends with a dot or a space/);
  });

  it.each(['a<b', 'a>b', 'a:b', 'a"b', 'a|b', 'a?b', 'a*b'])('refuses %j, a character Windows forbids', (name) => {
    expect(nameProblem(name)).toMatch(/which Windows forbids/);
  });

  it('refuses control characters and names them', () => {
    expect(nameProblem('a\u0001b')).toMatch(/control character U\+0001/);
    expect(nameProblem('a\tb')).toMatch(/U\+0009/);
    expect(nameProblem('')).toMatch(/empty/);
  });
});

describe('findTwin', () => {
  it('finds two paths that differ only by case, at any level', () => {
    expect(findTwin(['Tex/a.png'], ['tex/b.png'])).toEqual({ path: 'Tex', other: 'tex' });
    expect(findTwin(['a/Sky.png'], ['a/sky.png'])).toEqual({ path: 'a/Sky.png', other: 'a/sky.png' });
    expect(findTwin(['x/Y', 'x/y'], [])).toEqual({ path: 'x/y', other: 'x/Y' });
  });

  it('finds NFC and NFD spellings of one name', () => {
    expect(NFC).not.toBe(NFD);
    expect(findTwin([`${NFD}/menu.png`], [`${NFC}/menu.png`])).toEqual({ path: NFD, other: NFC });
  });

  it('accepts the same path again, distinct names, and twins that were there before', () => {
    expect(findTwin(['tex/a.png', 'tex/b.png'], ['tex', 'tex/a.png'])).toBeNull();
    expect(findTwin(['textures/a'], ['tex/a'])).toBeNull();
    expect(findTwin(['other'], ['Old', 'old'])).toBeNull();
  });
});

describe('commitNameProblem', () => {
  const put = (URI: string) => ({ Type: 'PutFile' as const, URI });
  const del = (URI: string) => ({ Type: 'Delete' as const, URI });

  it('names the URI and the rule', () => {
    const long = `FileSystem:/dir/${'x'.repeat(300)}.png`;
    expect(commitNameProblem([put('FileSystem:/ok.txt'), put(long)], [])).toEqual({ uri: long, problem: expect.stringMatching(/304 bytes/) });
    expect(commitNameProblem([put('FileSystem:/Maps/CON.umap')], [])?.problem).toMatch(/"CON.umap".*reserved/);
    expect(commitNameProblem([put('FileSystem:/a/b?/c')], [])?.problem).toMatch(/"b\?"/);
  });

  it('refuses a twin within the commit and of what the branch holds', () => {
    expect(commitNameProblem([put('FileSystem:/Tex'), put('FileSystem:/tex')], [])?.uri).toBe('FileSystem:/tex');
    const twin = commitNameProblem([put('FileSystem:/Tex/b.png')], ['FileSystem:/tex/a.png']);
    expect(twin).toEqual({ uri: 'FileSystem:/Tex', problem: expect.stringMatching(/differs from "FileSystem:\/tex" only by case or Unicode normalisation/) });
    expect(commitNameProblem([put(`FileSystem:/${NFD}`)], [`FileSystem:/${NFC}`])?.uri).toBe(`FileSystem:/${NFD}`);
  });

  it('allows a rename that changes only the case, and deleting a name stored before the rules', () => {
    expect(commitNameProblem([del('FileSystem:/Tex'), put('FileSystem:/tex/a.png')], ['FileSystem:/Tex', 'FileSystem:/Tex/a.png'])).toBeNull();
    expect(commitNameProblem([del(`FileSystem:/${'x'.repeat(300)}`), del('FileSystem:/CON')], [])).toBeNull();
  });
});

describe('repository and branch names', () => {
  it('applies the name rules to the folders a repository name becomes, and caps both lengths', () => {
    expect(repositoryNameProblem('%SYNCED_STORAGE%\\Projects\\Project Alpha')).toBeNull();
    expect(repositoryNameProblem('%SYNCED_STORAGE%\\Projects\\CON')).toMatch(/reserved/);
    expect(repositoryNameProblem('%SYNCED_STORAGE%\\Projects\\..\\x')).toMatch(/"\.\."/);
    expect(repositoryNameProblem('%SYNCED_STORAGE%/a?')).toMatch(/forbids/);
    expect(repositoryNameProblem(`%SYNCED_STORAGE%\\${'a\\'.repeat(130)}`)).toMatch(/at most 255/);
    expect(branchNameProblem('Main')).toBeNull();
    expect(branchNameProblem('x'.repeat(256))).toMatch(/256 characters/);
    expect(branchNameProblem('a\nb')).toMatch(/control/);
  });
});
