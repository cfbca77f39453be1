/**
 * The integrations database (`integrations.sqlite` in the server's data folder, WAL, exclusive locking: one server
 * process owns its data folder; what an operator asks for is committed durably, the delivery pipeline's own steps
 * without waiting for the disk: db/connection.ts Durability), kept apart from the store so the engine's many small
 * writes never hold the store's lock.
 *
 * - `integrations`: one row per integration, its configuration as JSON (Secret included), an incarnation id (`uid`,
 *   new when a name is deleted and created again) and the last delivery time and error.
 * - `cursors`: per integration and followed branch, how far commits have been turned into work: every change in
 *   (−∞, position] is queued; while a range (position, target] is being queued page by page, `after` is the last URI
 *   done. A commit therefore cannot be lost: on start (and after every commit) each cursor is compared with its
 *   branch head and the rest is queued.
 * - `records`: one row per (integration, asset): what was delivered (integration state, its hash, the content hash
 *   of the managed rule, revision, time) and the work still to do (`status` Pending with `due_at`, the action, the
 *   attempts of this work, the reason of the last failure, the delivery id a whole failed batch is retried under,
 *   `pending_asset` for a `deleted` whose asset no longer exists, `work_seq` bumped whenever new work replaces old).
 *   `attempt_log` holds the last ATTEMPTS_KEPT attempts as JSON, written with the record in one statement.
 *   Invariant: `due_at` is set exactly when status is Pending. `counts` follows `records`: every write of a record's
 *   status goes through IntegrationsDb, which adds its delta to `counts` in the same transaction (version 1 used
 *   per-row triggers; version 2 drops them and recounts).
 * - `syncs`: the last Sync all per integration: its fixed branch heads, its cursor (branch index, last URI) and counts,
 *   so a Sync all resumes after a restart where it was, and (`tally`, version 3) what its own sends came to.
 */
export const INTEGRATIONS_SCHEMA_VERSION = 3;

/** From version 2: a Sync all keeps what its own sends came to (sync-tally.ts); older ones read as an empty tally. */
export const INTEGRATIONS_MIGRATE_TO_3 = `ALTER TABLE syncs ADD COLUMN tally TEXT;`;

/** From version 1: the per-row count triggers go, the counts are recomputed from the records. */
export const INTEGRATIONS_MIGRATE_TO_2 = `
DROP TRIGGER IF EXISTS records_counted_insert;
DROP TRIGGER IF EXISTS records_counted_delete;
DROP TRIGGER IF EXISTS records_counted_update;
DELETE FROM counts;
INSERT INTO counts (integration, status, n) SELECT integration, status, COUNT(*) FROM records GROUP BY integration, status;
`;

export const INTEGRATIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS integrations (
  name TEXT PRIMARY KEY,
  uid TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_delivery_at TEXT,
  last_error TEXT
);
CREATE TABLE IF NOT EXISTS cursors (
  integration TEXT NOT NULL,
  repository TEXT NOT NULL,
  branch TEXT NOT NULL,
  position INTEGER NOT NULL,
  target INTEGER,
  after TEXT,
  PRIMARY KEY (integration, repository, branch)
);
CREATE TABLE IF NOT EXISTS records (
  integration TEXT NOT NULL,
  asset_id TEXT NOT NULL,
  repository TEXT NOT NULL,
  branch TEXT NOT NULL,
  uri TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('Tracked', 'Pending', 'Failed')),
  action TEXT NOT NULL CHECK (action IN ('sync', 'deleted')),
  force INTEGER NOT NULL DEFAULT 0,
  work_seq INTEGER NOT NULL DEFAULT 0,
  integration_state TEXT,
  asset_state_hash TEXT,
  content_hash TEXT,
  revision_id TEXT NOT NULL,
  last_synced_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER,
  reason TEXT,
  delivery_id TEXT,
  pending_asset TEXT,
  attempt_log TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (integration, asset_id)
);
-- Failed and Pending records by status (a Tracked record, the common case, costs no entry here).
CREATE INDEX IF NOT EXISTS records_open ON records (integration, status, asset_id) WHERE status != 'Tracked';
CREATE INDEX IF NOT EXISTS records_due ON records (integration, due_at) WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_delivery ON records (integration, delivery_id) WHERE delivery_id IS NOT NULL;
-- Records per status, kept by IntegrationsDb in the same transactions (one delta per status per transaction, from
-- each write's old and new status: exact, and no scan of 100,000 rows per broadcast).
CREATE TABLE IF NOT EXISTS counts (
  integration TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (integration, status)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS syncs (
  integration TEXT PRIMARY KEY,
  gen TEXT NOT NULL,
  started_at TEXT NOT NULL,
  total INTEGER NOT NULL,
  current INTEGER NOT NULL,
  branches TEXT NOT NULL,
  branch_index INTEGER NOT NULL,
  after TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('Running', 'Completed', 'Cancelled')),
  tally TEXT
);
`;

/** Attempts kept per asset (older ones are dropped when a new one is logged). */
export const ATTEMPTS_KEPT = 10;
