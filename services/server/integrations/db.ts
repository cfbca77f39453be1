/**
 * The integrations database (schema.ts): one object over the transaction machinery (db/connection.ts) and the table
 * modules beside it, so a caller holds one handle and a transaction spans every table.
 */
import type sqlite from 'node-sqlite3-wasm';
import type { TIntegrationStatus } from '../../../shared/assethub/integrations.ts';
import type { SyncTally } from './sync-tally.ts';
import { Connection, type Durability } from './db/connection.ts';
import { CountsTable, type StatusCounts } from './db/counts-table.ts';
import { CursorsTable, type CursorRow } from './db/cursors-table.ts';
import { IntegrationsTable, type IntegrationRow } from './db/integrations-table.ts';
import { RecordsTable, type RecordRow, type RecordSeq, type Work } from './db/records-table.ts';
import { SyncsTable, type SyncRow } from './db/syncs-table.ts';

export type { StatusCounts } from './db/counts-table.ts';
export { cursorKey, type CursorRow } from './db/cursors-table.ts';
export type { IntegrationRow } from './db/integrations-table.ts';
export type { RecordRow, RecordSeq, Work } from './db/records-table.ts';
export type { SyncBranch, SyncRow } from './db/syncs-table.ts';

export class IntegrationsDb {
  private readonly c: Connection;
  private readonly countsTable: CountsTable;
  private readonly recordsTable: RecordsTable;
  private readonly integrationsTable: IntegrationsTable;
  private readonly cursorsTable: CursorsTable;
  private readonly syncsTable: SyncsTable;

  constructor(file: string) {
    this.c = new Connection(file);
    this.countsTable = new CountsTable(this.c);
    this.recordsTable = new RecordsTable(this.c, this.countsTable);
    this.integrationsTable = new IntegrationsTable(this.c);
    this.cursorsTable = new CursorsTable(this.c);
    this.syncsTable = new SyncsTable(this.c);
  }

  close(): void {
    this.c.flush();
    this.recordsTable.close();
    this.c.close();
  }

  // ---- the machinery (db/connection.ts) ----

  explain(sql: string, params: sqlite.BindValues): string { return this.c.explain(sql, params); }
  integrityCheck(): string { return this.c.integrityCheck(); }
  cursorKey(): Buffer { return this.c.cursorKey(); }
  transaction<T>(fn: () => T, durability?: Durability): T { return this.c.transaction(fn, durability); }
  grouped<T>(fn: () => T, maxCount: number, maxDelayMs: number): T { return this.c.grouped(fn, maxCount, maxDelayMs); }
  flush(): void { this.c.flush(); }

  /** Every row of an integration, in every table. */
  deleteIntegration(name: string): void {
    this.c.transaction(() => {
      for (const table of ['records', 'cursors', 'syncs', 'counts']) this.c.statement(`DELETE FROM ${table} WHERE integration = ?`).run([name]);
      this.c.statement('DELETE FROM integrations WHERE name = ?').run([name]);
      this.countsTable.forget(name); // its counts are gone with its records
      this.recordsTable.touch(name);
    });
  }

  // ---- integrations, cursors, counts, syncs (db/*-table.ts) ----

  integrations(): IntegrationRow[] { return this.integrationsTable.integrations(); }
  putIntegration(row: Pick<IntegrationRow, 'name' | 'uid' | 'config' | 'createdAt'>): void { this.integrationsTable.putIntegration(row); }
  setDeliveryInfo(name: string, lastDeliveryAt: string | null, lastError: string | null): void { this.integrationsTable.setDeliveryInfo(name, lastDeliveryAt, lastError); }
  cursors(name: string): Map<string, CursorRow> { return this.cursorsTable.cursors(name); }
  putCursor(name: string, c: CursorRow): void { this.cursorsTable.putCursor(name, c); }
  counts(name: string): StatusCounts { return this.countsTable.counts(name); }
  countsByScan(name: string): StatusCounts { return this.countsTable.countsByScan(name); }
  sync(name: string): SyncRow | null { return this.syncsTable.sync(name); }
  putSync(name: string, s: SyncRow): void { this.syncsTable.putSync(name, s); }
  advanceSync(name: string, gen: string, branchIndex: number, after: string | null, done: number, tally: SyncTally): void {
    this.syncsTable.advanceSync(name, gen, branchIndex, after, done, tally);
  }
  finishSync(name: string, gen: string, outcome: 'Completed' | 'Cancelled'): void { this.syncsTable.finishSync(name, gen, outcome); }

  // ---- records (db/records-table.ts) ----

  epoch(name: string): number { return this.recordsTable.epoch(name); }
  record(name: string, assetId: string): RecordRow | null { return this.recordsTable.record(name, assetId); }
  records(name: string, assetIds: readonly string[]): Map<string, RecordRow> { return this.recordsTable.records(name, assetIds); }
  workSeqs(name: string, assetIds: readonly string[]): Map<string, RecordSeq> { return this.recordsTable.workSeqs(name, assetIds); }
  knownIds(name: string, assetIds: readonly string[]): Set<string> { return this.recordsTable.knownIds(name, assetIds); }
  enqueue(name: string, w: Work): void { this.recordsTable.enqueue(name, w); }
  writeRecord(name: string, r: RecordRow): void { this.recordsTable.writeRecords(name, [r]); }
  writeRecords(name: string, rows: readonly RecordRow[], existing?: ReadonlyMap<string, { status: TIntegrationStatus }>): void {
    this.recordsTable.writeRecords(name, rows, existing);
  }
  deleteRecord(name: string, assetId: string): void { this.recordsTable.deleteRecord(name, assetId); }
  due(name: string, now: number, limit: number): RecordRow[] { return this.recordsTable.due(name, now, limit); }
  anyDue(name: string, now: number): boolean { return this.recordsTable.anyDue(name, now); }
  dueOfDelivery(name: string, deliveryId: string, now: number, limit: number): RecordRow[] { return this.recordsTable.dueOfDelivery(name, deliveryId, now, limit); }
  nextDue(name: string): number | null { return this.recordsTable.nextDue(name); }
  setDeliveryId(name: string, members: ReadonlyArray<{ assetId: string; workSeq: number }>, deliveryId: string): void {
    this.recordsTable.setDeliveryId(name, members, deliveryId);
  }
  forcePending(name: string, assetIds: readonly string[]): void { this.recordsTable.forcePending(name, assetIds); }
  page(name: string, status: TIntegrationStatus, after: string | null, limit: number, ids: readonly string[] | null): RecordRow[] {
    return this.recordsTable.page(name, status, after, limit, ids);
  }
  resync(name: string, assetIds: readonly string[], now: number): number { return this.recordsTable.resync(name, assetIds, now); }
  resyncFailed(name: string, now: number): number { return this.recordsTable.resyncFailed(name, now); }
}
