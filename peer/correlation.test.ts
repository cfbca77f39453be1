// Get → Update and Call → CallResult correlation on its own, with fake timers: what answers a request and what does
// not (a late answer, a second answer, an answer from another peer or for another method), and the time limit.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallResultTopic, Envelope, MessageBodies } from '../shared/protocol/index.ts';
import { Correlation } from './correlation.ts';
import { HubError } from './errors.ts';

const ME = 'TEST-AssetHubPanel';
const SERVER = 'AssetHubServer';
const CLIENT = 'STAGE-A-AssetHubClient';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function setup(options: { connected?: boolean; timeoutMs?: number } = {}) {
  const sent: Envelope[] = [];
  const correlation = new Correlation({
    name: ME,
    timeoutMs: options.timeoutMs ?? 1000,
    send: (message) => {
      if (options.connected === false) return false;
      sent.push(message);
      return true;
    },
    decode: (path, wireValue) => ({ decoded: path.join('.'), wireValue }),
  });
  /** The Call sent last: what its answer must name. */
  const lastCall = (): { target: string; method: string; id: string } => {
    const call = sent.filter((m) => m.topic.Type === 'Call').at(-1);
    if (call?.topic.Type !== 'Call') throw new Error('no Call sent');
    return { target: call.topic.Target, method: call.topic.Method, id: call.topic.ID };
  };
  const answer = (topic: Pick<CallResultTopic, 'ExecutedOn' | 'Method' | 'ID'>, body: MessageBodies['CallResult']) => correlation.onCallResult(topic, body);
  return { correlation, sent, lastCall, answer };
}

/** What the promise ended with, or 'pending' while it has not, once the microtasks queued so far have run. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  let settled: unknown = 'pending';
  promise.then((value) => void (settled = { resolved: value }), (error: unknown) => void (settled = { rejected: error }));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return settled;
}

describe('Get → Update', () => {
  it('is answered by the Update from its target with its Name, decoded; concurrent Gets of one value share it', async () => {
    const { correlation, sent } = setup();
    const a = correlation.get(CLIENT, ['State', 'Workspaces']);
    const b = correlation.get(CLIENT, ['State', 'Workspaces']);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.topic).toEqual({ Type: 'Get', Target: CLIENT, Name: 'State.Workspaces', RespondTo: ME });
    expect(correlation.pending).toBe(1);
    correlation.onReply(CLIENT, 'State.Workspaces', { x: 1 });
    await expect(a).resolves.toEqual({ decoded: 'State.Workspaces', wireValue: { x: 1 } });
    expect(await b).toBe(await a);
    expect(correlation.pending).toBe(0);
  });

  it('an Update from another peer, or of another Name, answers nothing', async () => {
    const { correlation } = setup();
    const get = correlation.get(CLIENT, ['State']);
    correlation.onReply('STAGE-B-AssetHubClient', 'State', 'not yours');
    correlation.onReply(CLIENT, 'WorkspaceInfo', 'not this value');
    correlation.onReply(CLIENT, 'State.Workspaces', 'below it');
    expect(await outcome(get)).toBe('pending');
    correlation.onReply(CLIENT, 'State', 'yours');
    await expect(get).resolves.toMatchObject({ wireValue: 'yours' });
  });

  it('a second answer answers nothing: the next Get asks again', async () => {
    const { correlation, sent } = setup();
    const get = correlation.get(SERVER, ['State']);
    correlation.onReply(SERVER, 'State', 1);
    correlation.onReply(SERVER, 'State', 2);
    await expect(get).resolves.toMatchObject({ wireValue: 1 });
    expect(correlation.pending).toBe(0);
    const again = correlation.get(SERVER, ['State']);
    expect(sent).toHaveLength(2);
    correlation.onReply(SERVER, 'State', 3);
    await expect(again).resolves.toMatchObject({ wireValue: 3 });
  });

  it('times out with TIMEOUT; the answer that comes later answers nothing', async () => {
    const { correlation } = setup({ timeoutMs: 1000 });
    const get = correlation.get(SERVER, ['State']).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(await outcome(get)).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    const error = await get;
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: 'TIMEOUT', fromService: false, message: `${SERVER} did not answer Get State within 1000 ms` });
    expect(correlation.pending).toBe(0);
    expect(() => correlation.onReply(SERVER, 'State', 'late')).not.toThrow();
    expect(correlation.pending).toBe(0);
  });

  it('takes its own time limit when given one', async () => {
    const { correlation } = setup({ timeoutMs: 10_000 });
    const get = correlation.get(SERVER, ['State'], 50).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(await get).toMatchObject({ code: 'TIMEOUT' });
  });

  it('fails at once with NOT_CONNECTED when it cannot be sent, and keeps nothing pending', async () => {
    const { correlation } = setup({ connected: false });
    await expect(correlation.get(SERVER, ['State'])).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    expect(correlation.pending).toBe(0);
  });
});

describe('Call → CallResult', () => {
  it('is answered by the CallResult with its ID, from its target, for its method', async () => {
    const { correlation, sent, lastCall, answer } = setup();
    const call = correlation.call(SERVER, 'Health', { A: 1 });
    expect(sent[0]?.topic).toMatchObject({ Type: 'Call', Target: SERVER, RespondTo: ME, Method: 'Health' });
    expect(sent[0]?.message).toEqual({ Params: { A: 1 } });
    const { id } = lastCall();
    expect(answer({ ExecutedOn: SERVER, Method: 'Health', ID: id }, { Result: { ok: true } })).toBe(true);
    await expect(call).resolves.toEqual({ ok: true });
    expect(correlation.pending).toBe(0);
  });

  it('gives every Call its own ID, and each answer settles only its own', async () => {
    const { correlation, sent, answer } = setup();
    const first = correlation.call(SERVER, 'Health', {});
    const second = correlation.call(SERVER, 'Health', {});
    const [a, b] = sent.map((m) => (m.topic.Type === 'Call' ? m.topic.ID : ''));
    expect(a).not.toBe(b);
    answer({ ExecutedOn: SERVER, Method: 'Health', ID: b as string }, { Result: 'second' });
    expect(await outcome(first)).toBe('pending');
    await expect(second).resolves.toBe('second');
    answer({ ExecutedOn: SERVER, Method: 'Health', ID: a as string }, { Result: 'first' });
    await expect(first).resolves.toBe('first');
  });

  it("keeps a Failure as the service sent it: its code, message and details", async () => {
    const { correlation, lastCall, answer } = setup();
    const call = correlation.call(SERVER, 'ImportAssets', {}).catch((e: unknown) => e);
    const errors = [{ Index: 0, Field: 'id', Message: 'missing' }];
    answer({ ExecutedOn: SERVER, Method: 'ImportAssets', ID: lastCall().id }, { Failure: { Code: 'UNPROCESSABLE', Message: 'bad', Errors: errors } });
    const error = await call;
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: 'UNPROCESSABLE', message: 'bad', details: errors, fromService: true });
  });

  it('a second answer answers nothing: the first one stands', async () => {
    const { correlation, lastCall, answer } = setup();
    const call = correlation.call(SERVER, 'Health', {});
    const { id } = lastCall();
    expect(answer({ ExecutedOn: SERVER, Method: 'Health', ID: id }, { Result: 'first' })).toBe(true);
    expect(answer({ ExecutedOn: SERVER, Method: 'Health', ID: id }, { Failure: { Code: 'LATE', Message: 'second' } })).toBe(false);
    await expect(call).resolves.toBe('first');
  });

  it('an answer from another peer, or for another method, answers nothing: the Call waits for its own', async () => {
    const { correlation, lastCall, answer } = setup();
    const call = correlation.call(SERVER, 'Health', {});
    const { id } = lastCall();
    expect(answer({ ExecutedOn: CLIENT, Method: 'Health', ID: id }, { Result: 'impostor' })).toBe(false);
    expect(answer({ ExecutedOn: SERVER, Method: 'CreateRepository', ID: id }, { Result: 'other method' })).toBe(false);
    expect(answer({ ExecutedOn: SERVER, Method: 'Health', ID: 'another-id' }, { Result: 'unknown id' })).toBe(false);
    expect(await outcome(call)).toBe('pending');
    expect(correlation.pending).toBe(1);
    expect(answer({ ExecutedOn: SERVER, Method: 'Health', ID: id }, { Result: 'real' })).toBe(true);
    await expect(call).resolves.toBe('real');
  });

  it('times out with TIMEOUT; the answer that comes later answers nothing', async () => {
    const { correlation, lastCall, answer } = setup({ timeoutMs: 5000 });
    const call = correlation.call(CLIENT, 'Pull', {}).catch((e: unknown) => e);
    const { id } = lastCall();
    await vi.advanceTimersByTimeAsync(4999);
    expect(await outcome(call)).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toMatchObject({ code: 'TIMEOUT', fromService: false, message: `${CLIENT} did not answer Pull within 5000 ms` });
    expect(answer({ ExecutedOn: CLIENT, Method: 'Pull', ID: id }, { Result: 'late' })).toBe(false);
    expect(correlation.pending).toBe(0);
  });

  it('takes its own time limit when given one', async () => {
    const { correlation } = setup({ timeoutMs: 10_000 });
    const call = correlation.call(SERVER, 'Health', {}, 20).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(20);
    expect(await call).toMatchObject({ code: 'TIMEOUT' });
  });

  it('fails at once with NOT_CONNECTED when it cannot be sent, and keeps nothing pending', async () => {
    const { correlation } = setup({ connected: false });
    await expect(correlation.call(SERVER, 'Health', {})).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    expect(correlation.pending).toBe(0);
  });
});

describe('failAll', () => {
  it('fails every pending Get and Call with the code given; answers after it answer nothing', async () => {
    const { correlation, lastCall, answer } = setup();
    const get = correlation.get(SERVER, ['State']).catch((e: unknown) => e);
    const call = correlation.call(SERVER, 'Health', {}).catch((e: unknown) => e);
    const { id } = lastCall();
    correlation.failAll('DISCONNECTED', 'the hub connection ended');
    expect(await get).toMatchObject({ code: 'DISCONNECTED', message: 'the hub connection ended' });
    expect(await call).toMatchObject({ code: 'DISCONNECTED' });
    expect(correlation.pending).toBe(0);
    expect(answer({ ExecutedOn: SERVER, Method: 'Health', ID: id }, { Result: 'late' })).toBe(false);
    correlation.onReply(SERVER, 'State', 'late');
    // Their timers were stopped with them: nothing fires later.
    expect(vi.getTimerCount()).toBe(0);
  });
});
