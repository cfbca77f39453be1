// A test speaks raw ZeroMQ exactly as the Pixotope documentation's example does: a PUB socket connected to the hub's
// publish port, a SUB socket connected to its subscribe port, prefix subscriptions, and `[topic, message]` multipart
// messages whose JSON is written by hand (JSON.stringify, compact, keys in the documented canonical order). No project
// codec or hub peer is used on the raw side: the services, the hub and the project's codec are what is under test.
import * as zmq from 'zeromq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import type { Probe } from '../testing/probe.ts';
import { until } from '../testing/wait.ts';

const RAW = 'RAW-Tool';
const CLIENT = 'STAGE-A-AssetHubClient';
// A '.' in the name, so the workspace key (its path) has one too and travels as `[dot]`.
const REPO = '%SYNCED_STORAGE%\\Projects\\Project.Beta';

interface Received {
  /** The parts exactly as they came, as UTF-8 text. */
  topic: string;
  message: string;
  parts: number;
}

let cluster: Cluster;
let probe: Probe;
let workspace = '';
let pub: zmq.Publisher;
let sub: zmq.Subscriber;
const inbox: Received[] = [];
let waiters: Array<{ pred: (r: Received) => boolean; resolve: (r: Received) => void }> = [];

/** The first message matching `pred` received at index `from` or later; bounded. */
function next(pred: (r: Received) => boolean, timeoutMs: number, from = inbox.length): Promise<Received> {
  const already = inbox.slice(from).find(pred);
  if (already) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const waiter = {
      pred,
      resolve: (r: Received) => {
        clearTimeout(timer);
        resolve(r);
      },
    };
    const timer = setTimeout(() => {
      waiters = waiters.filter((w) => w !== waiter);
      reject(new Error(`no matching message within ${timeoutMs} ms`));
    }, timeoutMs);
    waiters.push(waiter);
  });
}

/** Sends `[topic, message]` as the documentation's example does: two frames, UTF-8 JSON text. One send at a time. */
const send = (topic: string, message: string): Promise<void> => pub.send([topic, message]);

/**
 * ZeroMQ's slow joiner: a PUB socket drops what it sends before the subscriptions it serves have reached it, and a
 * service's PUB drops an answer before our SUB's subscription has travelled to it through the hub. So the first
 * request is repeated until its answer comes (bounded); once one has come, the paths it needed are established.
 */
async function untilAnswered(what: string, sendOnce: () => Promise<void>, pred: (r: Received) => boolean, timeoutMs = 5000): Promise<Received> {
  const from = inbox.length;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sendOnce();
    try {
      return await next(pred, 200, from);
    } catch {
      if (Date.now() > deadline) throw new Error(`no answer to ${what} within ${timeoutMs} ms`);
    }
  }
}

const isUpdate = (target: string, source: string, name: string) => (r: Received) =>
  r.topic === JSON.stringify({ Type: 'Update', Target: target, Source: source, Name: name });

const getTopic = (target: string, name: string) => JSON.stringify({ Type: 'Get', Target: target, Name: name, RespondTo: RAW });

beforeAll(async () => {
  cluster = await startCluster({ fabric: 'zmq' });
  await cluster.client('STAGE-A');
  probe = await cluster.probe();
  await probe.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  workspace = (await until('the client creates its workspace', () => probe.ok<{ Workspace: string }>(CLIENT, 'CreateWorkspace', { Repository: REPO, Branch: 'Main' }))).Workspace;
  // A workspace is in the client's State once it has an AutoPull setting of its own: give it one to toggle.
  await probe.set(CLIENT, ['State', 'Workspaces', workspace, 'AutoPull'], false);

  const hub = cluster.hub;
  if (hub.fabric !== 'zmq') throw new Error('expected a ZeroMQ hub');
  sub = new zmq.Subscriber({ linger: 0 });
  sub.connect(`tcp://127.0.0.1:${hub.subPort}`);
  // The answer the first Get waits for is subscribed last: subscriptions travel in order, so once that answer has
  // come from a service, the service's PUB socket has the earlier subscriptions too.
  sub.subscribe('{"Type":"Update","Target":"BROADCAST"', `{"Type":"CallResult","Target":"${RAW}"`, `{"Type":"Update","Target":"${RAW}"`);
  pub = new zmq.Publisher({ linger: 0 });
  pub.connect(`tcp://127.0.0.1:${hub.pubPort}`);
  void (async () => {
    const text = new TextDecoder();
    try {
      for await (const parts of sub) {
        const r: Received = { topic: text.decode(parts[0]), message: parts[1] ? text.decode(parts[1]) : '', parts: parts.length };
        inbox.push(r);
        waiters = waiters.filter((w) => {
          if (!w.pred(r)) return true;
          w.resolve(r);
          return false;
        });
      }
    } catch {
      // The socket was closed.
    }
  })();
}, 60_000);

afterAll(async () => {
  sub?.close();
  pub?.close();
  await cluster?.close();
});

it('Get, Set and Call in raw ZeroMQ multipart, keys in the canonical order, are answered as documented', async () => {
  const wireKey = workspace.replaceAll('.', '[dot]');
  expect(wireKey).not.toBe(workspace);

  // (a) Get the client's State (and the server's, so that both services' PUB sockets are known to have our
  // subscriptions before anything is sent only once).
  const clientState = await untilAnswered('Get State of the client', () => send(getTopic(CLIENT, 'State'), '{}'), isUpdate(RAW, CLIENT, 'State'));
  await untilAnswered('Get State of the server', () => send(getTopic(SERVER_NAME, 'State'), '{}'), isUpdate(RAW, SERVER_NAME, 'State'));
  expect(clientState.parts).toBe(2);
  // Map keys containing '.' are written with `[dot]` on the wire.
  expect(clientState.message).toContain('[dot]');
  expect(JSON.parse(clientState.message)).toEqual({ Value: { Workspaces: { [wireKey]: { AutoPull: false } } } });

  // (b) Set one AutoPull by its dotted path: the client broadcasts its State with the change.
  let from = inbox.length;
  await send(JSON.stringify({ Type: 'Set', Target: CLIENT, Name: `State.Workspaces.${wireKey}.AutoPull` }), JSON.stringify({ Value: true }));
  const broadcast = await next((r) => isUpdate('BROADCAST', CLIENT, 'State')(r) && JSON.parse(r.message).Value?.Workspaces?.[wireKey]?.AutoPull === true, 5000, from);
  expect(JSON.parse(broadcast.message)).toEqual({ Value: { Workspaces: { [wireKey]: { AutoPull: true } } } });
  // The project's own peer reads the same, decoded.
  expect(await probe.get(CLIENT, ['State'])).toEqual({ Workspaces: { [workspace]: { AutoPull: true } } });

  // (c) Call Health on the server: the CallResult comes to RAW-Tool, its topic canonical, its message {"Result":{}}.
  from = inbox.length;
  await send(JSON.stringify({ Type: 'Call', Target: SERVER_NAME, RespondTo: RAW, Method: 'Health', ID: 'raw-1' }), JSON.stringify({ Params: {} }));
  const result = await next((r) => r.topic.startsWith(`{"Type":"CallResult","Target":"${RAW}"`) && r.topic.includes('"ID":"raw-1"'), 5000, from);
  expect(result.topic).toBe(JSON.stringify({ Type: 'CallResult', Target: RAW, ExecutedOn: SERVER_NAME, Method: 'Health', ID: 'raw-1' }));
  expect(JSON.parse(result.message)).toEqual({ Result: {} });
}, 30_000);

// What the spec allows about key order, and what is true on ZeroMQ:
// - A sender must write the topic canonically, because delivery is by byte prefix: each service subscribes to
//   `{"Type":"Get","Target":"<service>"` (and the like), so a topic that does not start with Type then Target never
//   reaches it. The hub does not reorder anything (libzmq's proxy forwards bytes).
// - On receipt any key order is accepted: past the subscribed prefix, the rest of the topic (Name, RespondTo, Method,
//   ID…) may come in any order, unknown keys are ignored, and the message part's keys may come in any order too.
it('accepts any key order past the subscribed prefix, and in the message; a topic not starting with Type, Target is never delivered', async () => {
  // A Get with RespondTo before Name (and an unknown key) still starts with the service's prefix: it is answered.
  const wi = await untilAnswered(
    'a Get with its keys in another order',
    () => send(JSON.stringify({ Type: 'Get', Target: CLIENT, RespondTo: RAW, Via: 'raw', Name: 'WorkspaceInfo' }), '{}'),
    isUpdate(RAW, CLIENT, 'WorkspaceInfo'),
  );
  expect(JSON.parse(wi.message).Value.Workspaces[workspace.replaceAll('.', '[dot]')]).toBeTruthy();

  // A Call whose topic tail is in reverse order, whose message has an unknown key written before Params.
  let from = inbox.length;
  await send(`{"Type":"Call","Target":"${SERVER_NAME}","ID":"raw-2","Method":"Health","RespondTo":"${RAW}"}`, '{"Extra":{"b":1,"a":[2]},"Params":{}}');
  const result = await next((r) => r.topic.includes('"ID":"raw-2"'), 5000, from);
  // The answer is canonical whatever order the request had.
  expect(result.topic).toBe(JSON.stringify({ Type: 'CallResult', Target: RAW, ExecutedOn: SERVER_NAME, Method: 'Health', ID: 'raw-2' }));
  expect(JSON.parse(result.message)).toEqual({ Result: {} });

  // A Set whose message has its Value after another key, with an unknown key inside the topic after Target.
  const wireKey = workspace.replaceAll('.', '[dot]');
  from = inbox.length;
  await send(`{"Type":"Set","Target":"${CLIENT}","Note":"raw","Name":"State.Workspaces.${wireKey}.AutoPull"}`, '{"Comment":"off again","Value":false}');
  await next((r) => isUpdate('BROADCAST', CLIENT, 'State')(r) && JSON.parse(r.message).Value?.Workspaces?.[wireKey]?.AutoPull === false, 5000, from);

  // A Get whose topic starts with RespondTo does not match the client's prefix: it is never delivered. The client
  // answers the Gets it receives in order and the hub keeps one publisher's order, so once the canonical Get sent
  // after it is answered, the first one would have been answered before if it had arrived.
  from = inbox.length;
  await send(JSON.stringify({ RespondTo: RAW, Type: 'Get', Target: CLIENT, Name: 'PersistentState' }), '{}');
  await send(getTopic(CLIENT, 'AssetInfo'), '{}');
  await next(isUpdate(RAW, CLIENT, 'AssetInfo'), 5000, from);
  expect(inbox.slice(from).filter(isUpdate(RAW, CLIENT, 'PersistentState'))).toEqual([]);
}, 30_000);
