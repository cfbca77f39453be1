import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EVENTS, NO_HOST_INFO, type CommandResponse, type EventData, type EventName } from '../../shared/panel/api.ts';
import { createBridge, LOG_DROP_BYTES, type Bridge } from './bridge.ts';
import { checkUpgrade, createSessionToken, sessionUrl, tokenMatches } from './session.ts';

const TOKEN = createSessionToken();

function fakeEngine() {
  const listeners = new Map<EventName, Set<(data: never) => void>>();
  return {
    on<E extends EventName>(event: E, listener: (data: EventData<E>) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(listener as (data: never) => void);
      return () => listeners.get(event)?.delete(listener as (data: never) => void);
    },
    emit<E extends EventName>(event: E, data: EventData<E>) {
      for (const l of listeners.get(event) ?? []) (l as (d: EventData<E>) => void)(data);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

let server: Server | null = null;
let bridge: Bridge | null = null;
afterEach(async () => {
  bridge?.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = bridge = null;
});

async function start(dispatch: (id: number, command: string, args: unknown) => Promise<CommandResponse>) {
  const engine = fakeEngine();
  let port = 0;
  bridge = createBridge({ events: engine, dispatch, token: TOKEN, port: () => port });
  server = createServer((_req, res) => res.end());
  const b = bridge;
  server.on('upgrade', (req, socket, head) => b.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
  return { engine, port };
}

function open(port: number, token = TOKEN, origin = `http://127.0.0.1:${port}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge`, ['assethub-panel.v1', `token.${token}`], { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

const nextMessage = (ws: WebSocket): Promise<Record<string, unknown>> =>
  new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>)));

describe('session checks', () => {
  it('compares tokens in constant time and builds the URL with the token in the fragment', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches(null, TOKEN)).toBe(false);
    expect(sessionUrl(8080, 'abc')).toBe('http://127.0.0.1:8080/#token=abc');
    expect(TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('decides upgrades: path, Origin, Host, token', () => {
    const headers = { origin: 'http://127.0.0.1:5', host: '127.0.0.1:5', 'sec-websocket-protocol': `assethub-panel.v1, token.${TOKEN}` };
    expect(checkUpgrade('/bridge', headers, 5, TOKEN)).toEqual({ ok: true });
    expect(checkUpgrade('/x', headers, 5, TOKEN)).toMatchObject({ status: 404 });
    expect(checkUpgrade('/bridge', { ...headers, origin: 'http://localhost:5' }, 5, TOKEN)).toMatchObject({ status: 403 });
    expect(checkUpgrade('/bridge', { ...headers, host: 'evil.example:5' }, 5, TOKEN)).toMatchObject({ status: 403 });
    expect(checkUpgrade('/bridge', { ...headers, 'sec-websocket-protocol': 'assethub-panel.v1' }, 5, TOKEN)).toMatchObject({ status: 401 });
    expect(checkUpgrade('/bridge', { ...headers, 'sec-websocket-protocol': `token.${TOKEN}` }, 5, TOKEN)).toMatchObject({ status: 401 });
  });
});

describe('bridge', () => {
  it('answers commands through dispatch, and malformed messages with errors, without closing', async () => {
    const { port } = await start(async (id, command) =>
      command === 'hello' ? { id, ok: true, result: { fine: true } } : { id, ok: false, error: { code: 'UNKNOWN_COMMAND', message: command } },
    );
    const ws = await open(port);
    expect(ws.protocol).toBe('assethub-panel.v1');
    ws.send(JSON.stringify({ id: 1, command: 'hello', args: {} }));
    expect(await nextMessage(ws)).toEqual({ id: 1, ok: true, result: { fine: true } });
    for (const [text, id] of [['{', -1], ['[]', -1], ['{"id":4,"command":5,"args":{}}', 4], ['{"id":-3,"command":"x","args":{}}', -1]] as const) {
      ws.send(text);
      expect(await nextMessage(ws)).toMatchObject({ id, ok: false, error: { code: 'BAD_REQUEST' } });
    }
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await nextMessage(ws)).toMatchObject({ id: -1, ok: false, error: { code: 'BAD_REQUEST' } });
    ws.send(JSON.stringify({ id: 2, command: 'hello', args: {} }));
    expect(await nextMessage(ws)).toMatchObject({ id: 2, ok: true });
    ws.close();
  });

  it('turns a dispatch that throws into an INTERNAL error', async () => {
    const { port } = await start(() => {
      throw new Error('boom');
    });
    const ws = await open(port);
    ws.send(JSON.stringify({ id: 3, command: 'hello', args: {} }));
    expect(await nextMessage(ws)).toEqual({ id: 3, ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    ws.close();
  });

  it('refuses a wrong token and a foreign origin with HTTP status codes', async () => {
    const { port } = await start(async (id) => ({ id, ok: true, result: {} }));
    await expect(open(port, 'x'.repeat(43))).rejects.toThrow('HTTP 401');
    await expect(open(port, TOKEN, 'http://evil.example')).rejects.toThrow('HTTP 403');
  });

  /** What the engine answers a `watchLog`: its arguments' choice. */
  const echoWatch = async (id: number, command: string, args: unknown): Promise<CommandResponse> => ({ id, ok: true, result: command === 'watchLog' ? args : {} });
  const watchLog = async (ws: WebSocket, id: number, on: boolean) => {
    const answer = new Promise((resolve) => {
      const onMessage = (d: WebSocket.RawData) => {
        const m = JSON.parse(d.toString()) as { id?: number };
        if (m.id !== id) return;
        ws.off('message', onMessage);
        resolve(m);
      };
      ws.on('message', onMessage);
    });
    ws.send(JSON.stringify({ id, command: 'watchLog', args: { on } }));
    expect(await answer).toEqual({ id, ok: true, result: { on } });
  };

  it('sends log events only to the sockets whose page watches the log', async () => {
    const { engine, port } = await start(echoWatch);
    const watching = await open(port);
    const other = await open(port);
    const seen = (ws: WebSocket) => {
      const events: string[] = [];
      ws.on('message', (d) => events.push(JSON.parse(d.toString()).event ?? 'answer'));
      return events;
    };
    await watchLog(watching, 1, true);
    const [a, b] = [seen(watching), seen(other)];
    const entry = { seq: 1, time: 0, direction: 'in' as const, topic: null, size: 2, body: '{}', truncated: false };
    engine.emit('log', { entries: [entry] });
    engine.emit('patches', { seq: 1, patches: [] });
    await watchLog(watching, 2, false);
    engine.emit('log', { entries: [{ ...entry, seq: 2 }] });
    engine.emit('patches', { seq: 2, patches: [] });
    await new Promise((r) => setTimeout(r, 100));
    expect(a).toEqual(['log', 'patches', 'answer', 'patches']);
    expect(b).toEqual(['patches', 'patches']);
    watching.close();
    other.close();
  });

  it('forwards events to every socket and drops log events for a socket that does not read', async () => {
    const { engine, port } = await start(echoWatch);
    const reader = await open(port);
    const stalled = await open(port);
    await watchLog(reader, 1, true);
    await watchLog(stalled, 1, true);
    const received: string[] = [];
    reader.on('message', (d) => received.push(JSON.parse(d.toString()).event));
    // The stalled page stops reading: its socket's queue grows on the host.
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    await new Promise((r) => setTimeout(r, 50));
    const body = 'x'.repeat(60_000);
    const entry = { seq: 0, time: 0, direction: 'in' as const, topic: null, size: body.length, body, truncated: false };
    // At the engine's pace (batches, not one burst), so that the reading page keeps up.
    for (let i = 0; i < 200; i++) {
      engine.emit('log', { entries: [{ ...entry, seq: i }] });
      await new Promise((r) => setTimeout(r, 2));
    }
    engine.emit('host', NO_HOST_INFO);
    engine.emit('patches', { seq: 1, patches: [] });
    await new Promise((r) => setTimeout(r, 300));
    expect(bridge?.droppedLogEvents).toBeGreaterThan(0);
    expect(200 * body.length).toBeGreaterThan(LOG_DROP_BYTES);
    expect(received.filter((e) => e === 'log')).toHaveLength(200);
    // Every kind of event reaches the page, the host's too.
    expect(received.slice(-2)).toEqual(['host', 'patches']);
    reader.close();
    stalled.terminate();
  });

  it('unsubscribes from the engine when closed', async () => {
    const { engine } = await start(async (id) => ({ id, ok: true, result: {} }));
    expect(engine.listenerCount()).toBe(Object.keys(EVENTS).length);
    bridge?.close();
    expect(engine.listenerCount()).toBe(0);
  });
});
