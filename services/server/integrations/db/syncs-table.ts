/** The `syncs` table: the last Sync all per integration (its fixed branch heads, cursor, counts and tally). */
import type sqlite from 'node-sqlite3-wasm';
import { parseTally, type SyncTally } from '../sync-tally.ts';
import { str, type Connection } from './connection.ts';

export interface SyncBranch { repository: string; branch: string; position: number }

export interface SyncRow {
  gen: string;
  startedAt: string;
  total: number;
  current: number;
  branches: SyncBranch[];
  branchIndex: number;
  after: string | null;
  outcome: 'Running' | 'Completed' | 'Cancelled';
  tally: SyncTally;
}

export class SyncsTable {
  constructor(private readonly c: Connection) {}

  sync(name: string): SyncRow | null {
    const r = this.c.statement('SELECT * FROM syncs WHERE integration = ?').get([name]);
    if (!r) return null;
    return {
      gen: String(r.gen),
      startedAt: String(r.started_at),
      total: Number(r.total),
      current: Number(r.current),
      branches: JSON.parse(String(r.branches)) as SyncBranch[],
      branchIndex: Number(r.branch_index),
      after: str(r.after as sqlite.SQLiteValue),
      outcome: String(r.outcome) as SyncRow['outcome'],
      tally: parseTally(str(r.tally as sqlite.SQLiteValue)),
    };
  }

  putSync(name: string, s: SyncRow): void {
    this.c.statement(
      `INSERT OR REPLACE INTO syncs (integration, gen, started_at, total, current, branches, branch_index, after, outcome, tally)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run([name, s.gen, s.startedAt, s.total, s.current, JSON.stringify(s.branches), s.branchIndex, s.after, s.outcome, JSON.stringify(s.tally)]);
  }

  /** Moves a running Sync all's cursor, adds to its count and writes its tally (only the generation given). */
  advanceSync(name: string, gen: string, branchIndex: number, after: string | null, done: number, tally: SyncTally): void {
    this.c.statement('UPDATE syncs SET branch_index = ?, after = ?, current = MIN(total, current + ?), tally = ? WHERE integration = ? AND gen = ?')
      .run([branchIndex, after, done, JSON.stringify(tally), name, gen]);
  }

  finishSync(name: string, gen: string, outcome: 'Completed' | 'Cancelled'): void {
    this.c.statement("UPDATE syncs SET outcome = ? WHERE integration = ? AND gen = ? AND outcome = 'Running'").run([outcome, name, gen]);
  }
}
