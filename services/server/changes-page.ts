/**
 * GetChanges in pages: the net changes from position `from` (exclusive; -1 = before the root) to `to` (inclusive),
 * what a workspace at `from` must apply to be at `to`, at most PAGE_CHANGES of them and about PAGE_MS of work per page,
 * so that one small request never holds the server for long nor asks for an answer larger than a hub message, however
 * long the history. Every page is read along an index from where the previous one ended (no sort of the whole range):
 *   1. deletes: versions valid at `from` that end in (from, to] with no successor valid at `to`, by (to_pos, uri);
 *   2. puts: versions valid at `to` that start in (from, to], position by position: those still current by uri, then
 *      those that end after `to` by (to_pos, uri).
 * The order is the index's; the client orders the whole (deletes deepest first, then puts by path).
 */
import type sqlite from 'node-sqlite3-wasm';
import { z } from 'zod';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import { fail } from '../lib/failure.ts';

export const PAGE_CHANGES = 2000;
const PAGE_MS = 20;

/** Where a page ends: the next starts after it. `f`/`t` pin the range, so a head that moves meanwhile changes nothing. */
const Cursor = z.object({
  f: z.number().int().min(-1),
  t: z.number().int().min(0),
  /** d: deletes, after (p = to_pos, u); c: puts at position p still current, after u; e: puts at p ending after t, after (e, u). */
  s: z.enum(['d', 'c', 'e']),
  p: z.number().int(),
  e: z.number().int(),
  u: z.string(),
}).strict();
type Cursor = z.infer<typeof Cursor>;
export type ChangesCursor = Cursor;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** The cursor a client sent back, or INVALID_PARAMS. */
export function decodeCursor(text: string): Cursor {
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    if (parsed.success && parsed.data.f <= parsed.data.t) return parsed.data;
  } catch {
    // Not base64url JSON: said below.
  }
  return fail('INVALID_PARAMS', 'After is not a cursor this server gave (start again without it)');
}

// A URI's versions are probed through the primary key (branch, uri, from_pos), named because the planner would
// rather take a covering index that starts with a position range.
const VALID_AT = (pos: string) => `SELECT 1 FROM files g INDEXED BY sqlite_autoindex_files_1 WHERE g.branch_id = f.branch_id AND g.uri = f.uri AND g.from_pos <= ${pos} AND (g.to_pos IS NULL OR g.to_pos > ${pos})`;
const PUT_COLUMNS = `f.uri, f.kind, f.size, f.hash, f.chunks, f.to_pos, EXISTS (${VALID_AT('$from')}) AS existed`;

const DELETES = `SELECT f.uri, f.to_pos FROM files f INDEXED BY files_current
  WHERE f.branch_id = $branch AND f.to_pos > $from AND f.to_pos <= $to AND (f.to_pos, f.uri) > ($p, $u) AND f.from_pos <= $from
    AND NOT EXISTS (${VALID_AT('$to')})
  ORDER BY f.to_pos, f.uri LIMIT $limit`;
const CURRENT = `SELECT ${PUT_COLUMNS} FROM files f INDEXED BY files_from
  WHERE f.branch_id = $branch AND f.from_pos = $p AND f.to_pos IS NULL AND f.uri > $u ORDER BY f.uri LIMIT $limit`;
const ENDING = `SELECT ${PUT_COLUMNS} FROM files f INDEXED BY files_from
  WHERE f.branch_id = $branch AND f.from_pos = $p AND f.to_pos > $to AND (f.to_pos, f.uri) > ($e, $u) ORDER BY f.to_pos, f.uri LIMIT $limit`;
const NEXT_POSITION = 'SELECT min(from_pos) AS p FROM files WHERE branch_id = $branch AND from_pos > $p AND from_pos <= $to';

type Row = Record<string, unknown>;
const put = (r: Row): TCommitChange => (r.kind === 'directory'
  ? { Type: 'PutDirectory', URI: String(r.uri), New: r.existed === 0 }
  : { Type: 'PutFile', URI: String(r.uri), Size: Number(r.size), Hash: String(r.hash), Chunks: JSON.parse(String(r.chunks)) as string[], New: r.existed === 0 });

export function changesPage(db: sqlite.Database, branch: number, from: number, to: number, after: Cursor | null, pageChanges = PAGE_CHANGES): { changes: TCommitChange[]; next: string | null } {
  let c: Cursor = after ?? { f: from, t: to, s: 'd', p: from, e: 0, u: '' };
  const out: TCommitChange[] = [];
  const started = performance.now();
  for (;;) {
    if (c.s === 'c' && c.p > c.t) return { changes: out, next: null };
    const limit = pageChanges - out.length;
    if (limit <= 0 || performance.now() - started > PAGE_MS) return { changes: out, next: encodeCursor(c) };
    if (c.s === 'd') {
      const rows = db.all(DELETES, { $branch: branch, $from: c.f, $to: c.t, $p: c.p, $u: c.u, $limit: limit });
      for (const r of rows) out.push({ Type: 'Delete', URI: String(r.uri) });
      const last = rows.at(-1);
      if (last) c = { ...c, p: Number(last.to_pos), u: String(last.uri) };
      // Then the puts, from the first position after `from` where any version starts.
      if (rows.length < limit) c = nextPosition(db, branch, { ...c, p: c.f });
    } else if (c.s === 'c') {
      const rows = db.all(CURRENT, { $branch: branch, $from: c.f, $p: c.p, $u: c.u, $limit: limit });
      for (const r of rows) out.push(put(r));
      const last = rows.at(-1);
      if (last) c = { ...c, u: String(last.uri) };
      if (rows.length < limit) c = { ...c, s: 'e', e: c.t, u: '' };
    } else {
      const rows = db.all(ENDING, { $branch: branch, $from: c.f, $to: c.t, $p: c.p, $e: c.e, $u: c.u, $limit: limit });
      for (const r of rows) out.push(put(r));
      const last = rows.at(-1);
      if (last) c = { ...c, e: Number(last.to_pos), u: String(last.uri) };
      if (rows.length < limit) c = nextPosition(db, branch, c);
    }
  }
}

/** The cursor at the puts of the next position after c.p (up to c.t) where any version starts; past c.t when none. */
function nextPosition(db: sqlite.Database, branch: number, c: Cursor): Cursor {
  const r = db.get(NEXT_POSITION, { $branch: branch, $p: c.p, $to: c.t });
  const p = r?.p === null || r?.p === undefined ? c.t + 1 : Number(r.p);
  return { ...c, s: 'c', p, e: 0, u: '' };
}
