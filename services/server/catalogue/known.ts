/**
 * What the catalogue holds at the branch heads of some branches, looked up for CheckFilter: whether a value exists
 * (one indexed probe, exact whatever the catalogue's size) and, when it does not, the known values next to it in index
 * order, at most KNOWN_AROUND_MAX of them, found by a loose index scan (one seek per distinct value, never a pass over
 * every row). Every query is driven by an index:
 *
 * | lookup                               | index                                                    |
 * | ------------------------------------ | -------------------------------------------------------- |
 * | asset ids                            | `files_asset` (asset_id, from_pos)                       |
 * | metadata names, a name's values      | `asset_metadata_by_value` (name, value, asset_id), each  |
 * |                                      | row's asset checked at a head through `files_asset`      |
 * | uris                                 | `files_current` (branch_id, to_pos, uri), per branch     |
 */
import type sqlite from 'node-sqlite3-wasm';

/** Known values looked at around an unknown one, at most (half below it, half from it on, in index order). */
export const KNOWN_AROUND_MAX = 1000;

type Bind = string | number;

/** Alternates two lists (nearest in index order first): a, b, a, b, … then the rest of the longer. */
function interleave(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i] as string);
    if (i < b.length) out.push(b[i] as string);
  }
  return out;
}

export class KnownValues {
  private readonly branches: string;

  /** `all`: the scope is every branch there is (the branch test is left out of the metadata lookups). */
  constructor(private readonly db: sqlite.Database, private readonly branchIds: readonly number[], private readonly all: boolean) {
    this.branches = JSON.stringify(branchIds);
  }

  /** Whether the asset of metadata row `m` is at a head in scope, and its binds. */
  private atHead(alias: string): { sql: string; params: Bind[] } {
    const branch = this.all ? '' : ' AND f.branch_id IN (SELECT value FROM json_each(?))';
    return {
      sql: `EXISTS (SELECT 1 FROM files f INDEXED BY files_asset WHERE f.asset_id = ${alias}.asset_id AND f.to_pos IS NULL${branch})`,
      params: this.all ? [] : [this.branches],
    };
  }

  /** Of these ids, those of assets at a head in scope. */
  presentAssetIds(ids: readonly string[]): Set<string> {
    if (ids.length === 0 || this.branchIds.length === 0) return new Set();
    const rows = this.db.all(
      `SELECT DISTINCT f.asset_id AS id FROM files f INDEXED BY files_asset
       WHERE f.asset_id IN (SELECT value FROM json_each(?)) AND f.to_pos IS NULL AND f.branch_id IN (SELECT value FROM json_each(?))`,
      [JSON.stringify([...new Set(ids)]), this.branches],
    );
    return new Set(rows.map((r) => String(r.id)));
  }

  hasMetadataName(name: string): boolean {
    if (this.branchIds.length === 0) return false;
    const head = this.atHead('m');
    return this.db.get(
      `SELECT 1 AS x FROM asset_metadata m INDEXED BY asset_metadata_by_value WHERE m.name = ? AND ${head.sql} LIMIT 1`,
      [name, ...head.params],
    ) !== null;
  }

  hasMetadataValue(name: string, value: string): boolean {
    if (this.branchIds.length === 0) return false;
    const head = this.atHead('m');
    return this.db.get(
      `SELECT 1 AS x FROM asset_metadata m INDEXED BY asset_metadata_by_value WHERE m.name = ? AND m.value = ? AND ${head.sql} LIMIT 1`,
      [name, value, ...head.params],
    ) !== null;
  }

  /** Metadata names in scope next to `name` in index order. */
  metadataNamesAround(name: string): string[] {
    return this.around(name, (op, dir) => ({ column: 'name', where: `m.name ${op} `, extra: [], dir }));
  }

  /** Values of metadata `name` in scope next to `value` in index order. */
  metadataValuesAround(name: string, value: string): string[] {
    return this.around(value, (op, dir) => ({ column: 'value', where: `m.name = ? AND m.value ${op} `, extra: [name], dir }));
  }

  hasUri(uri: string): boolean {
    if (this.branchIds.length === 0) return false;
    return this.db.get(
      `SELECT 1 AS x FROM files f INDEXED BY files_current WHERE f.branch_id IN (SELECT value FROM json_each(?)) AND f.to_pos IS NULL AND f.uri = ? LIMIT 1`,
      [this.branches, uri],
    ) !== null;
  }

  /** URIs at the heads in scope next to `uri`, from each branch a share of KNOWN_AROUND_MAX. */
  urisAround(uri: string): string[] {
    if (this.branchIds.length === 0) return [];
    const share = Math.max(1, Math.floor(KNOWN_AROUND_MAX / 2 / this.branchIds.length));
    const side = (op: '<' | '>', dir: 'ASC' | 'DESC'): string[] => {
      const found = new Set<string>();
      for (const id of this.branchIds) {
        for (const r of this.db.all(
          `SELECT f.uri FROM files f INDEXED BY files_current WHERE f.branch_id = ? AND f.to_pos IS NULL AND f.uri ${op} ? ORDER BY f.uri ${dir} LIMIT ?`,
          [id, uri, share],
        )) found.add(String(r.uri));
      }
      const sorted = [...found].sort();
      return (dir === 'DESC' ? sorted.reverse() : sorted).slice(0, KNOWN_AROUND_MAX / 2);
    };
    return interleave(side('>', 'ASC'), side('<', 'DESC'));
  }

  /**
   * Distinct metadata names or values next to `from` on both sides, each found by one seek past the last (a recursive
   * query: the loose index scan SQLite does not do by itself), only those with an asset at a head in scope.
   */
  private around(from: string, part: (op: '<' | '>', dir: 'ASC' | 'DESC') => { column: 'name' | 'value'; where: string; extra: Bind[]; dir: 'ASC' | 'DESC' }): string[] {
    if (this.branchIds.length === 0) return [];
    const head = this.atHead('m');
    const side = (op: '<' | '>', dir: 'ASC' | 'DESC'): string[] => {
      const p = part(op, dir);
      const next = (after: string) =>
        `(SELECT m.${p.column} FROM asset_metadata m INDEXED BY asset_metadata_by_value WHERE ${p.where}${after} AND ${head.sql} ORDER BY m.${p.column} ${dir} LIMIT 1)`;
      const sql = `WITH RECURSIVE k(v, n) AS (SELECT ${next('?')}, 1 UNION ALL SELECT ${next('k.v')}, n + 1 FROM k WHERE k.v IS NOT NULL AND n < ?)
        SELECT v FROM k WHERE v IS NOT NULL`;
      const params: Bind[] = [...p.extra, from, ...head.params, ...p.extra, ...head.params, KNOWN_AROUND_MAX / 2];
      return this.db.all(sql, params).map((r) => String(r.v));
    };
    return interleave(side('>', 'ASC'), side('<', 'DESC'));
  }
}
