import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NO_HOST_INFO, type Snapshot } from '../../../shared/panel/api.ts';
import { BridgeClient, bridgeUrl, tokenFromHash, type SocketLike, type TransportState } from './bridge.ts';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  onmessage: SocketLike['onmessage'] = null;
  constructor(readonly url: string, readonly protocols: string[]) {}
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  receive(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  lastRequest(): { id: number; command: string; args: unknown } {
    return JSON.parse(this.sent.at(-1) ?? 'null');
  }
}

const SNAPSHOT: Snapshot = { connection: { state: 'connected', hubUrl: 'ws://h:1', panelName: 'P', since: 1 }, host: NO_HOST_INFO, services: [], states: {}, operations: [], seq: 3 };

function client(timeoutMs = 1_000) {
  const sockets: FakeSocket[] = [];
  const bridge = new BridgeClient({
    url: 'ws://127.0.0.1:9/bridge',
    token: 'T'.repeat(43),
    requestTimeoutMs: timeoutMs,
    random: () => 0,
    createSocket: (url, protocols) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      return s;
    },
  });
  const states: TransportState['state'][] = [];
  bridge.onTransport((t) => states.push(t.state));
  return { bridge, sockets, states };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('bridge client', () => {
  it('reads the token from the fragment and builds the bridge URL', () => {
    expect(tokenFromHash('#token=abcdefghijklmnop_-12')).toBe('abcdefghijklmnop_-12');
    expect(tokenFromHash('#token=short')).toBeNull();
    expect(tokenFromHash('#token=has%20space%20in%20it%20xx')).toBeNull();
    expect(tokenFromHash('')).toBeNull();
    expect(bridgeUrl({ protocol: 'http:', host: '127.0.0.1:5' })).toBe('ws://127.0.0.1:5/bridge');
    expect(bridgeUrl({ protocol: 'https:', host: 'x' })).toBe('wss://x/bridge');
  });

  it('offers the token as a subprotocol, queues commands until open and validates the result', async () => {
    const { bridge, sockets } = client();
    bridge.start();
    const socket = sockets[0]!;
    expect(socket.protocols).toEqual(['assethub-panel.v1', `token.${'T'.repeat(43)}`]);
    const hello = bridge.invoke('hello', {});
    expect(socket.sent).toEqual([]);
    socket.open();
    const request = socket.lastRequest();
    expect(request).toMatchObject({ command: 'hello', args: {} });
    socket.receive({ id: request.id, ok: true, result: SNAPSHOT });
    await expect(hello).resolves.toEqual(SNAPSHOT);

    const bad = bridge.invoke('hello', {});
    socket.receive({ id: socket.lastRequest().id, ok: true, result: { nope: 1 } });
    await expect(bad).rejects.toMatchObject({ code: 'BAD_RESULT' });

    const refused = bridge.invoke('get', { service: 'S', path: ['State'] });
    socket.receive({ id: socket.lastRequest().id, ok: false, error: { code: 'TIMEOUT', message: 'no answer' } });
    await expect(refused).rejects.toMatchObject({ code: 'TIMEOUT', message: 'no answer' });
  });

  it('times out a command that gets no answer', async () => {
    const { bridge, sockets } = client(500);
    bridge.start();
    sockets[0]!.open();
    const pending = bridge.invoke('hello', {});
    vi.advanceTimersByTime(600);
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('delivers valid events and drops invalid ones', () => {
    const { bridge, sockets } = client();
    bridge.start();
    const socket = sockets[0]!;
    socket.open();
    const seen: unknown[] = [];
    bridge.on('patches', (d) => seen.push(d));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    socket.receive({ event: 'patches', data: { seq: 1, patches: [] } });
    socket.receive({ event: 'patches', data: { seq: 'x' } });
    socket.receive({ event: 'nope', data: {} });
    socket.receive('not json');
    expect(seen).toEqual([{ seq: 1, patches: [] }]);
    expect(warn).toHaveBeenCalledTimes(3);
    warn.mockRestore();
  });

  it('reconnects with backoff after a drop, failing the commands in flight', async () => {
    const { bridge, sockets, states } = client();
    bridge.start();
    sockets[0]!.open();
    const inFlight = bridge.invoke('hello', {});
    sockets[0]!.drop();
    await expect(inFlight).rejects.toMatchObject({ code: 'BRIDGE_CLOSED' });
    expect(bridge.transport.state).toBe('waiting');
    const queued = bridge.invoke('disconnect', {});
    vi.advanceTimersByTime(400);
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    expect(sockets[1]!.lastRequest()).toMatchObject({ command: 'disconnect' });
    sockets[1]!.receive({ id: sockets[1]!.lastRequest().id, ok: true, result: {} });
    await expect(queued).resolves.toEqual({});
    expect(states).toEqual(['connecting', 'open', 'waiting', 'connecting', 'open']);
    bridge.close();
    expect(bridge.transport.state).toBe('closed');
  });
});
