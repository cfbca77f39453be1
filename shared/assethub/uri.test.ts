import { describe, expect, it } from 'vitest';
import { nameProblem } from './names.ts';
import { assetNameOf, assetUri, assetUriSegments, parentUri, uriOfPath, uriPath } from './uri.ts';

describe('URI ↔ path relative to the workspace', () => {
  it('puts the scheme in front of a relative path, and takes it off', () => {
    expect(uriOfPath('Content/Levels/Main.umap')).toBe('FileSystem:/Content/Levels/Main.umap');
    expect(uriPath('FileSystem:/Content/Levels/Main.umap')).toBe('Content/Levels/Main.umap');
    expect(uriPath(uriOfPath('a/b c/d.png'))).toBe('a/b c/d.png');
    expect(uriOfPath('a/b')).toBe(assetUri(['a', 'b']));
  });

  it('leaves a text without the scheme as it is', () => {
    expect(uriPath('Content/x.png')).toBe('Content/x.png');
    expect(uriPath('filesystem:/x')).toBe('filesystem:/x');
  });

  it("names an asset by its URI's last segment, and its folder by the rest", () => {
    expect(assetNameOf('FileSystem:/Content/Textures/T_Sky.png')).toBe('T_Sky.png');
    expect(assetNameOf('FileSystem:/Top')).toBe('Top');
    expect(parentUri('FileSystem:/Content/Textures/T_Sky.png')).toBe('FileSystem:/Content/Textures');
    expect(parentUri('FileSystem:/Top')).toBeNull();
  });
});

describe('assetUriSegments', () => {
  it('refuses the names Windows cannot hold by the same character rules as the name rules', () => {
    for (const bad of ['a<b', 'a>b', 'a:b', 'a"b', 'a|b', 'a?b', 'a*b', 'dot.', 'space ']) {
      expect(assetUriSegments(uriOfPath(`Content/${bad}`)), bad).toEqual({ ok: false, error: `"${bad}" is not a portable file name` });
      expect(nameProblem(bad), bad).not.toBeNull();
    }
    expect(assetUriSegments(uriOfPath('Content/T_Sky.png'))).toEqual({ ok: true, value: ['Content', 'T_Sky.png'] });
  });
});
