// The engine's demo receiver commands (demoReceiverRule, setDemoReceiverRule) against a real demo receiver started on
// a free port, through dispatchCommand as a renderer's command goes: the rule read is the receiver's own, healing and
// breaking it again change the receiver's rule, and every way it can go wrong is an error with a code and a reason.
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_RECEIVER_RULE } from '../../shared/assethub/demo-receiver.ts';
import { NO_HOST_INFO } from '../../shared/panel/api.ts';
import { silentLogger } from '../../services/lib/log.ts';
import { startReceiver, type RunningReceiver } from '../../services/receiver/receiver.ts';
import { createPanelEngine, dispatchCommand, type PanelEngine } from './index.ts';
import type { PanelHost } from './host-commands.ts';

let receiver: RunningReceiver;
const engines: PanelEngine[] = [];

/** An engine whose host started a receiver at `admin` (null: the panel is on a hub it did not start). */
function engineWith(admin: string | null | undefined): PanelEngine {
  const engine = createPanelEngine({ panelName: 'TEST-AssetHubPanel-0001' });
  engines.push(engine);
  if (admin === undefined) return engine;
  const host: PanelHost = {
    info: () => NO_HOST_INFO,
    choose: async () => {},
    openDataFolder: async () => {},
    openWorkspaceFolder: async () => {},
    demoReceiverAdmin: () => admin,
  };
  engine.attachHost(host);
  return engine;
}

const command = (engine: PanelEngine, name: string, args: unknown = {}) => dispatchCommand(engine, 1, name, args);
const adminGet = async (base: string): Promise<unknown> => (await fetch(`${base}/admin/rule`)).json();

beforeAll(async () => {
  receiver = await startReceiver({ port: 0, secret: 'demo-heal-secret', rule: DEMO_RECEIVER_RULE, logger: silentLogger() });
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  receiver.setRule(DEMO_RECEIVER_RULE);
});
afterAll(async () => {
  await receiver?.close();
});

describe('the demo receiver commands', () => {
  it('reads the receiver’s own rule', async () => {
    const engine = engineWith(receiver.baseUrl);
    expect(await command(engine, 'demoReceiverRule')).toEqual({ id: 1, ok: true, result: { rule: DEMO_RECEIVER_RULE } });
    receiver.setRule({ mode: ['status500', 'timeout'], failUris: '/^FileSystem:\\/Content\\//', rate: 0.5 });
    expect(await command(engine, 'demoReceiverRule')).toEqual({ id: 1, ok: true, result: { rule: receiver.rule() } });
  });

  it('heals it (no rule), then breaks it again (the demo rule), as the receiver itself then says', async () => {
    const engine = engineWith(receiver.baseUrl);
    expect(await command(engine, 'setDemoReceiverRule', { rule: 'none' })).toEqual({ id: 1, ok: true, result: { rule: null } });
    expect(receiver.rule()).toBeNull();
    expect(await adminGet(receiver.baseUrl)).toBeNull();
    expect(await command(engine, 'demoReceiverRule')).toEqual({ id: 1, ok: true, result: { rule: null } });

    expect(await command(engine, 'setDemoReceiverRule', { rule: 'demo' })).toEqual({ id: 1, ok: true, result: { rule: DEMO_RECEIVER_RULE } });
    expect(receiver.rule()).toEqual(DEMO_RECEIVER_RULE);
    expect(await adminGet(receiver.baseUrl)).toEqual(DEMO_RECEIVER_RULE);
  });

  it('takes no URL and no rule from the page: only none or demo', async () => {
    const engine = engineWith(receiver.baseUrl);
    const custom = await command(engine, 'setDemoReceiverRule', { rule: { mode: 'status500' } });
    expect(custom).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS' } });
    const url = await command(engine, 'demoReceiverRule', { url: 'http://127.0.0.1:1/admin/rule' });
    expect(url).toMatchObject({ ok: true, result: { rule: DEMO_RECEIVER_RULE } }); // the extra key is dropped, not used
    expect(receiver.rule()).toEqual(DEMO_RECEIVER_RULE);
  });

  it('is not offered when the host did not start the receiver (another hub), nor without a host', async () => {
    for (const engine of [engineWith(null), engineWith(undefined)]) {
      const read = await command(engine, 'demoReceiverRule');
      expect(read).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED', message: expect.stringContaining('no demo receiver') } });
      const heal = await command(engine, 'setDemoReceiverRule', { rule: 'none' });
      expect(heal).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    }
    expect(receiver.rule()).toEqual(DEMO_RECEIVER_RULE);
  });
});

describe('when the receiver does not answer as it should', () => {
  let fake: Server;
  let answer: { status: number; body: string } = { status: 200, body: 'null' };
  let base = '';
  beforeAll(async () => {
    fake = createServer((_req, res) => res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body));
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const address = fake.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  it('says why: its refusal, an answer that is no rule, a rule other than the one set, or no answer at all', async () => {
    const engine = engineWith(base);
    answer = { status: 403, body: JSON.stringify({ error: 'the admin endpoints answer loopback only' }) };
    expect(await command(engine, 'setDemoReceiverRule', { rule: 'none' })).toMatchObject({
      ok: false, error: { code: 'RECEIVER_REFUSED', message: 'the demo receiver refused to drop its rule (HTTP 403): the admin endpoints answer loopback only' },
    });
    answer = { status: 200, body: JSON.stringify({ mode: 'explode' }) };
    expect(await command(engine, 'demoReceiverRule')).toMatchObject({ ok: false, error: { code: 'INVALID_RESULT', message: expect.stringContaining('not a rule: mode') } });
    answer = { status: 200, body: 'not json' };
    expect(await command(engine, 'demoReceiverRule')).toMatchObject({ ok: false, error: { code: 'INVALID_RESULT' } });
    answer = { status: 200, body: JSON.stringify(DEMO_RECEIVER_RULE) };
    expect(await command(engine, 'setDemoReceiverRule', { rule: 'none' })).toMatchObject({
      ok: false, error: { code: 'RECEIVER_REFUSED', message: expect.stringContaining('did not take the rule') },
    });

    const gone = await startReceiver({ port: 0, secret: 's', logger: silentLogger() });
    await gone.close();
    const unreachable = await command(engineWith(gone.baseUrl), 'setDemoReceiverRule', { rule: 'none' });
    expect(unreachable).toMatchObject({ ok: false, error: { code: 'RECEIVER_UNREACHABLE', message: expect.stringContaining(`could not heal the demo receiver at ${gone.baseUrl}`) } });
  });
});
