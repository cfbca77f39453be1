/**
 * Asset URIs (docs/PROTOCOL.md §4: files and directories start with `FileSystem:/`). A URI names a path relative to a
 * workspace; anything that could resolve outside it is refused here, before it reaches a disk: `..` and `.` segments,
 * empty segments, absolute paths, drive letters, backslashes, NUL and other control characters.
 */
import { err, ok, type Result } from '../result.ts';
import { endsWithDotOrSpace, windowsForbiddenCharacter } from './paths.ts';

export const URI_SCHEME = 'FileSystem:/';

/** The path segments of a safe asset URI, or why it is unsafe. */
export function assetUriSegments(uri: string): Result<string[], string> {
  const segments = assetUriStructure(uri);
  if (!segments.ok) return segments;
  for (const segment of segments.value) {
    if (windowsForbiddenCharacter(segment) !== undefined || endsWithDotOrSpace(segment)) return err(`"${segment}" is not a portable file name`);
  }
  return segments;
}

/**
 * The structural half of `assetUriSegments`: what could lead out of a workspace on any system, without the rules on
 * the characters of each name (the server reports those as names: ./names.ts).
 */
export function assetUriStructure(uri: string): Result<string[], string> {
  if (!uri.startsWith(URI_SCHEME)) return err(`"${uri}" does not start with "${URI_SCHEME}"`);
  const path = uri.slice(URI_SCHEME.length);
  if (path.length === 0) return err('the URI names no file');
  if (/[\u0000-\u001f\u007f]/.test(path)) return err('the URI contains control characters');
  if (path.includes('\\')) return err('the URI contains a backslash');
  if (path.startsWith('/')) return err('the URI is an absolute path');
  if (/^[A-Za-z]:/.test(path)) return err('the URI starts with a drive letter');
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') return err(`the URI has a "${segment || '(empty)'}" segment`);
  }
  return ok(segments);
}

export const assetUri = (segments: readonly string[]): string => URI_SCHEME + segments.join('/');

/** `Content/Levels/Main.umap` (a path relative to the workspace, `/` separators) → `FileSystem:/Content/Levels/Main.umap`. */
export const uriOfPath = (relative: string): string => URI_SCHEME + relative;

/** `FileSystem:/Content/Levels/Main.umap` → `Content/Levels/Main.umap`: the path relative to the workspace. */
export const uriPath = (uri: string): string => (uri.startsWith(URI_SCHEME) ? uri.slice(URI_SCHEME.length) : uri);

/** `FileSystem:/Content/Textures/T_Sky.png` → `T_Sky.png`: the asset's name, the last segment of its URI. */
export const assetNameOf = (uri: string): string => uri.slice(uri.lastIndexOf('/') + 1);

/** The URI of the folder that contains an asset, or null at the workspace root. */
export function parentUri(uri: string): string | null {
  const at = uri.lastIndexOf('/');
  return at < URI_SCHEME.length ? null : uri.slice(0, at);
}
