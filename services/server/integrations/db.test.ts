// The integrations database on its own: counts kept exact (deltas per transaction) through every kind of write, the indexes the hot
// queries rely on, group commits (atomic per step, durable on flush, rolled back per step on error), durable and redoable
// commits.
import fs, { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { IntegrationsDb, type RecordRow } from './db.ts';

let dir: string;
let db: IntegrationsDb;
const file = () => path.join(dir, 'integrations.sqlite');

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'assethub-integrations-db-'));
  db = new IntegrationsDb(file());
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const record = (assetId: string, over: Partial<RecordRow> = {}): RecordRow => ({
  assetId, repository: 'R', branch: 'Main', uri: `FileSystem:/${assetId}`, status: 'Tracked', action: 'sync', force: false, workSeq: 0,
  integrationState: '{}', assetStateHash: null, contentHash: null, revisionId: 'c1', lastSyncedAt: null, attempts: 1, dueAt: null,
  reason: null, deliveryId: null, pendingAsset: null, attemptLog: '[]', ...over,
});

/** The file opened with the library alone (WAL without shared memory: exclusive locking before the first read). */
function rawDatabase(): sqlite.Database {
  const raw = new sqlite.Database(file());
  raw.exec('PRAGMA locking_mode = EXCLUSIVE');
  return raw;
}

/** The counts as a full scan sees them. */
function scanned(name: string) {
  const out = { Tracked: 0, Failed: 0, Pending: 0 };
  for (const status of ['Tracked', 'Failed', 'Pending'] as const) out[status] = db.page(name, status, null, 100_000, null).length;
  return out;
}

it('keeps the counts per status through inserts, upserts, status changes, deletes and integration removal', () => {
  db.transaction(() => {
    for (let i = 0; i < 30; i++) db.writeRecord('A', record(`a${String(i).padStart(2, '0')}`));
    for (let i = 0; i < 5; i++) db.writeRecord('B', record(`b${i}`, { status: 'Failed', reason: 'x' }));
  });
  expect(db.counts('A')).toEqual({ Tracked: 30, Failed: 0, Pending: 0 });
  db.transaction(() => {
    db.enqueue('A', { assetId: 'a00', repository: 'R', branch: 'Main', uri: 'FileSystem:/a00', action: 'sync', revisionId: 'c2', force: false, pendingAsset: null, dueAt: 1 });
    db.enqueue('A', { assetId: 'new', repository: 'R', branch: 'Main', uri: 'FileSystem:/new', action: 'sync', revisionId: 'c2', force: false, pendingAsset: null, dueAt: 1 });
    db.writeRecord('A', record('a01', { status: 'Failed', reason: 'HTTP 500' }));
    db.writeRecord('A', record('a02', { status: 'Tracked' })); // unchanged status
    db.deleteRecord('A', 'a03');
  });
  expect(db.counts('A')).toEqual({ Tracked: 27, Failed: 1, Pending: 2 });
  expect(db.counts('A')).toEqual(scanned('A'));
  expect(db.transaction(() => db.resyncFailed('A', 2))).toBe(1);
  expect(db.counts('A')).toEqual({ Tracked: 27, Failed: 0, Pending: 3 });
  expect(db.counts('A')).toEqual(scanned('A'));
  expect(db.counts('B')).toEqual({ Tracked: 0, Failed: 5, Pending: 0 });
  db.deleteIntegration('B');
  expect(db.counts('B')).toEqual({ Tracked: 0, Failed: 0, Pending: 0 });
  expect(db.counts('A')).toEqual(scanned('A'));
});

it('serves Failed/Pending pages from the partial index and due work from its own', () => {
  expect(db.explain("SELECT * FROM records WHERE integration = ? AND status = ? AND status != 'Tracked' AND asset_id > ? ORDER BY asset_id LIMIT ?", ['A', 'Failed', '', 10]))
    .toContain('records_open');
  expect(db.explain('SELECT * FROM records WHERE integration = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, asset_id LIMIT ?', ['A', 1, 10]))
    .toContain('records_due');
  expect(db.explain('SELECT status, n FROM counts WHERE integration = ?', ['A'])).not.toContain('SCAN records');
});

it('group commit: each step is atomic, a failing step is rolled back alone, flush makes it durable', () => {
  db.grouped(() => db.writeRecord('A', record('g1')), 100, 60_000);
  expect(() => db.grouped(() => {
    db.writeRecord('A', record('g2'));
    throw new Error('step fails');
  }, 100, 60_000)).toThrow('step fails');
  db.grouped(() => db.writeRecord('A', record('g3')), 100, 60_000);
  expect(db.counts('A').Tracked).toBe(2);
  db.flush();
  db.close();
  db = new IntegrationsDb(file());
  expect(db.page('A', 'Tracked', null, 10, null).map((r) => r.assetId)).toEqual(['g1', 'g3']);
  expect(db.integrityCheck()).toBe('ok');
});

it('the delivery pipeline\'s commits do not wait for the disk; what an operator asks for does, and commits an open group first', () => {
  const fsyncs = vi.spyOn(fs, 'fsyncSync');
  try {
    for (let i = 0; i < 200; i++) db.transaction(() => db.writeRecord('A', record(`r${String(i).padStart(3, '0')}`)), 'redoable');
    // At most the WAL's own checkpoints sync, not every commit.
    expect(fsyncs.mock.calls.length).toBeLessThan(10);
    db.grouped(() => db.writeRecord('A', record('s1')), 100, 60_000);
    fsyncs.mockClear();
    db.transaction(() => db.writeRecord('A', record('s2')));
    expect(fsyncs.mock.calls.length).toBeGreaterThan(0);
  } finally {
    fsyncs.mockRestore();
  }
  db.close();
  db = new IntegrationsDb(file());
  expect(db.counts('A').Tracked).toBe(202);
  expect(db.integrityCheck()).toBe('ok');
});

it('a transaction commits an open group with it', () => {
  db.grouped(() => db.writeRecord('A', record('h1')), 100, 60_000);
  db.transaction(() => db.writeRecord('A', record('h2')));
  db.close();
  db = new IntegrationsDb(file());
  expect(db.counts('A').Tracked).toBe(2);
});

it('writes many records with one statement per chunk, each as written alone would be (shared and per-row columns)', () => {
  const rows: RecordRow[] = Array.from({ length: 230 }, (_, i) => record(`m${String(i).padStart(3, '0')}`, {
    status: i % 3 === 0 ? 'Pending' : 'Tracked', dueAt: i % 3 === 0 ? 1000 + i : null, attempts: 1 + (i % 2), force: i % 5 === 0,
    integrationState: i % 4 === 0 ? null : `{"v":${i}}`, revisionId: i < 200 ? 'c1' : 'c2', attemptLog: `[{"n":${i}}]`,
  }));
  db.transaction(() => db.writeRecords('A', rows));
  db.transaction(() => db.writeRecords('A', [record('m001', { status: 'Failed', reason: 'x' })])); // an overwrite alone
  db.transaction(() => db.writeRecords('A', rows.slice(5, 9).map((r) => ({ ...r, status: 'Tracked', dueAt: null, lastSyncedAt: 't' })))); // all shared but the ids
  const expected = rows.map((r, i) => (i === 1 ? record('m001', { status: 'Failed', reason: 'x' }) : i >= 5 && i < 9 ? { ...r, status: 'Tracked', dueAt: null, lastSyncedAt: 't' } : r));
  expect([...db.records('A', rows.map((r) => r.assetId)).values()].sort((a, b) => a.assetId.localeCompare(b.assetId))).toEqual(expected);
  expect(db.counts('A')).toEqual(scanned('A'));
});

it('long texts (bound as UTF-8 bytes) are stored as the same TEXT: read back, compared and found like short ones', () => {
  const id = 'c0ffee00-1111-4222-8333-444455556666';
  const state = JSON.stringify({ externalId: 'ürün/製品/🎬', note: 'x'.repeat(300) });
  const uri = 'FileSystem:/Content/Ünïcödé/テクスチャ/T_Sky 🌌.png';
  const row = record(id, { uri, integrationState: state, assetStateHash: 'ab'.repeat(32), attemptLog: JSON.stringify([{ error: 'é'.repeat(40) }]) });
  db.transaction(() => db.writeRecords('A', [row, record('short', { integrationState: '{}' })]));
  expect(db.record('A', id)).toEqual(row);
  expect([...db.records('A', [id, 'short']).keys()].sort()).toEqual([id, 'short']);
  db.close();
  const raw = rawDatabase();
  try {
    const types = raw.get('SELECT typeof(asset_id) AS a, typeof(uri) AS u, typeof(integration_state) AS s, length(uri) AS n FROM records WHERE asset_id = ?', [id]);
    expect(types).toEqual({ a: 'text', u: 'text', s: 'text', n: [...uri].length });
  } finally {
    raw.close();
    db = new IntegrationsDb(file());
  }
});

const work = (assetId: string, over: Partial<Parameters<IntegrationsDb['enqueue']>[1]> = {}) => ({
  assetId, repository: 'R', branch: 'Main', uri: `FileSystem:/${assetId}`, action: 'sync' as const, revisionId: 'c2', force: false,
  pendingAsset: null, dueAt: 1, ...over,
});

it('counts equal SELECT status, COUNT(*) … GROUP BY after mixed writes, rolled-back steps and integration removal', () => {
  const check = () => {
    for (const name of ['A', 'B', 'C']) expect(db.counts(name)).toEqual(db.countsByScan(name));
  };
  db.transaction(() => db.writeRecords('A', Array.from({ length: 120 }, (_, i) => record(`a${i}`, { status: i % 4 === 0 ? 'Failed' : 'Tracked' }))));
  db.writeRecords('B', Array.from({ length: 40 }, (_, i) => record(`b${i}`, { status: i % 2 === 0 ? 'Pending' : 'Tracked', dueAt: i % 2 === 0 ? 5 : null })));
  check();
  // Upserts mixing new rows, unchanged and changed statuses, with and without the old statuses given.
  db.transaction(() => {
    db.writeRecords('A', Array.from({ length: 60 }, (_, i) => record(`a${i * 3}`, { status: i % 3 === 0 ? 'Pending' : 'Tracked', dueAt: i % 3 === 0 ? 9 : null })));
    const known = db.workSeqs('A', ['a1', 'a2', 'zz']);
    db.writeRecords('A', [record('a1', { status: 'Failed' }), record('a2'), record('zz', { status: 'Pending', dueAt: 3 })], known);
    db.enqueue('A', work('a4'));
    db.enqueue('A', work('new1'));
    db.enqueue('A', work('new1')); // twice in one transaction
    db.deleteRecord('A', 'a5');
    db.deleteRecord('A', 'a5'); // already gone
    db.deleteRecord('A', 'missing');
  });
  check();
  // Outside any transaction, each write is its own.
  db.enqueue('B', work('b1'));
  db.deleteRecord('B', 'b2');
  db.writeRecord('B', record('b3', { status: 'Failed' }));
  check();
  // A failing transaction and a failing group step leave the counts as they were.
  expect(() => db.transaction(() => {
    db.writeRecords('A', [record('a7', { status: 'Failed' }), record('x1', { status: 'Pending', dueAt: 1 })]);
    db.deleteRecord('A', 'a8');
    throw new Error('fails');
  })).toThrow('fails');
  db.grouped(() => db.writeRecord('C', record('c1')), 100, 60_000);
  expect(() => db.grouped(() => {
    db.writeRecord('C', record('c2', { status: 'Failed' }));
    db.deleteRecord('C', 'c1');
    throw new Error('step fails');
  }, 100, 60_000)).toThrow('step fails');
  db.grouped(() => db.enqueue('C', work('c1')), 100, 60_000);
  db.flush();
  check();
  expect(db.counts('C')).toEqual({ Tracked: 0, Failed: 0, Pending: 1 });
  // Resyncs.
  expect(db.transaction(() => db.resync('A', ['a0', 'a1', 'a3', 'a3', 'nope'], 10))).toBe(3);
  expect(db.transaction(() => db.resyncFailed('A', 11))).toBeGreaterThan(0);
  db.forcePending('A', ['a0', 'a1']);
  check();
  // Removal of an integration, also after writes in the same transaction, then new records under the same name.
  db.transaction(() => {
    db.enqueue('B', work('b9'));
    db.deleteIntegration('B');
  });
  expect(db.counts('B')).toEqual({ Tracked: 0, Failed: 0, Pending: 0 });
  db.writeRecords('B', [record('b1')]);
  check();
  db.close();
  db = new IntegrationsDb(file());
  check();
  expect(db.integrityCheck()).toBe('ok');
});

it('migrates a version 1 file: its count triggers are dropped and the counts recomputed', () => {
  db.transaction(() => db.writeRecords('A', Array.from({ length: 10 }, (_, i) => record(`a${i}`, { status: i < 3 ? 'Failed' : 'Tracked' }))));
  db.close();
  const raw = rawDatabase();
  raw.exec(`
    CREATE TRIGGER records_counted_insert AFTER INSERT ON records BEGIN
      INSERT INTO counts (integration, status, n) VALUES (NEW.integration, NEW.status, 1) ON CONFLICT (integration, status) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER records_counted_delete AFTER DELETE ON records BEGIN
      UPDATE counts SET n = n - 1 WHERE integration = OLD.integration AND status = OLD.status;
    END;
    UPDATE counts SET n = 99;
    UPDATE meta SET value = '1' WHERE key = 'schema_version';
  `);
  raw.close();
  db = new IntegrationsDb(file());
  expect(db.counts('A')).toEqual({ Tracked: 7, Failed: 3, Pending: 0 });
  db.writeRecords('A', [record('a0'), record('new')]);
  db.deleteRecord('A', 'a1');
  expect(db.counts('A')).toEqual({ Tracked: 9, Failed: 1, Pending: 0 });
  expect(db.counts('A')).toEqual(db.countsByScan('A'));
  db.close();
  const after = rawDatabase();
  expect(after.all("SELECT name FROM sqlite_master WHERE type = 'trigger'")).toEqual([]);
  expect(after.get("SELECT value FROM meta WHERE key = 'schema_version'")?.value).toBe('3');
  after.close();
  db = new IntegrationsDb(file());
});

it('migrates a version 2 file: its last Sync all gets a tally (read as zeros), and later ones keep theirs', () => {
  const row = { gen: 'g1', startedAt: '2026-01-01T00:00:00.000Z', total: 3, current: 1, branches: [], branchIndex: 0, after: null, outcome: 'Running' as const };
  db.close();
  const raw = rawDatabase();
  raw.exec(`
    ALTER TABLE syncs DROP COLUMN tally;
    INSERT INTO syncs (integration, gen, started_at, total, current, branches, branch_index, after, outcome) VALUES ('A', 'g1', '${row.startedAt}', 3, 1, '[]', 0, NULL, 'Running');
    UPDATE meta SET value = '2' WHERE key = 'schema_version';
  `);
  raw.close();
  db = new IntegrationsDb(file());
  expect(db.sync('A')).toMatchObject({ ...row, tally: { delivered: 0, failed: 0, pending: 0 } });
  db.advanceSync('A', 'g1', 0, 'x', 2, { delivered: 1, failed: 2, pending: 0, reasons: Object.assign(Object.create(null) as Record<string, number>, { 'HTTP 500': 2 }) });
  expect(db.sync('A')?.tally).toMatchObject({ delivered: 1, failed: 2, reasons: { 'HTTP 500': 2 } });
});
