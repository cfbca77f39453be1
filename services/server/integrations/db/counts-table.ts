/**
 * The `counts` table: records per integration and status, so a broadcast reads three rows instead of scanning 100,000.
 * Every write of a record's status reports its old and new status here; the deltas are added to `counts` with one
 * statement per changed status when the outermost scope ends, inside its transaction (Connection's ScopeBuffer).
 */
import type { TIntegrationStatus } from '../../../../shared/assethub/integrations.ts';
import type { Connection, ScopeBuffer } from './connection.ts';

type Deltas = Map<string, Map<TIntegrationStatus, number>>;

export type StatusCounts = Record<TIntegrationStatus, number>;

export class CountsTable implements ScopeBuffer<Deltas> {
  /** Count deltas not yet in `counts`, by integration and status. */
  private deltas: Deltas = new Map();

  constructor(private readonly c: Connection) {
    c.useBuffer(this);
  }

  /** A record of `name` went from status `from` (null: none) to `to` (null: deleted). */
  count(name: string, from: TIntegrationStatus | null, to: TIntegrationStatus | null, n = 1): void {
    if (from === to || n === 0) return;
    let m = this.deltas.get(name);
    if (!m) {
      m = new Map();
      this.deltas.set(name, m);
    }
    if (from !== null) m.set(from, (m.get(from) ?? 0) - n);
    if (to !== null) m.set(to, (m.get(to) ?? 0) + n);
  }

  /** Drops what was gathered for `name` (its counts are deleted with its records). */
  forget(name: string): void {
    this.deltas.delete(name);
  }

  mark(): Deltas {
    const out: Deltas = new Map();
    for (const [name, m] of this.deltas) out.set(name, new Map(m));
    return out;
  }

  rollback(mark: Deltas | null): void {
    this.deltas = mark ?? new Map();
  }

  write(): void {
    if (this.deltas.size === 0) return;
    const deltas = this.deltas;
    this.deltas = new Map();
    for (const [name, m] of deltas) {
      for (const [status, n] of m) {
        if (n === 0) continue;
        this.c.statement(`INSERT INTO counts (integration, status, n) VALUES (?, ?, ?)
                ON CONFLICT (integration, status) DO UPDATE SET n = n + excluded.n`).run([name, status, n]);
      }
    }
  }

  counts(name: string): StatusCounts {
    return byStatus(this.c.statement('SELECT status, n FROM counts WHERE integration = ?').all([name]));
  }

  /** The counts as a scan of the records sees them (what `counts` must always equal; for checks and tests). */
  countsByScan(name: string): StatusCounts {
    return byStatus(this.c.statement('SELECT status, COUNT(*) AS n FROM records WHERE integration = ? GROUP BY status').all([name]));
  }
}

function byStatus(rows: ReadonlyArray<Record<string, unknown>>): StatusCounts {
  const out = { Tracked: 0, Failed: 0, Pending: 0 };
  for (const r of rows) out[String(r.status) as TIntegrationStatus] = Number(r.n);
  return out;
}
