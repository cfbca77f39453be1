// 10,000 mutated multipart messages from a raw ZeroMQ PUB socket at the ZeroMQ hub and, through it, at the server and
// a client (topics start with the prefixes they subscribe to, so the messages actually reach them): wrong part
// counts, invalid UTF-8 and JSON, unknown Types, missing and non-string fields, `:::`, strings of a few hundred KB,
// deeply nested JSON, Set paths with thousands of segments, Calls of every Method with random Params. Afterwards
// nothing crashed, no service lost its connection, the hub still routes and every service still answers.
import fc from 'fast-check';
import * as zmq from 'zeromq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mutatedFrames } from '../../scripts/testing/mutate.ts';
import { CALLS } from '../../shared/assethub/calls.ts';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME, decodeMultipart, type Envelope } from '../../shared/protocol/index.ts';
import type { RunningClient } from '../client/client.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';

const COUNT = 10_000;
/** Every this many messages the fuzzer waits until both services have handled what it sent (bounded backlog). */
const BATCH = 500;
const CLIENT = 'STAGE-A-AssetHubClient';
const REPO = '%SYNCED_STORAGE%\\Projects\\Fuzz.Target';
const FUZZ = 'FUZZ-AssetHubPanel';
const STATES = ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] as const;

let cluster: Cluster;
let client: RunningClient;
let panel: Probe;
let workspace = '';
let pub: zmq.Publisher | undefined;

beforeAll(async () => {
  cluster = await startCluster({ fabric: 'zmq' });
  client = await cluster.client('STAGE-A');
  panel = await cluster.probe('OPS-AssetHubPanel');
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  workspace = (await until('the client creates its workspace', () => panel.ok<{ Workspace: string }>(CLIENT, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }))).Workspace;
}, 60_000);

afterAll(async () => {
  pub?.close();
  await client?.idle().catch(() => undefined);
  await cluster?.close();
});

// ---- the messages ----

const j = (value: unknown): string => JSON.stringify(value) ?? 'null';
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
type Parts = Buffer[];

const METHODS = { [SERVER_NAME]: Object.keys(CALLS.server), [CLIENT]: Object.keys(CALLS.client) } as Record<string, string[]>;
const shapeKeys = (schema: unknown): string[] => {
  const s = schema as { shape?: Record<string, unknown>; options?: unknown[] };
  if (s.shape) return Object.keys(s.shape);
  return (s.options ?? []).flatMap(shapeKeys);
};
const PARAM_KEYS: Record<string, string[]> = Object.fromEntries(
  [...Object.entries(CALLS.server), ...Object.entries(CALLS.client)].map(([m, d]) => [m, shapeKeys(d.params)]),
);

function messages(wsKey: string): fc.Arbitrary<Parts> {
  const repoKey = REPO.replaceAll('.', '[dot]');
  const target = fc.constantFrom(SERVER_NAME, CLIENT, SERVER_NAME, CLIENT, 'DataHub');
  const service = fc.constantFrom(SERVER_NAME, CLIENT);
  const name = fc.oneof(
    fc.constantFrom(SERVER_NAME, CLIENT, FUZZ, 'BROADCAST', 'DataHub', 'X:::Y', ':::', '', 'STAGE-B-AssetHubClient'),
    fc.string({ maxLength: 30 }),
  );
  const plausible = fc.constantFrom<unknown>(
    REPO, 'Main', workspace, 'FileSystem:/a.txt', 'FileSystem:/../../etc/passwd', '/', '', 'Local', 'Remote', true, false, null, 0, -1,
    'a'.repeat(64), [], {}, ['FileSystem:/x'], [{ Type: 'Delete', URI: 'FileSystem:/x' }], `${REPO}.Other`,
  );
  const anyValue = fc.oneof({ weight: 2, arbitrary: plausible }, { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) });
  const segment = fc.oneof(
    fc.constantFrom('State', 'Repositories', 'Workspaces', 'AutoPull', 'Integrations', 'WorkspaceInfo', repoKey, wsKey, '__proto__', 'constructor', 'prototype', 'toString', '[dot]', '[lbr]', ''),
    fc.string({ maxLength: 12 }),
  );
  const path = fc.oneof(
    { weight: 6, arbitrary: fc.array(segment, { minLength: 1, maxLength: 40 }).map((s) => s.join('.')) },
    { weight: 3, arbitrary: fc.constantFrom(`State.Repositories.${repoKey}.AutoPull`, `State.Workspaces.${wsKey}.AutoPull`, 'State', `State.Workspaces.${wsKey}`, 'Integrations', 'Integrations.X.Url') },
    // Many segments: thousands of them.
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 500, max: 20_000 }), segment).map(([n, s]) => `State.${`${s}.`.repeat(n)}AutoPull`) },
  );
  const params = (method: string) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...(PARAM_KEYS[method] ?? []), 'Extra', '__proto__'), anyValue, { maxKeys: 8 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    );

  // Structurally valid messages (canonical topics, the right bodies) with random contents: they reach the services.
  const call = fc
    .tuple(service, fc.nat(), fc.oneof(fc.constant(''), fc.string({ maxLength: 8 })), name)
    .chain(([t, pick, id, respondTo]) => {
      const all = METHODS[t] ?? [];
      // The method from the other digits of `pick`: `pick % all.length` correlates with the Unknown draw (pick % 10)
      // when the count shares a factor with 10 (with 24 server methods this seed never drew Health).
      const method = pick % 10 === 0 ? `Unknown${pick}` : (all[Math.floor(pick / 10) % all.length] as string);
      return params(method).map((p) => [j({ Type: 'Call', Target: t, RespondTo: respondTo, Method: method, ID: id || String(pick) }), j({ Params: p })] as const);
    });
  const set = fc.tuple(target, path, anyValue).map(([t, n, v]) => [j({ Type: 'Set', Target: t, Name: n }), j({ Value: v })] as const);
  const get = fc.tuple(target, path, name).map(([t, n, r]) => [j({ Type: 'Get', Target: t, Name: n, RespondTo: r }), '{}'] as const);
  const reset = fc.tuple(service, fc.option(path)).map(([t, n]) => [j(n === null ? { Type: 'Reset', Target: t } : { Type: 'Reset', Target: t, Name: n }), '{}'] as const);
  // Updates the services listen to: broadcasts "from the server", replies to them, forged heartbeats.
  const update = fc
    .tuple(fc.constantFrom('BROADCAST', SERVER_NAME, CLIENT), fc.constantFrom(SERVER_NAME, CLIENT, 'STAGE-B-AssetHubClient'), fc.constantFrom(...STATES, 'PeerHeartbeat', 'LOWPRIO_State'), anyValue)
    .map(([t, s, n, v]) => [j({ Type: 'Update', Target: t, Source: s, Name: n }), j({ Value: n === 'PeerHeartbeat' && typeof v !== 'object' ? { Seq: v, SentAt: 0 } : v })] as const);
  const other = fc.oneof(
    name.map((s) => [j({ Type: 'Identify', Source: s }), '{}'] as const),
    fc.tuple(service, name, anyValue).map(([t, s, v]) => [j({ Type: 'Self', Target: t, Source: s }), j({ Value: v })] as const),
    fc.tuple(fc.constantFrom(SERVER_NAME, 'STAGE-B-AssetHubClient'), fc.nat(19)).map(([s, n]) => [j({ Type: 'Startup', Target: n === 0 ? 'BROADCAST' : s, Source: s }), '{}'] as const),
    fc.tuple(service, name).map(([t, s]) => [j({ Type: 'CallResult', Target: t, ExecutedOn: s, Method: 'GetStorage', ID: '1' }), j({ Result: { Url: 'http://127.0.0.1:1' } })] as const),
  );
  const valid = fc.oneof({ weight: 5, arbitrary: call }, { weight: 3, arbitrary: set }, { weight: 2, arbitrary: get }, { weight: 1, arbitrary: reset }, { weight: 2, arbitrary: update }, { weight: 1, arbitrary: other });

  // A fixed set of valid messages to mutate byte-wise (topic or message edited, or both).
  const seeds = fc.sample(valid, { numRuns: 200, seed: 7 });
  const mutatedTopic = mutatedFrames(seeds.map(([t]) => t));
  const mutatedMessage = mutatedFrames(seeds.map(([, m]) => m));
  const mutated = fc.oneof(
    fc.tuple(mutatedTopic, fc.constantFrom(...seeds.map(([, m]) => m))),
    fc.tuple(fc.constantFrom(...seeds.map(([t]) => t)), mutatedMessage),
    fc.tuple(mutatedTopic, mutatedMessage),
  );

  /** The part of a topic a service's subscription matches: Type and Target. */
  const prefixOf = (t: string) => /^\{"Type":"[^"]*","Target":"(?:[^"\\]|\\.)*"/.exec(t)?.[0] ?? '';
  // Invalid UTF-8 inside an otherwise routable topic or message.
  const badUtf8 = fc
    .tuple(valid, fc.constantFrom([0xff], [0xc3, 0x28], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xe2, 0x82]), fc.boolean(), fc.nat())
    .map(([[t, m], bad, inTopic, at]): Parts => {
      const part = bytes(inTopic ? t : m);
      const cut = inTopic ? Math.max(prefixOf(t).length, at % (part.length + 1)) : at % (part.length + 1);
      const broken = Buffer.concat([part.subarray(0, cut), Buffer.from(bad), part.subarray(cut)]);
      return inTopic ? [broken, bytes(m)] : [bytes(t), broken];
    });
  const wrongParts = fc.tuple(valid, fc.nat(3), fc.uint8Array({ maxLength: 64 })).map(([[t, m], n, extra]): Parts => {
    if (n === 0) return [bytes(t)];
    if (n === 1) return [bytes(t), bytes(m), Buffer.from(extra), Buffer.from(extra)];
    if (n === 2) return [bytes(t), bytes(m), Buffer.from(extra)]; // an attachment nobody announced
    return [bytes(t), Buffer.alloc(0)];
  });
  const badJson = fc.tuple(valid, fc.constantFrom('{', '{"Value":', 'nul', '{"Params":{}}}', "{'Value':1}", '[]', '"x"', '1', 'NaN', '{"Value":1,}'), fc.boolean()).map(
    ([[t, m], junk, inTopic]): Parts => (inTopic ? [bytes(`${prefixOf(t)}${junk}`), bytes(m)] : [bytes(t), bytes(junk)]),
  );
  // Unknown Type, missing or non-string fields, `:::`, empty values, a Type that is not a string.
  const badTopic = fc
    .tuple(service, fc.constantFrom('Unknown', 'get', 'GET', 'Call ', '', 'Subscribe'), fc.jsonValue({ maxDepth: 2 }), fc.nat(6))
    .map(([t, type, v, k]): Parts => {
      const topics = [
        { Type: type, Target: t, Name: 'State', RespondTo: FUZZ },
        { Type: 'Get', Target: t, RespondTo: FUZZ },
        { Type: 'Get', Target: t, Name: v, RespondTo: FUZZ },
        { Type: 'Call', Target: t, RespondTo: FUZZ, Method: 'Health' },
        { Type: 'Call', Target: t, RespondTo: 'A:::B', Method: 'Health', ID: '1' },
        { Type: 'Set', Target: t, Name: '' },
        { Type: 7, Target: t },
      ];
      return [bytes(j(topics[k])), bytes(k === 3 ? '{"Params":[]}' : '{"Value":null}')];
    });
  // Strings of a few hundred KB where a routable message keeps them: a Name, a Value, a Param, a RespondTo.
  const huge = fc.tuple(service, fc.integer({ min: 50_000, max: 400_000 }), fc.nat(3), fc.constantFrom('x', '.', 'é', '"', '\\', '\u2028', '😀', '[dot]')).map(([t, n, k, c]): Parts => {
    const big = c.repeat(n);
    if (k === 0) return [bytes(j({ Type: 'Get', Target: t, Name: big, RespondTo: FUZZ })), bytes('{}')];
    if (k === 1) return [bytes(j({ Type: 'Set', Target: t, Name: 'State' })), bytes(j({ Value: { Workspaces: { [big]: { AutoPull: true } } } }))];
    if (k === 2) return [bytes(j({ Type: 'Call', Target: t, RespondTo: FUZZ, Method: t === CLIENT ? 'Scan' : 'CreateRepository', ID: 'h' })), bytes(j({ Params: { Workspace: big, Name: big, Branch: big } }))];
    return [bytes(j({ Type: 'Get', Target: t, Name: 'State', RespondTo: big })), bytes('{}')];
  });
  const deep = fc.tuple(service, fc.integer({ min: 100, max: 10_000 }), fc.constantFrom('[', '{"a":'), fc.nat(2)).map(([t, n, open, k]): Parts => {
    const nested = open === '[' ? '['.repeat(n) + ']'.repeat(n) : `${open.repeat(n)}0${'}'.repeat(n)}`;
    const topics = [j({ Type: 'Set', Target: t, Name: `State.Workspaces.${wsKey}.AutoPull` }), j({ Type: 'Call', Target: t, RespondTo: FUZZ, Method: t === CLIENT ? 'Push' : 'ImportAssets', ID: 'd' }), j({ Type: 'Set', Target: t, Name: 'State' })];
    const body = k === 1 ? `{"Params":{"Workspace":${j(workspace)},"Comment":"c","URIs":${nested},"Document":${nested}}}` : `{"Value":${nested}}`;
    return [bytes(topics[k] as string), bytes(body)];
  });
  const randomParts = fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 4 }).map((ps) => ps.map((p) => Buffer.from(p)));

  return fc.oneof(
    { weight: 30, arbitrary: valid.map(([t, m]): Parts => [bytes(t), bytes(m)]) },
    { weight: 22, arbitrary: mutated.map(([t, m]): Parts => [bytes(t), bytes(m)]) },
    { weight: 8, arbitrary: wrongParts },
    { weight: 8, arbitrary: badUtf8 },
    { weight: 8, arbitrary: badJson },
    { weight: 8, arbitrary: badTopic },
    { weight: 5, arbitrary: randomParts },
    { weight: 2, arbitrary: deep },
    { weight: 1, arbitrary: huge },
  );
}

// ---- the test ----

it(`${COUNT.toLocaleString('en')} mutated multipart messages at the ZeroMQ hub and the services: no crash, every service still answers`, async () => {
  const hub = cluster.hub;
  if (hub.fabric !== 'zmq') throw new Error('expected a ZeroMQ hub');
  const wsKey = workspace.replaceAll('.', '[dot]');
  const samples = fc.sample(messages(wsKey), { numRuns: COUNT, seed: 20_260_311 });
  expect(samples).toHaveLength(COUNT);
  const undecodable = samples.filter((s) => !decodeMultipart(s).ok).length;
  const methodsCalled = new Set(samples.flatMap((s) => {
    const d = decodeMultipart(s);
    return d.ok && d.value.envelope.topic.Type === 'Call' ? [d.value.envelope.topic.Method] : [];
  }));
  // The generator covers what it must: many invalid messages, every Method of both services, huge ones.
  expect(undecodable).toBeGreaterThan(COUNT / 4);
  for (const method of [...Object.keys(CALLS.server), ...Object.keys(CALLS.client)]) expect(methodsCalled.has(method), method).toBe(true);
  expect(samples.some((s) => s.reduce((n, p) => n + p.length, 0) > 200_000)).toBe(true);

  pub = new zmq.Publisher({ linger: 0, sendHighWaterMark: 100_000 });
  pub.connect(`tcp://127.0.0.1:${hub.pubPort}`);
  const raw = pub;
  const hosts = [cluster.server.host, client.host];
  let fuzzStart = Infinity;
  /** Services whose hub connection went down since the fuzz started (a crashed receive loop would do that). */
  const reconnected = () =>
    hosts.filter((h) => h.peer.status.state !== 'connected' || h.peer.status.since >= fuzzStart)
      .map((h) => `${h.name} (${h.peer.status.state} since ${h.peer.status.since - fuzzStart} ms into the fuzz)`);
  let round = 0;
  /**
   * One request to each service, answered to the panel probe: the hub keeps one publisher's order, so once both
   * answers are back, both services have handled everything the fuzzer sent before (as far as it reached them).
   */
  const drained = async (label: string, timeoutMs: number) => {
    const id = `drain-${++round}`;
    const from = panel.messages.length;
    await raw.send([j({ Type: 'Call', Target: SERVER_NAME, RespondTo: panel.name, Method: 'Health', ID: id }), j({ Params: {} })]);
    await raw.send([j({ Type: 'Get', Target: CLIENT, Name: 'State', RespondTo: panel.name }), '{}']);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const recent = panel.messages.slice(from);
      const server = recent.some((m) => m.topic.Type === 'CallResult' && m.topic.ID === id);
      const other = recent.some((m) => m.topic.Type === 'Update' && m.topic.Target === panel.name && m.topic.Source === CLIENT && m.topic.Name === 'State');
      if (server && other) return;
      const down = reconnected();
      if (down.length > 0 || Date.now() > deadline) {
        const silent = [server ? '' : SERVER_NAME, other ? '' : CLIENT].filter(Boolean).join(' and ');
        throw new Error(`${label}: ${silent} did not answer${down.length > 0 ? ` (lost the hub: ${down.join(', ')})` : ` within ${timeoutMs} ms`}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  // Slow joiner: what a new PUB socket sends before the hub's subscriptions reached it is dropped; retry (bounded).
  const joinDeadline = Date.now() + 10_000;
  for (;;) {
    try {
      await drained('joining', 300);
      break;
    } catch (error) {
      if (Date.now() > joinDeadline) throw error;
    }
  }

  fuzzStart = Date.now();
  const before = hub.stats();
  for (let i = 0; i < samples.length; i++) {
    // zeromq.js: one send in flight per socket.
    await raw.send(samples[i] as Parts);
    if (i % BATCH === BATCH - 1) await drained(`after message ${i + 1}`, 30_000);
  }
  await drained('at the end', 30_000);

  // No service lost its connection (a crashed receive loop would have dropped it and reconnected), none crashed.
  expect(reconnected()).toEqual([]);
  for (const host of hosts) expect(host.connected, host.name).toBe(true);
  // The inspector counted every invalid message (nothing here comes near a high-water mark, so it dropped none).
  await until('the inspector counted invalid messages', () => hub.stats().Invalid - before.Invalid >= undecodable, 15_000);
  expect(hub.stats().Invalid - before.Invalid).toBe(undecodable);
  expect(hub.stats().MessagesIn).toBeGreaterThan(before.MessagesIn);

  // The hub still routes, every service still answers, their states are still valid.
  expect(await panel.ok(SERVER_NAME, 'Health')).toEqual({});
  for (const state of STATES) {
    expect(STATE_SCHEMAS.server[state].safeParse(await panel.get(SERVER_NAME, [state])).success, `server ${state}`).toBe(true);
    expect(STATE_SCHEMAS.client[state].safeParse(await panel.get(CLIENT, [state])).success, `client ${state}`).toBe(true);
  }
  expect(await panel.get('DataHub', ['Stats', 'Fabric'])).toBe('zmq');
  const other = await cluster.probe('FOH-AssetHubPanel');
  const from = other.messages.length;
  const after = await panel.set(CLIENT, ['State', 'Workspaces', workspace, 'AutoPull'], false);
  expect(after).toMatchObject({ Workspaces: { [workspace]: { AutoPull: false } } });
  const seen = await other.next((m: Envelope) => m.topic.Type === 'Update' && m.topic.Target === 'BROADCAST' && m.topic.Source === CLIENT && m.topic.Name === 'State'
    && JSON.stringify(m.message).includes('"AutoPull":false'), 5000, from);
  expect(seen).toBeTruthy();
  expect(await other.ok(SERVER_NAME, 'GetStorage')).toEqual({ Url: cluster.server.storageUrl });
}, 120_000);
