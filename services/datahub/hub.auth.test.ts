// Authentication on the upgrade request (401 before any WebSocket exists) and the refusal to bind off loopback
// without a token.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { envelope, topicPrefix } from '../../shared/protocol/index.ts';
import { silentLogger } from '../lib/log.ts';
import { assertSafeBinding, bearerMatches } from './auth.ts';
import { startHub, type Hub } from './hub.ts';
import { connectPeer, PeerRefusedError } from './testing/test-peer.ts';

const TOKEN = 's3cret-token-0123456789';
let hub: Hub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

interface UpgradeAnswer { status: number; upgraded: boolean; headers: Record<string, string | string[] | undefined> }

/** A bare HTTP upgrade request: what the server answers before any WebSocket code on the client side runs. */
function rawUpgrade(port: number, authorization?: string, origin?: string): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/',
      timeout: 5000,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        ...(authorization === undefined ? {} : { Authorization: authorization }),
        ...(origin === undefined ? {} : { Origin: origin }),
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, upgraded: false, headers: res.headers });
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, upgraded: true, headers: res.headers });
    });
    req.on('timeout', () => req.destroy(new Error('upgrade request timed out')));
    req.on('error', reject);
    req.end();
  });
}

function wsStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      clearTimeout(timer);
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('error', () => undefined);
  });
}

describe('token on the upgrade', () => {
  it('refuses a missing or wrong token with HTTP 401 before the upgrade', async () => {
    hub = await startHub({ port: 0, token: TOKEN, logger: silentLogger() });
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}X`, `Basic ${TOKEN}`, TOKEN]) {
      const answer = await rawUpgrade(hub.port, auth);
      expect(answer, String(auth)).toMatchObject({ status: 401, upgraded: false });
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
    expect(await wsStatus(hub.url, {})).toBe(401);
    expect(await wsStatus(hub.url, { Authorization: 'Bearer nope' })).toBe(401);
    await expect(connectPeer(hub.url, { token: 'nope' })).rejects.toBeInstanceOf(PeerRefusedError);
    expect(hub.stats().Peers).toBe(0);
  });

  it('accepts the right token and routes for it', async () => {
    hub = await startHub({ port: 0, token: TOKEN, logger: silentLogger() });
    expect(await rawUpgrade(hub.port, `Bearer ${TOKEN}`)).toMatchObject({ status: 101, upgraded: true });
    const a = await connectPeer(hub.url, { token: TOKEN });
    const b = await connectPeer(hub.url, { token: TOKEN });
    try {
      await b.subscribe([topicPrefix('Update', { Target: 'BROADCAST' })]);
      a.send(envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: a.name, Name: 'Hello' }, { Value: 1 }));
      const got = await b.next((m) => m.topic.Type === 'Update' && m.topic.Name === 'Hello');
      expect(got.message).toEqual({ Value: 1 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('needs no token on loopback when none is configured', async () => {
    hub = await startHub({ port: 0, logger: silentLogger() });
    expect(await rawUpgrade(hub.port)).toMatchObject({ status: 101, upgraded: true });
  });
});

describe('binding', () => {
  it('refuses to start on a non-loopback address without a token', async () => {
    await expect(startHub({ host: '0.0.0.0', port: 0, logger: silentLogger() })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without a token/);
    await expect(startHub({ host: '::', port: 0, token: '', logger: silentLogger() })).rejects.toThrow(/without a token/);
  });

  it('starts on a non-loopback address with a token', async () => {
    hub = await startHub({ host: '0.0.0.0', port: 0, token: TOKEN, logger: silentLogger() });
    expect(hub.url).toBe(`ws://0.0.0.0:${hub.port}`);
    expect(await rawUpgrade(hub.port)).toMatchObject({ status: 401 });
  });

  it('rejects when the port is taken, and leaves the first hub running', async () => {
    hub = await startHub({ port: 0, logger: silentLogger() });
    await expect(startHub({ port: hub.port, logger: silentLogger() })).rejects.toThrow(/EADDRINUSE/);
    expect(await rawUpgrade(hub.port)).toMatchObject({ status: 101 });
  });

  it('allows a loopback binding without a token and any binding with one', () => {
    expect(() => assertSafeBinding('127.0.0.1', undefined)).not.toThrow();
    expect(() => assertSafeBinding('10.0.0.1', 't')).not.toThrow();
  });

  it('compares bearer tokens exactly', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN} extra`, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN.toUpperCase()}`, TOKEN)).toBe(false);
  });
});

describe('web pages', () => {
  it('refuses an upgrade from a page of any origin not allowed (403), with or without a token; tools without Origin pass', async () => {
    hub = await startHub({ port: 0, logger: silentLogger(), allowOrigins: ['http://studio-tools:8080'] });
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:1', 'http://studio-tools:8080/']) {
      expect(await rawUpgrade(hub.port, undefined, origin), origin).toMatchObject({ status: 403, upgraded: false });
    }
    expect(await rawUpgrade(hub.port, undefined, 'http://studio-tools:8080')).toMatchObject({ status: 101, upgraded: true });
    expect(await rawUpgrade(hub.port)).toMatchObject({ status: 101, upgraded: true });
    const guarded = await startHub({ port: 0, token: TOKEN, logger: silentLogger() });
    try {
      expect(await rawUpgrade(guarded.port, `Bearer ${TOKEN}`, 'https://evil.example')).toMatchObject({ status: 403, upgraded: false });
    } finally {
      await guarded.close();
    }
  });
});
