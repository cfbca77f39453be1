// 240 random and mutated webhook answers at the server's delivery: status codes, headers, bodies (invalid JSON, wrong
// shapes, huge and deeply nested JSON, Items with unknown or duplicate AssetIds, IntegrationStates that are not
// strings, valid bodies with random edits), sent whole, slowly, cut short, reset or never finished. The server never
// crashes, every asset ends Tracked or Failed with a reason, the delivery thread survives, and afterwards the server
// answers Health and delivers normally again.
import type http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TIntegrationAsset } from '../../../shared/assethub/integrations.ts';
import { SERVER_NAME } from '../../../shared/protocol/index.ts';
import { until } from '../../testing/wait.ts';
import {
  answerItems, commitFiles, createRepo, integrationEntry, records, scriptedReceiver, setIntegration, startRig, streamBody,
  type Action, type Exchange, type Rig, type ScriptedReceiver,
} from './testing/rig.ts';

const ANSWERS = 240;
const LIMIT = 256 * 1024;
const ASSETS = 30;
const TIMEOUT_MS = 400;
const REPO = '%SYNCED_STORAGE%\\Projects\\Webhook fuzz';
const NAME = 'Fuzzed receiver';
/** Every reason a failed delivery can give (PROTOCOL-EXTENSIONS.md, "Managed integrations"). */
const REASON = /^(HTTP \d{3}: |malformed response: |timed out after \d+ ms$|request failed: |response too large: more than \d+ bytes$|no Item for this asset in the response$)/s;

// ---- the answers ----

type StateKind = 'string' | 'number' | 'null' | 'object' | 'array' | 'missing' | 'large' | 'unicode';
type Body =
  | { kind: 'items'; drop: number[]; unknown: string[]; duplicate: boolean; state: StateKind; wrap: 'plain' | 'extra' | 'lowercase' | 'array' | 'nested' }
  | { kind: 'mutated'; edits: Array<[number, number, string]> }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'deep'; depth: number; where: 'top' | 'state' | 'extra' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'empty' };
type Delivery = 'whole' | 'slow' | 'truncated' | 'reset' | 'stall' | 'short-length';
interface Answer { status: number; headers: Array<[string, string]>; body: Body; delivery: Delivery }

const stateKind = fc.constantFrom<StateKind>('string', 'string', 'string', 'number', 'null', 'object', 'array', 'missing', 'large', 'unicode');
const bodies: fc.Arbitrary<Body> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    kind: fc.constant('items' as const), drop: fc.array(fc.nat(9), { maxLength: 3 }), unknown: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
    duplicate: fc.boolean(), state: stateKind, wrap: fc.constantFrom('plain', 'plain', 'plain', 'extra', 'lowercase', 'array', 'nested'),
  }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('mutated' as const), edits: fc.array(fc.tuple(fc.nat(), fc.nat(12), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.string({ maxLength: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 1000, max: 100_000 }), where: fc.constantFrom('top', 'state', 'extra') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), bytes: fc.integer({ min: LIMIT + 1, max: 4 * LIMIT }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
);
const headers = fc.array(fc.constantFrom<[string, string]>(
  ['Content-Type', 'application/json'], ['Content-Type', 'text/html; charset=latin1'], ['Content-Encoding', 'gzip'], ['Connection', 'close'],
  ['Cache-Control', 'no-store'], ['X-Junk', 'x'.repeat(4000)], ['X-Overflow', 'y'.repeat(20_000)], ['Retry-After', '-1'],
), { maxLength: 3 });
const answers: fc.Arbitrary<Answer> = fc.record({
  status: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(200, 200, 201, 202, 204, 299) }, { weight: 2, arbitrary: fc.integer({ min: 200, max: 599 }) }),
  headers,
  body: bodies,
  delivery: fc.oneof(
    { weight: 10, arbitrary: fc.constant<Delivery>('whole') },
    { weight: 2, arbitrary: fc.constantFrom<Delivery>('slow', 'truncated', 'reset', 'short-length') },
    { weight: 1, arbitrary: fc.constant<Delivery>('stall') },
  ),
});

function integrationState(kind: StateKind, id: string): unknown {
  switch (kind) {
    case 'string': return `state-${id}`;
    case 'number': return 42;
    case 'null': return null;
    case 'object': return { id };
    case 'array': return [id];
    case 'missing': return undefined;
    case 'large': return 'L'.repeat(100_000);
    case 'unicode': return `\u0000😀\ud800${id}`;
  }
}

function itemsText(body: Extract<Body, { kind: 'items' }>, actions: readonly Action[]): string {
  const items: Array<Record<string, unknown>> = actions
    .filter((_, i) => !body.drop.includes(i))
    .map((a) => ({ AssetId: a.assetId, IntegrationState: integrationState(body.state, a.assetId) }));
  for (const id of body.unknown) items.push({ AssetId: id, IntegrationState: 'unknown' });
  const first = actions[0];
  if (body.duplicate && first) items.push({ AssetId: first.assetId, IntegrationState: 'duplicate' });
  switch (body.wrap) {
    case 'plain': return JSON.stringify({ Items: items });
    case 'extra': return JSON.stringify({ Items: items, Other: [1, 2, 3], items: 'x' });
    case 'lowercase': return JSON.stringify({ items });
    case 'array': return JSON.stringify(items);
    case 'nested': return JSON.stringify({ Result: { Items: items } });
  }
}

function bodyOf(body: Body, actions: readonly Action[]): string | Buffer {
  switch (body.kind) {
    case 'items': return itemsText(body, actions);
    case 'mutated': {
      let s = JSON.stringify({ Items: actions.map((a) => ({ AssetId: a.assetId, IntegrationState: `state-${a.assetId}` })) });
      for (const [pos, len, insert] of body.edits) {
        const at = pos % (s.length + 1);
        s = s.slice(0, at) + insert + s.slice(at + len);
      }
      return s;
    }
    case 'json': return JSON.stringify(body.value) ?? 'null';
    case 'text': return body.text;
    case 'bytes': return Buffer.from(body.bytes);
    case 'deep': {
      const deep = `${'['.repeat(body.depth)}${']'.repeat(body.depth)}`;
      if (body.where === 'top') return deep;
      const items = actions.map((a) => `{"AssetId":${JSON.stringify(a.assetId)},"IntegrationState":${body.where === 'state' ? deep : '"s"'}${body.where === 'extra' ? `,"x":${deep}` : ''}}`);
      return `{"Items":[${items.join(',')}]}`;
    }
    case 'huge': return '';
    case 'empty': return '';
  }
}

/** Answers one request as `answer` says; never throws (a receiver that cannot even write just drops the connection). */
function respond(answer: Answer, { actions, res }: Exchange): void {
  try {
    if (answer.delivery === 'reset') {
      res.socket?.destroy();
      return;
    }
    const body = bodyOf(answer.body, actions);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const head: http.OutgoingHttpHeaders = Object.fromEntries(answer.headers);
    if (answer.body.kind === 'huge') {
      res.writeHead(answer.status, head);
      res.write('{"Items":[],"padding":"');
      streamBody(res, answer.body.bytes);
      return;
    }
    if (answer.delivery === 'truncated') head['Content-Length'] = bytes.length + 10;
    else if (answer.delivery === 'short-length') head['Content-Length'] = Math.max(0, bytes.length - 5);
    else if (answer.delivery !== 'stall') head['Content-Length'] = bytes.length;
    res.writeHead(answer.status, head);
    if (answer.delivery === 'stall') {
      res.write(bytes.subarray(0, bytes.length >> 1)); // and never the rest
    } else if (answer.delivery === 'slow') {
      const parts = [0, 1, 2, 3].map((i) => bytes.subarray((i * bytes.length) >> 2, ((i + 1) * bytes.length) >> 2));
      const next = (i: number) => {
        if (res.destroyed) return;
        if (i === parts.length) return void res.end();
        res.write(parts[i]);
        setTimeout(() => next(i + 1), 30);
      };
      next(0);
    } else if (answer.delivery === 'truncated') {
      res.write(bytes, () => res.socket?.destroy());
    } else if (answer.delivery === 'short-length') {
      // Node sends what the declared length allows; the rest would be garbage before the next answer on the socket.
      res.end(bytes.subarray(0, Math.max(0, bytes.length - 5)));
      res.socket?.write(bytes.subarray(Math.max(0, bytes.length - 5)));
    } else {
      res.end(bytes);
    }
  } catch {
    res.socket?.destroy();
  }
}

// ---- the run ----

let rig: Rig;
let receiver: ScriptedReceiver;
beforeAll(async () => {
  rig = await startRig({ maxWebhookResponseBytes: LIMIT });
  receiver = await scriptedReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await rig?.close();
});

async function all(status: 'Tracked' | 'Failed' | 'Pending'): Promise<TIntegrationAsset[]> {
  return records(rig.panel, NAME, status);
}

it(`${ANSWERS} random and mutated webhook answers: every asset ends Tracked or Failed with a reason, and the server goes on`, async () => {
  const samples = fc.sample(answers, { numRuns: ANSWERS, seed: 20261202 });
  let next = 0;
  receiver.answer = (exchange) => {
    const answer = samples[next++];
    if (answer) respond(answer, exchange);
    else answerItems(exchange);
  };
  const head = await createRepo(rig.panel, REPO);
  await commitFiles(rig, REPO, head, Object.fromEntries(Array.from({ length: ASSETS }, (_, i) => [`FileSystem:/fuzz/asset${String(i).padStart(2, '0')}.png`, `content ${i}`])));
  expect(await setIntegration(rig.panel, [NAME], {
    EndpointUrl: receiver.url, Secret: 'secret', Repositories: [REPO], BatchSize: 5, TimeoutMs: TIMEOUT_MS,
    Retry: { MaxAttempts: 2, InitialDelayMs: 10, Multiplier: 1 },
  })).toBeNull();

  /** The kinds of failure seen (the reason up to its first colon). */
  const seen = new Set<string>();
  let rounds = 0;
  while (next < samples.length) {
    rounds++;
    expect(await rig.panel.ok(SERVER_NAME, 'SyncAllAssets', { Integration: NAME })).toEqual({ Total: ASSETS });
    const e = await until(`Sync all ${rounds} settled`, async () => {
      const x = await integrationEntry(rig.panel, NAME);
      return x.Sync?.Outcome === 'Completed' && x.Pending === 0 ? x : null;
    }, 30_000, 20);
    expect(e.Tracked + e.Failed).toBe(ASSETS);
    const failed = await all('Failed');
    for (const f of failed) {
      expect(f.reason, f.assetId).toMatch(REASON);
      expect(f.attempts.at(-1)?.error).toBe(f.reason);
    }
    const tracked = await all('Tracked');
    for (const t of tracked) expect(typeof t.integrationState).toBe('string');
    for (const r of [...failed, ...tracked]) for (const a of r.attempts) if (a.error) seen.add(a.error.replace(/:.*$/s, ''));
    // The delivery thread held on: no batch failed because it stopped.
    expect(failed.filter((f) => f.attempts.some((a) => a.error?.includes('delivery thread stopped')))).toEqual([]);
    expect(await rig.panel.ok(SERVER_NAME, 'Health')).toEqual({});
  }

  // The answers did fail deliveries in every way there is.
  expect([...new Set([...seen].map((r) => r.replace(/^(HTTP|timed out after) \d+.*$/, '$1')))].sort()).toEqual(
    ['HTTP', 'malformed response', 'no Item for this asset in the response', 'request failed', 'response too large', 'timed out after'],
  );

  // Healed, every asset is tracked.
  await rig.panel.ok(SERVER_NAME, 'ResyncAssets', { Integration: NAME, AllFailed: true });
  const healed = await until('all tracked', async () => {
    const x = await integrationEntry(rig.panel, NAME);
    return x.Pending === 0 && x.Tracked === ASSETS ? x : null;
  }, 30_000);
  expect(healed.Failed).toBe(0);
  expect(await rig.panel.ok(SERVER_NAME, 'Health')).toEqual({});
}, 90_000);
