/**
 * The catalogue's SQL: a compiled RSQL filter and a revision range become one statement (a snapshot) or two (the
 * changed and the removed rows of a delta), each in uri order after a cursor, with LIMIT. Which index drives each
 * statement is chosen here, not left to the planner (the tables carry no statistics):
 *
 * | filter / range                          | driving index                                   |
 * | --------------------------------------- | ----------------------------------------------- |
 * | `assetId` / `to.asset.id`               | `files_asset` (a few rows, sorted)              |
 * | refParameter value / `from.asset.id`    | `files_parent` (parent_id, uri): uri order      |
 * | a metadata parameter matching ≤ 20,000  | `asset_metadata_by_value`, then `files_asset`   |
 * | `asset.type.name`                       | `files_type` (branch, kind, uri): uri order     |
 * | a delta of ≤ 20,000 row changes         | `files_from` / `files_current` by position      |
 * | a snapshot at the head                  | `files_current` (branch, to_pos NULL, uri)      |
 * | anything else                           | the primary key (branch, uri, from_pos)         |
 *
 * An `asset.uri` pattern that begins with ASCII text (not `*`) also bounds the uri column (`uriBounds`): the parent,
 * type, head-snapshot and primary-key drivers read (…, uri) in order, so an exact or prefix pattern reads a range of
 * them, not the whole branch (the other drivers check it on their rows). Case does not matter, so the range runs from
 * the prefix in upper case to the prefix in lower case (`Tex` reads `TEX` … `tex`: every path whose first character
 * lies between `T` and `t`, the ends narrower): exact for digits and punctuation, a part of the branch from the first
 * letter on. `asset.name`, and an `asset.uri` pattern that begins with `*`, are checked row by row.
 *
 * Every other clause is checked on the rows the driver yields. A probe for another version of the same URI always goes
 * through (branch, uri, …). A delta's MODIFY/INSERT flag is looked up for the page's rows only, and its removed part
 * checks only the candidates up to the last URI of a full changed part. The semantics are those of shared/rsql
 * matchesAsset / matchesRelationship over the records Catalogue builds (checked by catalogue/equivalence.test.ts).
 */
import type sqlite from 'node-sqlite3-wasm';
import { CONTAINMENT_TYPE, typeNameToKind } from '../../../shared/assethub/catalogue.ts';
import { URI_SCHEME } from '../../../shared/assethub/uri.ts';
import type { CompiledFilter, ParameterMatch } from '../../../shared/rsql/filter.ts';
import { LIKE_ESCAPE, likePattern, lowerAscii, upperAscii } from '../../../shared/rsql/pattern.ts';
import type { RevisionRange } from '../../../shared/rsql/revisions.ts';

export type Bind = string | number | null;
export interface Statement {
  text: string;
  params: Bind[];
  /**
   * A delta's removed part again with `AND f.uri <= ?` (the bound's value goes last): once the changed part has filled
   * a page up to some URI, no removal after it can be on the page, and only the candidates before it are checked.
   */
  bounded?: string;
  /** The rows carry an `existed` column (a delta's parts). */
  existed?: boolean;
}
export type Target = 'assets' | 'relationships';

/** A selective driver is used when it yields at most this many rows; past it, uri order is cheaper than sorting. */
export const DRIVE_MAX = 20_000;

/** The reference parameter every asset below the root has: its folder (PROTOCOL-EXTENSIONS.md, "Asset catalogue"). */
export const PARENT_PARAMETER = 'parent';

/** System attributes: name → SQL value (null = absent), in the order Catalogue lists them. */
export const SYSTEM_ATTRIBUTES: ReadonlyArray<{ name: string; sql: string; present: string }> = [
  { name: 'uri', sql: 'f.uri', present: '1' },
  { name: 'name', sql: 'f.name', present: '1' },
  { name: 'size', sql: 'CAST(f.size AS TEXT)', present: '1' },
  { name: 'kind', sql: 'f.asset_kind', present: '1' },
  { name: 'hash', sql: 'f.hash', present: 'f.hash IS NOT NULL' },
];
const SYSTEM_NAMES = new Set(SYSTEM_ATTRIBUTES.map((a) => a.name));

export const ROW_COLUMNS = 'f.asset_id, f.uri, f.kind, f.asset_kind, f.name, f.size, f.hash, f.commit_id, f.created_commit, f.parent_id';

export interface FileRow {
  asset_id: string;
  uri: string;
  kind: 'file' | 'directory';
  asset_kind: string;
  name: string;
  size: number;
  hash: string | null;
  commit_id: string;
  created_commit: string;
  parent_id: string | null;
  /** Delta statements only: 1 when the URI existed at `from` (MODIFY), 0 otherwise (INSERT); null for removals. */
  existed?: number | null;
}

interface Clause { sql: string; params: Bind[] }
const clause = (sql: string, ...params: Bind[]): Clause => ({ sql, params });

/** A version row of `alias` valid at position `pos` (at the head: the current row). */
function validAt(alias: string, pos: number, head: boolean): Clause {
  return head ? clause(`${alias}.to_pos IS NULL`) : clause(`${alias}.from_pos <= ? AND (${alias}.to_pos IS NULL OR ${alias}.to_pos > ?)`, pos, pos);
}

/**
 * The index of a point probe for one URI's version at `pos`: the current one through `files_current` (branch, NULL,
 * uri: covering), any other through the primary key (branch, uri, from_pos). Named, because the planner would
 * otherwise take a covering index whose uri column comes after a position range.
 */
const probeIndex = (head: boolean): string => (head ? 'files_current' : 'sqlite_autoindex_files_1');

/** Some row of the same URI as `f` valid at `pos` (and matching `extra`). */
function sameUriAt(pos: number, head: boolean, extra = ''): Clause {
  const at = validAt('g', pos, head);
  return clause(`EXISTS (SELECT 1 FROM files g INDEXED BY ${probeIndex(head)} WHERE g.branch_id = f.branch_id AND g.uri = f.uri AND ${at.sql}${extra})`, ...at.params);
}

function parameterClause(m: ParameterMatch): Clause {
  if (m.typeId !== undefined) return clause('0'); // attributes have no typeId
  const alternatives: Clause[] = [];
  for (const a of SYSTEM_ATTRIBUTES) {
    if (m.name !== undefined && m.name !== a.name) continue;
    alternatives.push(m.value === undefined ? clause(a.present) : clause(`${a.sql} = ?`, m.value));
  }
  const md: Clause[] = [clause('m.asset_id = f.asset_id')];
  if (m.name !== undefined) md.push(clause('m.name = ?', m.name));
  if (m.value !== undefined) md.push(clause('m.value = ?', m.value));
  alternatives.push(clause(`EXISTS (SELECT 1 FROM asset_metadata m WHERE ${md.map((c) => c.sql).join(' AND ')})`, ...md.flatMap((c) => c.params)));
  return clause(`(${alternatives.map((c) => c.sql).join(' OR ')})`, ...alternatives.flatMap((c) => c.params));
}

/** Whether a reference-parameter match can hold at all (name `parent`, typeId CONTAINMENT_TYPE, when given). */
const refPossible = (r: ParameterMatch): boolean =>
  (r.name === undefined || r.name === PARENT_PARAMETER) && (r.typeId === undefined || r.typeId === CONTAINMENT_TYPE);

function refClause(r: ParameterMatch): Clause {
  if (!refPossible(r)) return clause('0');
  return r.value === undefined ? clause('f.parent_id IS NOT NULL') : clause('f.parent_id = ?', r.value);
}

/** `column` matches one of the patterns (shared/rsql/pattern.ts; SQLite's LIKE ignores the case of ASCII letters only). */
function patternClause(column: string, patterns: readonly string[]): Clause {
  const like = `${column} LIKE ? ESCAPE '${LIKE_ESCAPE}'`;
  return clause(`(${patterns.map(() => like).join(' OR ')})`, ...patterns.map(likePattern));
}

interface Bounds { low: string | null; high: string | null }

/**
 * The uri range every URI matching `pattern` (a compiled `asset.uri` pattern: `FileSystem:/` and the path) lies in,
 * from its literal ASCII prefix: [scheme + PREFIX, scheme + prefix with its last character one higher). Null when the
 * path begins with `*` or a character past ASCII. Stored URIs all begin with URI_SCHEME exactly as written.
 */
function prefixBounds(pattern: string): Bounds | null {
  const path = pattern.slice(URI_SCHEME.length);
  let n = 0;
  while (n < path.length && path[n] !== '*' && path.charCodeAt(n) < 0x80) n++;
  if (n === 0) return null;
  const prefix = path.slice(0, n);
  const lower = lowerAscii(prefix);
  return { low: URI_SCHEME + upperAscii(prefix), high: URI_SCHEME + lower.slice(0, -1) + String.fromCharCode(lower.charCodeAt(n - 1) + 1) };
}

const minUtf8 = (a: string, b: string): string => (compareUtf8(a, b) <= 0 ? a : b);
const maxUtf8 = (a: string, b: string): string => (compareUtf8(a, b) >= 0 ? a : b);

/** The uri range all `asset.uri` clauses allow: each clause the union of its patterns' ranges, all of them the intersection. */
function uriBounds(uris: readonly string[][]): Bounds {
  let low: string | null = null;
  let high: string | null = null;
  for (const patterns of uris) {
    const ranges = patterns.map(prefixBounds);
    if (ranges.length === 0 || ranges.some((r) => r === null)) continue;
    const known = ranges as Array<{ low: string; high: string }>;
    const lo = known.map((r) => r.low).reduce(minUtf8);
    const hi = known.map((r) => r.high).reduce(maxUtf8);
    low = low === null ? lo : maxUtf8(low, lo);
    high = high === null ? hi : minUtf8(high, hi);
  }
  return { low, high };
}

/**
 * The uri conditions of a statement: the `asset.uri` range, with a page's cursor (`uri > after`) folded into its lower
 * bound, so that the index is searched from the later of the two.
 */
function uriRange(bounds: Bounds, after: string | null): Clause[] {
  const out: Clause[] = [];
  if (after !== null && (bounds.low === null || compareUtf8(after, bounds.low) >= 0)) out.push(clause('f.uri > ?', after));
  else if (bounds.low !== null) out.push(clause('f.uri >= ?', bounds.low));
  if (bounds.high !== null) out.push(clause('f.uri < ?', bounds.high));
  return out;
}

/** The ids every `assetId` clause allows (all must hold), or null when there is none. */
function allowedIds(lists: string[][]): string[] | null {
  if (lists.length === 0) return null;
  let allowed = new Set(lists[0]);
  for (const list of lists.slice(1)) allowed = new Set(list.filter((id) => allowed.has(id)));
  return [...allowed];
}

const isPureMetadata = (m: ParameterMatch): m is ParameterMatch & { name: string } =>
  m.name !== undefined && !SYSTEM_NAMES.has(m.name) && m.typeId === undefined;

type Driver =
  | { kind: 'ids'; ids: string[] }
  | { kind: 'parent'; parentId: string }
  | { kind: 'metadata'; name: string; value?: string }
  | { kind: 'type' }
  | { kind: 'current' }
  | { kind: 'range' }
  | { kind: 'uri' };

/** Bounded count: how many rows a statement yields, up to `max + 1`. */
function boundedCount(db: sqlite.Database, from: string, where: Clause, max: number): number {
  const r = db.get(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${from} WHERE ${where.sql} LIMIT ${max + 1})`, where.params);
  return Number(r?.n ?? 0);
}

export interface Query {
  target: Target;
  branchId: number;
  range: RevisionRange;
  /** Position of the branch head (a snapshot there reads the current rows). */
  head: number;
  filter: CompiledFilter;
}

/** The filter's clauses over `f` (everything but the revision selectors). */
function filterClauses(q: Query): Clause[] {
  const f = q.filter;
  const out: Clause[] = [];
  if (q.target === 'assets') {
    const ids = allowedIds(f.assetIds);
    if (ids) out.push(clause('f.asset_id IN (SELECT value FROM json_each(?))', JSON.stringify(ids)));
    for (const patterns of f.names) out.push(patternClause('f.name', patterns));
    for (const patterns of f.uris) out.push(patternClause('f.uri', patterns));
    for (const t of f.typeNames) out.push(clause('f.asset_kind = ?', typeNameToKind(t)));
    for (const { name, value } of f.parameterValues) out.push(parameterClause({ name, value }));
    for (const m of f.parameters) out.push(parameterClause(m));
    for (const r of f.refParameters) out.push(refClause(r));
  } else {
    out.push(clause('f.parent_id IS NOT NULL'));
    for (const id of f.fromAssetIds) out.push(clause('f.parent_id = ?', id));
    for (const id of f.toAssetIds) out.push(clause('f.asset_id = ?', id));
  }
  return out;
}

function chooseDriver(db: sqlite.Database, q: Query): Driver {
  const f = q.filter;
  const ids = q.target === 'assets' ? allowedIds(f.assetIds) : f.toAssetIds.length > 0 ? [...new Set(f.toAssetIds)] : null;
  if (ids) return { kind: 'ids', ids };
  const parent = q.target === 'assets'
    ? f.refParameters.find((r) => refPossible(r) && r.value !== undefined)?.value
    : f.fromAssetIds[0];
  if (parent !== undefined) return { kind: 'parent', parentId: parent };
  if (q.target === 'assets') {
    const candidates = [...f.parameterValues, ...f.parameters].filter(isPureMetadata);
    let best: { m: ParameterMatch & { name: string }; n: number } | null = null;
    for (const m of candidates) {
      const where = m.value === undefined ? clause('name = ?', m.name) : clause('name = ? AND value = ?', m.name, m.value);
      const n = boundedCount(db, 'asset_metadata INDEXED BY asset_metadata_by_value', where, DRIVE_MAX);
      if (n <= DRIVE_MAX && (!best || n < best.n)) best = { m, n };
    }
    if (best) return { kind: 'metadata', name: best.m.name, ...(best.m.value === undefined ? {} : { value: best.m.value }) };
  }
  if (q.range.from !== null) {
    const { from, to } = q.range;
    const changed = boundedCount(db, 'files INDEXED BY files_from', clause('branch_id = ? AND from_pos > ? AND from_pos <= ?', q.branchId, from, to), DRIVE_MAX);
    const ended = changed > DRIVE_MAX ? 0
      : boundedCount(db, 'files INDEXED BY files_current', clause('branch_id = ? AND to_pos > ? AND to_pos <= ?', q.branchId, from, to), DRIVE_MAX);
    if (changed + ended <= DRIVE_MAX) return { kind: 'range' };
  }
  if (q.target === 'assets' && f.typeNames.length > 0) return { kind: 'type' };
  if (q.range.from === null && q.range.to === q.head) return { kind: 'current' };
  return { kind: 'uri' };
}

/** FROM clause and driver-specific conditions for one part of a query ('rows' = snapshot or changed rows, 'removed'). */
function source(driver: Driver, part: 'rows' | 'removed', q: Query): { from: string; where: Clause[] } {
  switch (driver.kind) {
    case 'ids':
      return { from: 'files f INDEXED BY files_asset', where: [clause('f.asset_id IN (SELECT value FROM json_each(?))', JSON.stringify(driver.ids))] };
    case 'parent':
      return { from: 'files f INDEXED BY files_parent', where: [clause('f.parent_id = ?', driver.parentId)] };
    case 'metadata': {
      const where = [clause('d.name = ?', driver.name), clause('f.asset_id = d.asset_id')];
      if (driver.value !== undefined) where.splice(1, 0, clause('d.value = ?', driver.value));
      return { from: 'asset_metadata d INDEXED BY asset_metadata_by_value CROSS JOIN files f INDEXED BY files_asset', where };
    }
    case 'type': {
      const kind = typeNameToKind(q.filter.typeNames[0] ?? '');
      return { from: 'files f INDEXED BY files_type', where: [clause('f.asset_kind = ?', kind)] };
    }
    case 'current':
      return { from: 'files f INDEXED BY files_current', where: [] };
    case 'range':
      return { from: part === 'rows' ? 'files f INDEXED BY files_from' : 'files f INDEXED BY files_current', where: [] };
    case 'uri':
      return { from: 'files f INDEXED BY sqlite_autoindex_files_1', where: [] };
  }
}

/**
 * The statements of one page (or, with `count`, of counting every row): one for a snapshot; two for a delta, the
 * changed rows (with `existed`) and the removed rows, each in uri order.
 */
export function statements(db: sqlite.Database, q: Query, after: string | null, limit: number | 'count'): Statement[] {
  const driver = chooseDriver(db, q);
  const filters = filterClauses(q);
  const bounds = q.target === 'assets' ? uriBounds(q.filter.uris) : { low: null, high: null };
  const { from, to } = q.range;
  const parts: Array<{ part: 'rows' | 'removed'; rows: Clause[]; columns: string }> = [];
  if (from === null) {
    parts.push({ part: 'rows', rows: [validAt('f', to, to === q.head)], columns: ROW_COLUMNS });
  } else {
    const changed = [
      clause('f.from_pos > ? AND f.from_pos <= ?', from, to),
      to === q.head ? clause('f.to_pos IS NULL') : clause('(f.to_pos IS NULL OR f.to_pos > ?)', to),
    ];
    // A relationship changes only when its child begins a new existence (a new created_commit).
    if (q.target === 'relationships') {
      const same = sameUriAt(from, false, ' AND g.created_commit = f.created_commit');
      changed.push(clause(`NOT ${same.sql}`, ...same.params));
    }
    parts.push({ part: 'rows', rows: changed, columns: ROW_COLUMNS });
    if (from < to) {
      const atTo = sameUriAt(to, to === q.head);
      parts.push({
        part: 'removed',
        rows: [clause('f.to_pos > ? AND f.to_pos <= ? AND f.from_pos <= ?', from, to, from), clause(`NOT ${atTo.sql}`, ...atTo.params)],
        columns: `${ROW_COLUMNS}, NULL AS existed`,
      });
    }
  }
  return parts.map(({ part, rows, columns }) => {
    const src = source(driver, part, q);
    const where = [...src.where, clause('f.branch_id = ?', q.branchId), ...rows, ...filters];
    where.push(...uriRange(bounds, limit === 'count' ? null : after));
    const conditions = where.map((c) => c.sql).join(' AND ');
    const params = where.flatMap((c) => c.params);
    if (limit === 'count') return { text: `SELECT COUNT(*) AS n FROM ${src.from} WHERE ${conditions}`, params };
    const page = `SELECT ${columns} FROM ${src.from} WHERE ${conditions} ORDER BY f.uri LIMIT ${Math.max(0, Math.floor(limit))}`;
    if (part === 'removed') {
      const bounded = `SELECT ${columns} FROM ${src.from} WHERE ${conditions} AND f.uri <= ? ORDER BY f.uri LIMIT ${Math.max(0, Math.floor(limit))}`;
      return { text: page, params, bounded, existed: true };
    }
    if (from === null) return { text: page, params };
    // Whether a changed row's URI existed at `from` (MODIFY, else INSERT) is looked up for the page's rows only, not
    // for every row the sort has to see.
    const existed = validAt('g', from, false);
    return {
      text: `SELECT x.*, EXISTS (SELECT 1 FROM files g INDEXED BY ${probeIndex(false)} WHERE g.branch_id = ? AND g.uri = x.uri AND ${existed.sql}) AS existed FROM (${page}) x ORDER BY x.uri`,
      params: [q.branchId, ...existed.params, ...params],
      existed: true,
    };
  });
}

/** SQLite's BINARY order of TEXT (UTF-8 bytes), so merged pages agree with `ORDER BY uri` and `uri > ?`. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const ROW_FIELDS = ['asset_id', 'uri', 'kind', 'asset_kind', 'name', 'size', 'hash', 'commit_id', 'created_commit', 'parent_id'] as const;

/**
 * A page's rows as one JSON text built by SQLite and parsed at once: node-sqlite3-wasm converts every column of every
 * row through its C interface, which costs more than the query (the statement's order is kept: the aggregate reads its
 * subquery's rows in order).
 */
function rowsOf(db: sqlite.Database, text: string, params: Bind[], existed: boolean): FileRow[] {
  const fields = [...ROW_FIELDS, ...(existed ? ['existed'] : [])].map((f) => `'${f}', r.${f}`).join(', ');
  const r = db.get(`SELECT json_group_array(json_object(${fields})) AS rows FROM (${text}) r`, params);
  return JSON.parse(String(r?.rows ?? '[]')) as FileRow[];
}

/** Runs the statements and merges a delta's two parts in uri order; at most `limit` rows. */
export function runPage(db: sqlite.Database, list: Statement[], limit: number): FileRow[] {
  const [changed, removed] = list;
  if (!changed) return [];
  const a = rowsOf(db, changed.text, changed.params, changed.existed === true);
  if (!removed) return a;
  const last = a.length >= limit ? a.at(-1) : undefined;
  const b = last && removed.bounded
    ? rowsOf(db, removed.bounded, [...removed.params, last.uri], true)
    : rowsOf(db, removed.text, removed.params, true);
  const out: FileRow[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && compareUtf8(x.uri, y.uri) < 0)) {
      out.push(x as FileRow);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

export function runCount(db: sqlite.Database, list: Statement[]): number {
  return list.reduce((n, s) => n + Number(db.get(s.text, s.params)?.n ?? 0), 0);
}
