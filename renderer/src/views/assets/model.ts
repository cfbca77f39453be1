/**
 * The Assets view's pure parts: the RSQL sent to the server (the operator's filter plus the revision pickers), paging
 * with recovery from an expired cursor, the per-entry problems of a refused import, and words for what the rows show.
 */
import type { TAsset, TAttribute } from '../../../../shared/assethub/catalogue.ts';
import { compileFilter } from '../../../../shared/rsql/index.ts';
import { failureOf } from '../../commands/failure.ts';

export const PAGE_SIZE = 200;

/** What a Failure from the host looks like here. */
export type { Failure as CallFailure } from '../../commands/failure.ts';

// ---- revisions and the filter sent ----

export const LATEST = 'latest';
export const PREVIOUS = 'latest-1';

export interface Revisions {
  /** `exchange.snapshot.toRevision`: `latest`, `latest-N` or a commit ID. */
  snapshot: string;
  /** `exchange.snapshot.fromRevision` for a delta; null for a plain snapshot. */
  compareFrom: string | null;
}

/** Quotes an RSQL value when it holds anything beyond the plain characters. */
export function rsqlValue(value: string): string {
  return /^[A-Za-z0-9_.:@/+-]+$/.test(value) ? value : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The revisions the operator's own filter names, or null when it names none (then the pickers add theirs). */
export function filterRevisions(filter: string): { from: string | null; to: string | null } | null {
  const compiled = compileFilter(filter, 'assets');
  if (!compiled.ok || (compiled.value.fromRevision === null && compiled.value.toRevision === null)) return null;
  return { from: compiled.value.fromRevision, to: compiled.value.toRevision };
}

/** Whether the operator's own filter already names a revision (then the pickers stand aside). */
export const filterSetsRevisions = (filter: string): boolean => filterRevisions(filter) !== null;

/**
 * The clause the "Find" box adds: text with a `/` is a path (`asset.uri`), any other a name (`asset.name`); the text is
 * looked for anywhere (`*text*`) unless it has a `*` of its own, which then places it. Empty text adds nothing.
 */
export function findClause(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  const pattern = t.includes('*') ? t : `*${t}*`;
  return `${t.includes('/') ? 'asset.uri' : 'asset.name'}==${rsqlValue(pattern)}`;
}

/** The operator's filter and the Find box's clause, both to hold. */
export function withFind(filter: string, find: string): string {
  const clause = findClause(find);
  const own = filter.trim().replace(/[;\s]+$/, '');
  return [clause, own].filter((p) => p !== '').join(';');
}

/**
 * The Filters sent with QueryAssets: the operator's filter, then the pickers' revisions as
 * `exchange.snapshot.fromRevision` (exclusive) and `exchange.snapshot.toRevision` (inclusive), joined by `;`.
 * When the filter names a revision itself it is sent as it is.
 */
export function composeFilters(filter: string, revisions: Revisions): string {
  const own = filter.trim().replace(/[;\s]+$/, '');
  if (own !== '' && filterSetsRevisions(own)) return own;
  const parts = own === '' ? [] : [own];
  if (revisions.compareFrom !== null) parts.push(`exchange.snapshot.fromRevision==${rsqlValue(revisions.compareFrom)}`);
  parts.push(`exchange.snapshot.toRevision==${rsqlValue(revisions.snapshot)}`);
  return parts.join(';');
}

// ---- paging ----

export interface Page<T> { results: T[]; nextCursor: string | null }

/** Fetches one page: from the start (cursor null) or after a cursor. Rejects with a CallFailure-like error. */
export type FetchPage<T> = (cursor: string | null) => Promise<Page<T>>;

export interface Loaded<T> {
  rows: T[];
  nextCursor: string | null;
  /** True when the cursor had expired and the query was run again from the start. */
  restarted: boolean;
}

/** Pages from the start until at least `want` rows are loaded or nothing more exists. */
export async function loadFromStart<T>(fetch: FetchPage<T>, want: number): Promise<Loaded<T>> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetch(cursor);
    rows.push(...page.results);
    cursor = page.nextCursor;
  } while (cursor !== null && rows.length < want);
  return { rows, nextCursor: cursor, restarted: false };
}

/**
 * The next page after `cursor`. When the server says the cursor expired (CURSOR_EXPIRED, docs/PROTOCOL.md §6: "It
 * expires in 10 minutes"), the query runs again from the start up to the rows the operator had plus one page, so the
 * list looks as it would have, and `restarted` says so.
 */
export async function loadMore<T>(fetch: FetchPage<T>, rows: readonly T[], cursor: string): Promise<Loaded<T>> {
  try {
    const page = await fetch(cursor);
    return { rows: [...rows, ...page.results], nextCursor: page.nextCursor, restarted: false };
  } catch (error) {
    if (failureOf(error).code !== 'CURSOR_EXPIRED') throw error;
    const again = await loadFromStart(fetch, rows.length + 1);
    return { ...again, restarted: true };
  }
}

// ---- a refused import ----

export interface ImportProblemLine { index: number; field: string; message: string }

/**
 * The per-entry problems of an UNPROCESSABLE ImportAssets Failure: its message is a summary line, then one line per
 * problem `#<index> <field>: <message>` (index -1 = the document itself). A line that is not in that form continues
 * the problem before it.
 */
export function parseImportProblems(message: string): { summary: string; problems: ImportProblemLine[] } {
  const lines = message.split(/\r?\n/);
  const problems: ImportProblemLine[] = [];
  const summary: string[] = [];
  for (const line of lines) {
    const m = /^\s*#(-?\d+)\s+(\S[^:]*?)\s*:\s?(.*)$/.exec(line) ?? /^\s*#(-?\d+)()\s*:?\s?(.*)$/.exec(line);
    if (m) problems.push({ index: Number(m[1]), field: m[2] ?? '', message: m[3] ?? '' });
    else if (problems.length > 0 && line.trim() !== '') {
      const last = problems[problems.length - 1] as ImportProblemLine;
      last.message = `${last.message}\n${line.trim()}`;
    } else if (line.trim() !== '') summary.push(line.trim());
  }
  return { summary: summary.join(' '), problems };
}

/** What identifies entry `index` of a document in words: its assetId, uri or name, when the file has them. */
export function entryLabel(document: unknown, index: number): string {
  if (index < 0) return 'the document';
  const assets = typeof document === 'object' && document !== null ? (document as { assets?: unknown }).assets : undefined;
  const entry = Array.isArray(assets) ? (assets[index] as unknown) : undefined;
  if (typeof entry !== 'object' || entry === null) return '';
  const e = entry as Record<string, unknown>;
  for (const key of ['uri', 'name', 'assetId']) {
    const v = e[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return '';
}

/** Comma- or newline-separated words → a list without blanks or repeats. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean))];
}

// ---- words ----

/** `assethub:texture-1.0.0` → `texture`; anything else as it is. */
export function kindOf(asset: Pick<TAsset, 'type'>): string {
  return /^assethub:([a-z]+)-\d+\.\d+\.\d+$/.exec(asset.type)?.[1] ?? asset.type;
}

export const OPERATION_LABEL: Record<'INSERT' | 'MODIFY' | 'REMOVE', string> = { INSERT: 'Added', MODIFY: 'Modified', REMOVE: 'Removed' };

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** System attributes (set by the server from the file) and metadata (set through ImportAssets). */
export function splitAttributes(attributes: readonly TAttribute[]): { system: TAttribute[]; metadata: TAttribute[] } {
  return { system: attributes.filter((a) => a.category === 'system'), metadata: attributes.filter((a) => a.category !== 'system') };
}

/** A file name for an export: `assets-<repository leaf>-<branch>[-<asset>]-<yyyymmdd-hhmmss>.json`. */
export function exportFileName(repository: string, branch: string, now: Date, assetName?: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
  const leaf = repository.slice(repository.lastIndexOf('\\') + 1);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `assets-${safe(leaf)}-${safe(branch)}${assetName ? `-${safe(assetName)}` : ''}-${stamp}.json`;
}
