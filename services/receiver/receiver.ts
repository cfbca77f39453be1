/**
 * A demo webhook receiver for managed integrations: a small real HTTP server that implements the receiving side of the
 * contract of docs/PROTOCOL.md §5, standing in for an external asset system (a DAM).
 *
 * - `POST /webhook` (or `/`): checks `X-AssetHub-Signature` (`t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`,
 *   at most SIGNATURE_TOLERANCE_S old or ahead) and answers 401 when it does not match; 400 for a body that is not a
 *   delivery. Otherwise it stores every action and answers 200 `{"Items":[{"AssetId","IntegrationState"}]}` with an
 *   IntegrationState of `{"externalId":"…","version":n}`: the externalId it gave the asset before (read from the
 *   incoming integrationState, or from its own records, so a retry never creates a second object), the version one
 *   more than the last. A `deleted` action marks the object deleted and is answered too.
 * - Idempotent per delivery: an action whose (X-AssetHub-Delivery, assetId) was already answered gets the same answer
 *   again without a new version (counted as a duplicate).
 * - A failure rule (PUT /admin/rule, or setRule) makes it misbehave on purpose: answer 500, never answer (the client
 *   times out; the actions are still applied, as when a response is lost), leave Items out, or answer malformed JSON.
 *   See FailureRule.
 * - Admin endpoints, from loopback only: `GET /admin/rule`, `PUT /admin/rule` (a rule, or null to heal),
 *   `GET /admin/received[?limit=n]` (the last actions received, newest last), `GET /admin/objects` (the external
 *   system's view: one object per asset).
 *
 * Storage: SQLite (openDatabase) in `dataFile`, or in memory without one.
 * Somewhat over 400 lines: the contract's receiving side (signature, idempotency, answers) and its admin API are one
 * server whose parts share its records; split, they would pass them around.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { originAllowed, originRefusal } from '../../shared/origin.ts';
import sqlite from 'node-sqlite3-wasm';
import { z } from 'zod';
import { DELIVERY_HEADER, DeliveryBody, SIGNATURE_HEADER, SIGNATURE_TOLERANCE_S } from '../../shared/assethub/integrations.ts';
import { FailureRule, type FailureMode, type TFailureRule } from '../../shared/assethub/demo-receiver.ts';
import type { Logger } from '../lib/log.ts';
import { inTransaction, openDatabase } from '../lib/sqlite.ts';
import { listen } from '../lib/listen.ts';

// The failure rule's schema is shared: the panel engine reads and sets it through the admin API too.
export { FAILURE_MODES, FailureRule, type FailureMode, type TFailureRule } from '../../shared/assethub/demo-receiver.ts';

/** One action as the receiver got it. */
export interface ReceivedAction {
  seq: number;
  deliveryId: string;
  receivedAt: string;
  type: 'sync' | 'deleted';
  assetId: string;
  uri: string;
  revisionId: string;
  /** The integrationState the server sent (null for an asset it does not track yet). */
  integrationState: string | null;
  assetStateHash: string | null;
  /**
   * What happened: answered (Item sent), duplicate (same delivery and asset again: the same Item sent again), dropped
   * (rule: Item left out, not applied), unanswered (rule: applied, no response sent), failed (rule: 500 or malformed,
   * nothing applied).
   */
  outcome: 'answered' | 'duplicate' | 'dropped' | 'unanswered' | 'failed';
  /** The IntegrationState answered, if any. */
  answer: string | null;
}

/** One object of the external system. */
export interface ExternalObject { assetId: string; externalId: string; version: number; deleted: boolean; uri: string; updatedAt: string }

/** One HTTP request to the webhook, as it came (for checking the exact body and headers). */
export interface ReceivedRequest { seq: number; at: string; deliveryId: string | null; signature: string | null; status: number; body: string }

export interface ReceiverOptions {
  /** TCP port (0 = any free one). */
  port: number;
  /** The integration's Secret the signatures are checked with. */
  secret: string;
  host?: string;
  /** SQLite file to keep what was received across restarts; in memory when absent. */
  dataFile?: string;
  logger: Logger;
  /** Failure rule to start with. */
  rule?: TFailureRule | null;
  /** Keep this many raw requests (bodies) for requests(); 0 keeps none. Default 1,000. */
  keepRequests?: number;
}

export interface RunningReceiver {
  /** The webhook URL to put in an integration's EndpointUrl. */
  url: string;
  /** The base URL (admin endpoints below it). */
  baseUrl: string;
  setRule(rule: TFailureRule | null): void;
  rule(): TFailureRule | null;
  /** Actions received, oldest first (the last `limit` when given). */
  received(limit?: number): ReceivedAction[];
  /** The external system's objects, by asset id. */
  objects(): ExternalObject[];
  /** Raw webhook requests, oldest first (the last `keepRequests`). */
  requests(): ReceivedRequest[];
  /** Requests refused for a bad or missing signature. */
  rejected(): number;
  close(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS received (
  seq INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  type TEXT NOT NULL,
  asset_id TEXT NOT NULL,
  uri TEXT NOT NULL,
  revision_id TEXT NOT NULL,
  integration_state TEXT,
  asset_state_hash TEXT,
  outcome TEXT NOT NULL,
  answer TEXT
);
CREATE TABLE IF NOT EXISTS answers (
  delivery_id TEXT NOT NULL,
  asset_id TEXT NOT NULL,
  answer TEXT NOT NULL,
  PRIMARY KEY (delivery_id, asset_id)
);
CREATE TABLE IF NOT EXISTS objects (
  asset_id TEXT PRIMARY KEY,
  external_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  uri TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  delivery_id TEXT,
  signature TEXT,
  status INTEGER NOT NULL,
  body TEXT NOT NULL
);
`;

const MAX_BODY = 64 * 1024 * 1024;

/** Checks `t=<unix s>,v1=<hex>` against the body; returns why it is refused, or null when it is valid. */
export function checkSignature(header: string | undefined, body: string, secret: string, nowS: number): string | null {
  if (!header) return `missing ${SIGNATURE_HEADER}`;
  const parts = new Map(header.split(',').map((p) => {
    const i = p.indexOf('=');
    return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
  }));
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d+$/.test(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return `malformed ${SIGNATURE_HEADER}`;
  if (Math.abs(nowS - Number(t)) > SIGNATURE_TOLERANCE_S) return `signature timestamp ${t} is outside the ${SIGNATURE_TOLERANCE_S} s tolerance`;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'signature does not match';
}

function uriMatcher(failUris: string | undefined): (uri: string) => boolean {
  if (failUris === undefined) return () => true;
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(failUris);
  if (regex) {
    const re = new RegExp(regex[1] ?? '', regex[2]);
    return (uri) => re.test(uri);
  }
  return (uri) => uri.includes(failUris);
}

const isLoopback = (address: string | undefined): boolean =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json'): void => {
  const text = typeof body === 'string' && type !== 'application/json' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
};

const PreviousState = z.object({ externalId: z.string().min(1), version: z.number().int().nonnegative() });

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const { logger } = options;
  // Not WAL: that needs the exclusive lock, whose lock directory a killed receiver would leave behind (no data-folder
  // lock of its own clears it, unlike the server's databases). One transaction per request keeps the fsyncs few.
  const db = options.dataFile ? openDatabase(options.dataFile) : new sqlite.Database();
  db.exec('PRAGMA synchronous = FULL;');
  db.exec(SCHEMA);
  const keepRequests = options.keepRequests ?? 1000;
  let rule: TFailureRule | null = options.rule ? FailureRule.parse(options.rule) : null;
  let rejected = 0;
  /** Requests held open by the `timeout` mode, ended on close. */
  const held = new Set<ServerResponse>();

  const stmt = {
    insertReceived: db.prepare(
      `INSERT INTO received (delivery_id, received_at, type, asset_id, uri, revision_id, integration_state, asset_state_hash, outcome, answer)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    answerOf: db.prepare('SELECT answer FROM answers WHERE delivery_id = ? AND asset_id = ?'),
    saveAnswer: db.prepare('INSERT INTO answers (delivery_id, asset_id, answer) VALUES (?, ?, ?)'),
    objectOf: db.prepare('SELECT external_id, version FROM objects WHERE asset_id = ?'),
    saveObject: db.prepare(
      `INSERT INTO objects (asset_id, external_id, version, deleted, uri, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (asset_id) DO UPDATE SET external_id = excluded.external_id, version = excluded.version,
         deleted = excluded.deleted, uri = excluded.uri, updated_at = excluded.updated_at`,
    ),
    insertRequest: db.prepare('INSERT INTO requests (at, delivery_id, signature, status, body) VALUES (?, ?, ?, ?, ?)'),
    pruneRequests: db.prepare('DELETE FROM requests WHERE seq <= (SELECT MAX(seq) FROM requests) - ?'),
  };

  const logRequest = (deliveryId: string | null, signature: string | null, status: number, body: string) => {
    if (keepRequests <= 0) return;
    stmt.insertRequest.run([new Date().toISOString(), deliveryId, signature, status, body]);
    stmt.pruneRequests.run([keepRequests]);
  };

  /** Applies one action to the external system; returns the IntegrationState to answer. */
  function apply(deliveryId: string, action: z.infer<typeof DeliveryBody>['actions'][number], at: string): string {
    const previous = (() => {
      if (action.integrationState !== null) {
        try {
          const parsed = PreviousState.safeParse(JSON.parse(action.integrationState));
          if (parsed.success) return parsed.data;
        } catch {
          // Not ours: fall back to our own record.
        }
      }
      const row = stmt.objectOf.get([action.assetId]);
      return row ? { externalId: String(row.external_id), version: Number(row.version) } : null;
    })();
    const externalId = previous?.externalId ?? `ext-${randomUUID()}`;
    const version = (previous?.version ?? 0) + 1;
    const deleted = action.type === 'deleted';
    stmt.saveObject.run([action.assetId, externalId, version, deleted ? 1 : 0, action.asset.uri, at]);
    const answer = JSON.stringify(deleted ? { externalId, version, deleted: true } : { externalId, version });
    stmt.saveAnswer.run([deliveryId, action.assetId, answer]);
    return answer;
  }

  async function webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const signature = req.headers[SIGNATURE_HEADER.toLowerCase()];
    const deliveryHeader = req.headers[DELIVERY_HEADER.toLowerCase()];
    const sig = typeof signature === 'string' ? signature : undefined;
    const deliveryId = typeof deliveryHeader === 'string' && deliveryHeader !== '' ? deliveryHeader : null;
    const refused = checkSignature(sig, body, options.secret, Math.floor(Date.now() / 1000));
    if (refused) {
      rejected++;
      logger.warn({ deliveryId, refused }, 'receiver: refused a delivery');
      logRequest(deliveryId, sig ?? null, 401, body);
      return send(res, 401, { error: refused });
    }
    let parsed: z.infer<typeof DeliveryBody>;
    try {
      const result = DeliveryBody.safeParse(JSON.parse(body));
      if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      parsed = result.data;
    } catch (error) {
      logRequest(deliveryId, sig ?? null, 400, body);
      return send(res, 400, { error: `not a delivery: ${error instanceof Error ? error.message : String(error)}` });
    }
    if (!deliveryId) {
      logRequest(deliveryId, sig ?? null, 400, body);
      return send(res, 400, { error: `missing ${DELIVERY_HEADER}` });
    }

    const current = rule;
    const matches = uriMatcher(current?.failUris);
    const matching = parsed.actions.filter((a) => matches(a.asset.uri));
    const hit = current !== null && matching.length > 0 && Math.random() < (current.rate ?? 1);
    const modes = current === null ? [] : Array.isArray(current.mode) ? current.mode : [current.mode];
    const mode: FailureMode | null = hit ? (modes[Math.floor(Math.random() * modes.length)] ?? null) : null;
    let dropped = new Set<string>();
    if (mode === 'dropItem') {
      if (current?.failUris !== undefined) dropped = new Set(matching.map((a) => a.assetId));
      else {
        const half = matching.filter(() => Math.random() < 0.5);
        dropped = new Set((half.length > 0 ? half : matching.slice(0, 1)).map((a) => a.assetId));
      }
    }
    const applies = mode === null || mode === 'dropItem' || mode === 'timeout';
    const at = new Date().toISOString();
    const items: Array<{ AssetId: string; IntegrationState: string }> = [];
    inTransaction(db, () => {
      for (const action of parsed.actions) {
        const base = [deliveryId, at, action.type, action.assetId, action.asset.uri, action.asset.revisionId, action.integrationState, action.assetStateHash];
        if (!applies || dropped.has(action.assetId)) {
          stmt.insertReceived.run([...base, applies ? 'dropped' : 'failed', null]);
          continue;
        }
        const before = stmt.answerOf.get([deliveryId, action.assetId]);
        const answer = before ? String(before.answer) : apply(deliveryId, action, at);
        stmt.insertReceived.run([...base, mode === 'timeout' ? 'unanswered' : before ? 'duplicate' : 'answered', answer]);
        items.push({ AssetId: action.assetId, IntegrationState: answer });
      }
      logRequest(deliveryId, sig ?? null, mode === 'status500' ? 500 : mode === 'timeout' ? 0 : 200, body);
    });
    if (mode === 'status500') return send(res, 500, 'simulated failure (status500 rule)', 'text/plain');
    if (mode === 'malformed') return send(res, 200, '{"Items": [ this is not JSON', 'application/json; charset=utf-8');
    if (mode === 'timeout') {
      // Never answer: the server's TimeoutMs aborts the request.
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    send(res, 200, { Items: items });
  }

  function admin(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    if (url.pathname === '/admin/rule' && req.method === 'GET') return send(res, 200, rule);
    if (url.pathname === '/admin/rule' && req.method === 'PUT') {
      let value: unknown;
      try {
        value = body.trim() === '' ? null : JSON.parse(body);
      } catch {
        return send(res, 400, { error: 'the rule is not JSON' });
      }
      if (value === null) {
        rule = null;
        return send(res, 200, rule);
      }
      const parsed = FailureRule.safeParse(value);
      if (!parsed.success) return send(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; ') });
      rule = parsed.data;
      logger.info({ rule }, 'receiver: rule set');
      return send(res, 200, rule);
    }
    if (url.pathname === '/admin/received' && req.method === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? '1000');
      return send(res, 200, api.received(Number.isInteger(limit) && limit > 0 ? limit : 1000));
    }
    if (url.pathname === '/admin/objects' && req.method === 'GET') return send(res, 200, api.objects());
    send(res, 404, { error: `no ${req.method} ${url.pathname}` });
  }

  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const handle = async () => {
      // A web page the operator visits must not reset the demo's rule or read what it received.
      const origin = req.headers.origin;
      if (!originAllowed(origin, [])) return send(res, 403, { error: originRefusal(origin ?? '') });
      if (url.pathname.startsWith('/admin/')) {
        if (!isLoopback(req.socket.remoteAddress)) return send(res, 403, { error: 'the admin endpoints answer loopback only' });
        return admin(req, res, url, await readBody(req));
      }
      if ((url.pathname === '/webhook' || url.pathname === '/') && req.method === 'POST') return webhook(req, res);
      send(res, 404, { error: `no ${req.method} ${url.pathname}: POST /webhook` });
    };
    handle().catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'receiver: request failed');
      if (!res.headersSent) send(res, 500, { error: 'receiver error' });
    });
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(http, options.port, host, { onRefused: (count) => logger.warn({ count }, 'receiver: connections refused: it holds as many as it takes') });
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const api: RunningReceiver = {
    url: `${baseUrl}/webhook`,
    baseUrl,
    setRule(next) {
      rule = next === null ? null : FailureRule.parse(next);
    },
    rule: () => rule,
    received(limit) {
      const rows = limit === undefined
        ? db.all('SELECT * FROM received ORDER BY seq')
        : db.all('SELECT * FROM (SELECT * FROM received ORDER BY seq DESC LIMIT ?) ORDER BY seq', [limit]);
      return rows.map((r) => ({
        seq: Number(r.seq),
        deliveryId: String(r.delivery_id),
        receivedAt: String(r.received_at),
        type: r.type === 'deleted' ? 'deleted' : 'sync',
        assetId: String(r.asset_id),
        uri: String(r.uri),
        revisionId: String(r.revision_id),
        integrationState: r.integration_state === null ? null : String(r.integration_state),
        assetStateHash: r.asset_state_hash === null ? null : String(r.asset_state_hash),
        outcome: String(r.outcome) as ReceivedAction['outcome'],
        answer: r.answer === null ? null : String(r.answer),
      }));
    },
    objects() {
      return db.all('SELECT * FROM objects ORDER BY asset_id').map((r) => ({
        assetId: String(r.asset_id),
        externalId: String(r.external_id),
        version: Number(r.version),
        deleted: r.deleted === 1,
        uri: String(r.uri),
        updatedAt: String(r.updated_at),
      }));
    },
    requests() {
      return db.all('SELECT * FROM requests ORDER BY seq').map((r) => ({
        seq: Number(r.seq),
        at: String(r.at),
        deliveryId: r.delivery_id === null ? null : String(r.delivery_id),
        signature: r.signature === null ? null : String(r.signature),
        status: Number(r.status),
        body: String(r.body),
      }));
    },
    rejected: () => rejected,
    async close() {
      for (const res of held) res.destroy();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      for (const s of Object.values(stmt)) s.finalize();
      if (db.isOpen) db.close();
    },
  };
  logger.info({ url: api.url }, 'receiver started');
  return api;
}
