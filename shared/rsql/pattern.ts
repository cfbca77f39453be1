/**
 * The patterns of `asset.name==` and `asset.uri==`: `*` matches any run of characters (none too, `/` too); every
 * other character matches itself, ASCII letters in either case (A–Z = a–z) and nothing else case-insensitively (É ≠
 * é), which is what SQLite's LIKE does by default, so the server's SQL (catalogue/sql.ts, through `likePattern`) and
 * `matchesPattern` here agree. There is no escape for `*` (it cannot be in a portable name anyway).
 */
import { URI_SCHEME } from '../assethub/uri.ts';

/** Longest pattern accepted (SQLite refuses LIKE patterns over 50,000 bytes; escaped UTF-8 stays far below). */
export const PATTERN_MAX = 4096;

/** The escape character of `likePattern`'s output: `LIKE ? ESCAPE '\'`. */
export const LIKE_ESCAPE = '\\';

/** ASCII letters to lower case; every other character as it is. */
export const lowerAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/** ASCII letters to upper case; every other character as it is. */
export const upperAscii = (text: string): string => text.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));

/**
 * Whether `text` matches `pattern` (see above). Greedy with one backtrack point (the last `*`): linear for a pattern
 * with one `*`, at most pattern × text steps otherwise, never exponential.
 */
export function matchesPattern(pattern: string, text: string): boolean {
  const p = lowerAscii(pattern);
  const t = lowerAscii(text);
  let i = 0;
  let j = 0;
  let star = -1;
  let resume = 0;
  while (j < t.length) {
    if (i < p.length && p[i] === '*') {
      star = i++;
      resume = j;
    } else if (i < p.length && p[i] === t[j]) {
      i++;
      j++;
    } else if (star >= 0) {
      i = star + 1;
      j = ++resume;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}

/** The pattern as SQL LIKE text with `LIKE_ESCAPE`: `*` → `%`; `%`, `_` and the escape character match literally. */
export function likePattern(pattern: string): string {
  let out = '';
  for (const c of pattern) {
    if (c === '*') out += '%';
    else if (c === '%' || c === '_' || c === LIKE_ESCAPE) out += LIKE_ESCAPE + c;
    else out += c;
  }
  return out;
}

/**
 * An `asset.uri` value as a pattern over the whole URI: the value is the path below the repository's root
 * (`Textures/T_Sky.png`), and a leading `FileSystem:/` (in any case) may be given or left out.
 */
export function uriPattern(value: string): string {
  const scheme = value.slice(0, URI_SCHEME.length);
  return URI_SCHEME + (lowerAscii(scheme) === lowerAscii(URI_SCHEME) ? value.slice(URI_SCHEME.length) : value);
}
