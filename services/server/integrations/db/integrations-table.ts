/** The `integrations` table: one row per integration, its configuration as JSON, incarnation id and delivery info. */
import type sqlite from 'node-sqlite3-wasm';
import { str, type Connection } from './connection.ts';

export interface IntegrationRow {
  name: string;
  uid: string;
  config: string;
  createdAt: string;
  lastDeliveryAt: string | null;
  lastError: string | null;
}

export class IntegrationsTable {
  constructor(private readonly c: Connection) {}

  integrations(): IntegrationRow[] {
    return this.c.statement('SELECT name, uid, config, created_at, last_delivery_at, last_error FROM integrations ORDER BY name').all().map((r) => ({
      name: String(r.name),
      uid: String(r.uid),
      config: String(r.config),
      createdAt: String(r.created_at),
      lastDeliveryAt: str(r.last_delivery_at as sqlite.SQLiteValue),
      lastError: str(r.last_error as sqlite.SQLiteValue),
    }));
  }

  putIntegration(row: Pick<IntegrationRow, 'name' | 'uid' | 'config' | 'createdAt'>): void {
    this.c.statement(
      `INSERT INTO integrations (name, uid, config, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET config = excluded.config`,
    ).run([row.name, row.uid, row.config, row.createdAt]);
  }

  setDeliveryInfo(name: string, lastDeliveryAt: string | null, lastError: string | null): void {
    this.c.statement('UPDATE integrations SET last_delivery_at = COALESCE(?, last_delivery_at), last_error = ? WHERE name = ?').run([lastDeliveryAt, lastError, name]);
  }
}
