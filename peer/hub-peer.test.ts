// The hub peer on a scripted transport and fake timers: when it counts as connected, what it holds until then, how it
// notices a hub that stopped answering or lost messages, its one backoff, and Get/Call correlation.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame, envelope, type Envelope } from '../shared/protocol/index.ts';
import { HubError } from './errors.ts';
import { HEARTBEAT_NAME } from './heartbeat.ts';
import { HubPeer, type HubPeerEvents, type PeerStatus } from './hub-peer.ts';
import type { Inbound, TransportEvents, TransportFactory } from './transport.ts';

const NAME = 'TEST-AssetHubPanel';

/** A hub played by the test: it sees what the peer sends, and routes the peer's heartbeats back unless told not to. */
function scriptedHub() {
  const hub = {
    connections: [] as TransportEvents[],
    sent: [] as Envelope[],
    subscribed: [] as string[],
    /** Heartbeats are routed back while true. */
    echo: true,
    /** How many of the next heartbeats to lose on the way back. */
    lose: 0,
    closed: 0,
    deliver(message: Envelope) {
      const text = encodeFrame(message);
      const inbound: Inbound = { envelope: message, bytes: text.length, body: () => JSON.stringify(message.message) };
      hub.connections.at(-1)?.onMessage(inbound);
    },
    factory: ((_options, events) => {
      hub.connections.push(events);
      queueMicrotask(() => events.onOpen());
      return {
        send(message) {
          if (message.topic.Type === 'Update' && message.topic.Name === HEARTBEAT_NAME) {
            if (hub.lose > 0) hub.lose--;
            else if (hub.echo) queueMicrotask(() => events === hub.connections.at(-1) && hub.deliver(message));
          } else hub.sent.push(message);
          return { bytes: 1, body: () => '' };
        },
        subscribe(prefixes) {
          hub.subscribed.push(...prefixes);
        },
        unsubscribe() {},
        sendRaw: () => false,
        close() {
          hub.closed++;
        },
      };
    }) as TransportFactory,
  };
  return hub;
}

let peers: HubPeer[] = [];
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  for (const p of peers) p.close();
  peers = [];
  vi.useRealTimers();
});

function start(events: HubPeerEvents = {}, options: Partial<ConstructorParameters<typeof HubPeer>[0]> = {}) {
  const hub = scriptedHub();
  const statuses: PeerStatus[] = [];
  const peer = new HubPeer(
    { name: NAME, transport: hub.factory, self: { Version: '1', Machine: 'm', StartedAt: 't' }, now: () => Date.now(), ...options },
    { ...events, onStatus: (s) => statuses.push(s) },
  );
  peers.push(peer);
  peer.connect('ws://hub.test:1');
  return { hub, peer, statuses };
}

const update = (source: string, name: string, value: unknown, target = 'BROADCAST') =>
  envelope<'Update'>({ Type: 'Update', Target: target, Source: source, Name: name }, { Value: value });

describe('the hub peer', () => {
  it('counts as connected only once its own round trip came back, and holds what came before until then', async () => {
    const seen: string[] = [];
    let upAt = -1;
    const { hub, peer, statuses } = start({ onMessage: (m) => seen.push(m.topic.Type), onUp: () => (upAt = seen.length) }, {});
    hub.echo = false;
    await vi.advanceTimersByTimeAsync(0);
    expect(peer.status.state).toBe('connecting');
    // A broadcast that beats the round trip (ZeroMQ's slow joiner) is held, not handed on.
    hub.deliver(update('AssetHubServer', 'State', {}));
    expect(seen).toEqual([]);
    expect(peer.send(update(NAME, 'X', 1))).toBe(false);
    hub.echo = true;
    await vi.advanceTimersByTimeAsync(150);
    expect(peer.status.state).toBe('connected');
    expect(upAt).toBe(0);
    expect(seen).toEqual(['Update']);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);
    // Its heartbeat is covered by no given prefix, so it subscribed to it itself.
    expect(hub.subscribed).toContain(`{"Type":"Update","Target":"${NAME}","Source":"${NAME}","Name":"${HEARTBEAT_NAME}"`);
  });

  it('fails an attempt no round trip answers, and retries with the one backoff', async () => {
    const { hub, peer } = start({}, { openTimeoutMs: 2000 });
    hub.echo = false;
    await vi.advanceTimersByTimeAsync(2100);
    expect(peer.status).toMatchObject({ state: 'reconnecting', attempt: 1, reason: expect.stringMatching(/no answer from the hub/) });
    expect((peer.status.retryAt ?? 0) - Date.now()).toBeLessThanOrEqual(250);
    await vi.advanceTimersByTimeAsync(300);
    expect(hub.connections).toHaveLength(2);
    hub.echo = true;
    await vi.advanceTimersByTimeAsync(200);
    expect(peer.status.state).toBe('connected');
  });

  it('notices a hub that stopped routing within lostAfterMs, fails what waits, and comes back', async () => {
    let downs = 0;
    const { hub, peer } = start({ onDown: () => downs++ }, { livenessMs: 1000, lostAfterMs: 3000 });
    await vi.advanceTimersByTimeAsync(100);
    expect(peer.status.state).toBe('connected');
    const pending = peer.get('AssetHubServer', ['State']).catch((e: unknown) => e);
    hub.echo = false;
    await vi.advanceTimersByTimeAsync(4100);
    expect(peer.status.state).toBe('reconnecting');
    expect(peer.status.reason).toMatch(/no heartbeat back from the hub/);
    expect(downs).toBe(1);
    expect(await pending).toMatchObject({ code: 'DISCONNECTED' });
    hub.echo = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(peer.status.state).toBe('connected');
  });

  it('reports a gap when a round trip never came back but later ones did', async () => {
    const gaps: string[] = [];
    const { hub, peer } = start({ onGap: (why) => gaps.push(why) }, { livenessMs: 1000 });
    await vi.advanceTimersByTimeAsync(100);
    expect(peer.status.state).toBe('connected');
    await vi.advanceTimersByTimeAsync(2000);
    expect(gaps).toEqual([]);
    // Anyone can write this topic: forged round trips (not this peer's nonce, or a number it never sent) are ignored.
    hub.deliver(update(NAME, HEARTBEAT_NAME, { Seq: 1e9, SentAt: 0, Nonce: 'forged' }, NAME));
    const sent = hub.connections.length;
    expect(sent).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(gaps).toEqual([]);
    hub.lose = 1;
    await vi.advanceTimersByTimeAsync(2000);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatch(/1 heartbeat\(s\) never came back/);
    expect(peer.status.state).toBe('connected');
  });

  it('does not retry what cannot be fixed by retrying', async () => {
    const { hub, peer } = start();
    await vi.advanceTimersByTimeAsync(100);
    hub.connections.at(-1)?.onClose('the hub refused the connection (HTTP 401): wrong or missing token', true);
    expect(peer.status).toMatchObject({ state: 'failed', reason: expect.stringMatching(/401/) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hub.connections).toHaveLength(1);
  });

  it('shares one Get among askers, answers Identify with its Self, and keeps a Call Failure as the service sent it', async () => {
    const { hub, peer } = start({}, { requestTimeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(100);
    const a = peer.get('STAGE-A-AssetHubClient', ['State', 'Workspaces']);
    const b = peer.get('STAGE-A-AssetHubClient', ['State', 'Workspaces']);
    expect(hub.sent.filter((m) => m.topic.Type === 'Get')).toHaveLength(1);
    hub.deliver(update('STAGE-A-AssetHubClient', 'State.Workspaces', { '/srv/a[dot]b': { AutoPull: true } }, NAME));
    expect(await a).toEqual({ '/srv/a.b': { AutoPull: true } });
    expect(await b).toBe(await a);

    hub.deliver(envelope<'Identify'>({ Type: 'Identify', Source: 'OTHER-AssetHubPanel' }, {}));
    expect(hub.sent.find((m) => m.topic.Type === 'Self')).toEqual(
      envelope<'Self'>({ Type: 'Self', Target: 'OTHER-AssetHubPanel', Source: NAME }, { Value: { Version: '1', Machine: 'm', StartedAt: 't' } }),
    );

    const call = peer.call('AssetHubServer', 'CreateRepository', { Name: 'X' }).catch((e: unknown) => e);
    const sent = hub.sent.find((m) => m.topic.Type === 'Call');
    if (sent?.topic.Type !== 'Call') throw new Error('no Call went out');
    hub.deliver(envelope<'CallResult'>(
      { Type: 'CallResult', Target: NAME, ExecutedOn: 'AssetHubServer', Method: 'CreateRepository', ID: sent.topic.ID },
      { Failure: { Code: 'REPOSITORY_ALREADY_EXISTS', Message: 'exists' } },
    ));
    const failure = await call;
    expect(failure).toBeInstanceOf(HubError);
    expect(failure).toMatchObject({ code: 'REPOSITORY_ALREADY_EXISTS', fromService: true });

    const late = peer.get('AssetHubServer', ['Nothing']).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1100);
    expect(await late).toMatchObject({ code: 'TIMEOUT', fromService: false });
  });
});
