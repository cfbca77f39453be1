/**
 * The two byte-range headers of the data plane: `Range` on GET (RFC 9110 §14.2, a single range) and `Content-Range`
 * on a resumed PUT. Both are parsed without trusting anything: digits only, checked bounds, no exceptions.
 */

/** What a GET should send back for a `Range` header, given the chunk's size. Ends are inclusive. */
export type RangeAnswer = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/i;

/**
 * A header the server does not understand (malformed, other unit, several ranges) is ignored and the whole chunk sent,
 * as RFC 9110 allows; only a well-formed range that starts past the end is unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'full' };
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // bytes=-n: the last n bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Number.POSITIVE_INFINITY : Number(last);
  if (end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/**
 * A PUT's `Content-Range`: `bytes <start>-<end>/<total>` for the bytes the body carries, or `bytes *\/<total>` with an
 * empty body to complete an upload whose partial already holds every byte. Undefined when malformed.
 */
export type ContentRange = { start: number; end: number; total: number } | { start: number; end: undefined; total: number };

const CONTENT_RANGE = /^bytes (?:(\d{1,16})-(\d{1,16})|(\*))\/(\d{1,16})$/i;

export function parseContentRange(header: string): ContentRange | undefined {
  const match = CONTENT_RANGE.exec(header.trim());
  if (!match) return undefined;
  const total = Number(match[4]);
  if (!Number.isSafeInteger(total)) return undefined;
  if (match[3] === '*') return { start: total, end: undefined, total };
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end || end >= total) return undefined;
  return { start, end, total };
}

/** A decimal header value such as Content-Length, or undefined. */
export function parseLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}
