/** The `cursors` table: per integration and followed branch, how far its commits have been turned into work. */
import type sqlite from 'node-sqlite3-wasm';
import { str, type Connection } from './connection.ts';

export interface CursorRow { repository: string; branch: string; position: number; target: number | null; after: string | null }

export const cursorKey = (repository: string, branch: string): string => `${repository}\n${branch}`;

export class CursorsTable {
  constructor(private readonly c: Connection) {}

  /** The cursors of `name` by cursorKey. */
  cursors(name: string): Map<string, CursorRow> {
    const out = new Map<string, CursorRow>();
    for (const r of this.c.statement('SELECT repository, branch, position, target, after FROM cursors WHERE integration = ?').all([name])) {
      const row: CursorRow = {
        repository: String(r.repository),
        branch: String(r.branch),
        position: Number(r.position),
        target: r.target === null ? null : Number(r.target),
        after: str(r.after as sqlite.SQLiteValue),
      };
      out.set(cursorKey(row.repository, row.branch), row);
    }
    return out;
  }

  putCursor(name: string, c: CursorRow): void {
    this.c.statement(
      `INSERT INTO cursors (integration, repository, branch, position, target, after) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (integration, repository, branch) DO UPDATE SET position = excluded.position, target = excluded.target, after = excluded.after`,
    ).run([name, c.repository, c.branch, c.position, c.target, c.after]);
  }
}
