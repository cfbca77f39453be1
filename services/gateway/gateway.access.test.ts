/**
 * Who may use the Gateway and what it refuses: browser origins (CORS), the token beyond loopback, bad input, unknown
 * paths and methods, and the limits on what one client can cost. Against a real hub and server (WebSocket fabric).
 */
import { connect } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicPrefix } from '../../shared/protocol/index.ts';
import { silentLogger } from '../lib/log.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import { until } from '../testing/wait.ts';
import type { Probe } from '../testing/probe.ts';
import { accessPolicy } from './access.ts';
import { assertGatewayBinding, startGateway, type Gateway } from './index.ts';
import { get, post, replies, send } from './testing/client.ts';

const ALLOWED = 'http://tools.example:8080';
/** Calls to this target are what the probe watches for: whatever reaches it was published by the Gateway. */
const WATCHED = 'Watched-Target';

let cluster: Cluster;
let gateway: Gateway;
let probe: Probe;

beforeAll(async () => {
  cluster = await startCluster({ fabric: 'ws' });
  probe = await cluster.probe(undefined);
  probe.peer.subscribe([topicPrefix('Call', { Target: WATCHED })]);
  await probe.roundTrip();
  gateway = await startGateway({ hubUrl: cluster.hub.url, port: 0, allowOrigins: [ALLOWED], replyTimeoutMs: 300, logger: silentLogger() });
});

afterAll(async () => {
  await gateway?.close();
  await cluster?.close();
});

const callWatched = (method: string) => ({ Topic: { Type: 'Call', Target: WATCHED, Method: method }, Message: { Params: {} } });
const published = (method: string): boolean => probe.messages.some((m) => m.topic.Type === 'Call' && m.topic.Method === method);

describe('browsers', () => {
  it('an allowed origin: the preflight is answered and so is the request', async () => {
    const preflight = await send(gateway.url, {
      method: 'OPTIONS',
      path: '/gateway/2.0/publish',
      headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(preflight.headers['access-control-allow-headers']).toBe('Content-Type, Authorization');
    expect(preflight.headers.vary).toBe('Origin');
    const from = probe.messages.length;
    const answer = await post(gateway.url, callWatched('FromAllowedPage'), { headers: { Origin: ALLOWED, 'Content-Type': 'application/json' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED);
    await probe.next((m) => m.topic.Type === 'Call' && m.topic.Method === 'FromAllowedPage', 5000, from);
  });

  it('any other origin: 403, the preflight too, and nothing is published', async () => {
    for (const origin of ['http://evil.example', 'null', `${ALLOWED}/`, 'http://tools.example:8081']) {
      const preflight = await send(gateway.url, { method: 'OPTIONS', path: '/gateway/2.0/publish', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const answer = await post(gateway.url, callWatched('FromForeignPage'), { headers: { Origin: origin } });
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('origin');
      const byGet = await get(gateway.url, `Type=Call&Target=${WATCHED}&Method=FromForeignPage`, { headers: { Origin: origin } });
      expect(byGet.status).toBe(403);
    }
    // A later message of the Gateway arrives after anything it had published before (one connection, in order).
    const from = probe.messages.length;
    await post(gateway.url, callWatched('AfterTheRefusals'));
    await probe.next((m) => m.topic.Type === 'Call' && m.topic.Method === 'AfterTheRefusals', 5000, from);
    expect(published('FromForeignPage')).toBe(false);
  });

  it('a page\'s request without Origin (Sec-Fetch-Site) is refused; an address typed by the operator is served', async () => {
    const img = await get(gateway.url, `Type=Call&Target=${WATCHED}&Method=FromImgTag`, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(img.status).toBe(403);
    const typed = await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State', { headers: { 'Sec-Fetch-Site': 'none' } });
    expect(typed.status).toBe(200);
    expect(published('FromImgTag')).toBe(false);
  });

  it('DNS rebinding: on loopback, a Host that is not a loopback name gets 403', async () => {
    const answer = await get(gateway.url, `Type=Call&Target=${WATCHED}&Method=Rebound`, { headers: { Host: 'evil.example:16208' } });
    expect(answer.status).toBe(403);
    for (const host of ['localhost:1', '127.0.0.1', '[::1]:16208']) {
      expect((await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State', { headers: { Host: host } })).status).toBe(200);
    }
  });
});

describe('the token beyond loopback', () => {
  const TOKEN = 'gateway-test-token';

  it('the decision: loopback needs none; beyond loopback every request but a preflight needs the token', () => {
    const local = accessPolicy({ host: '127.0.0.1', token: TOKEN, allowOrigins: [] });
    expect(local({ host: '127.0.0.1:16208' }, false).ok).toBe(true);
    const wide = accessPolicy({ host: '10.1.2.3', token: TOKEN, allowOrigins: [ALLOWED] });
    expect(wide({ host: '10.1.2.3:16208' }, false)).toMatchObject({ ok: false, status: 401 });
    expect(wide({ host: '10.1.2.3:16208', authorization: 'Bearer wrong' }, false)).toMatchObject({ ok: false, status: 401 });
    expect(wide({ host: '10.1.2.3:16208', authorization: `Bearer ${TOKEN}` }, false).ok).toBe(true);
    expect(wide({ host: 'studio-a:16208', origin: ALLOWED }, true).ok).toBe(true);
    expect(() => assertGatewayBinding('10.1.2.3', undefined)).toThrow(/without the hub's token/);
    expect(() => assertGatewayBinding('0.0.0.0', undefined)).toThrow();
    expect(() => assertGatewayBinding('127.0.0.1', undefined)).not.toThrow();
  });

  it('on a non-loopback address of this machine: refuses to start without a token, 401 without it, served with it', async (ctx) => {
    const address = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!address) return ctx.skip();
    await expect(startGateway({ hubUrl: cluster.hub.url, host: address, port: 0, logger: silentLogger() })).rejects.toThrow(/without the hub's token/);
    const wide = await startGateway({ hubUrl: cluster.hub.url, host: address, port: 0, token: TOKEN, logger: silentLogger() });
    try {
      const refused = await get(wide.url, 'Type=Get&Target=AssetHubServer&Name=State');
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect((await get(wide.url, 'Type=Get&Target=AssetHubServer&Name=State', { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
      const served = await get(wide.url, 'Type=Get&Target=AssetHubServer&Name=State', { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(replies(served)[0]?.Topic.Type).toBe('Update');
    } finally {
      await wide.close();
    }
  });
});

describe('bad input', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{"Topic": ', /not JSON/],
    ['empty', '', /empty/],
    ['an array', '[]', /JSON object/],
    ['no Topic', '{"Message": {}}', /no Topic/],
    ['Topic not an object', '{"Topic": "Get"}', /Topic must be a JSON object/],
    ['Topic an array', '{"Topic": ["Get"]}', /Topic must be a JSON object/],
    ['Message not an object', '{"Topic": {"Type":"Get","Target":"A","Name":"State"}, "Message": 5}', /Message must be a JSON object/],
    ['no Type', '{"Topic": {"Target":"A"}}', /no Type/],
    ['an unknown Type', '{"Topic": {"Type":"Delete","Target":"A"}}', /"Delete" is not one of/],
    ['a Get without Target', '{"Topic": {"Type":"Get","Name":"State"}}', /needs Target/],
    ['a Call without Method', '{"Topic": {"Type":"Call","Target":"AssetHubServer"}}', /needs Method/],
    ['a Set without Value', '{"Topic": {"Type":"Set","Target":"AssetHubServer","Name":"State"}, "Message": {}}', /Value/],
    ['a Target with :::', '{"Topic": {"Type":"Get","Target":"A:::B","Name":"State"}}', /:::/],
    ['a Name that is not a string', '{"Topic": {"Type":"Get","Target":"A","Name":5}}', /Name must be a string/],
    ['JSON nested too deep', `{"Topic": {"Type":"Set","Target":"A","Name":"S"}, "Message": {"Value": ${'['.repeat(200)}${']'.repeat(200)}}}`, /deeper/],
  ];
  for (const [what, body, reason] of cases) {
    it(`${what}: 400 naming it`, async () => {
      const answer = await post(gateway.url, body);
      expect(answer.status).toBe(400);
      expect((answer.json as { Error: string }).Error).toMatch(reason);
    });
  }

  it('the GET form: no topic, or one missing a field: 400', async () => {
    expect((await get(gateway.url, '')).status).toBe(400);
    const answer = await get(gateway.url, 'Type=Get&Name=State');
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Target');
  });

  it('a body over 1 MiB: 400 without reading it all; the Gateway still answers', async () => {
    const big = JSON.stringify({ Topic: { Type: 'Set', Target: WATCHED, Name: 'State' }, Message: { Value: 'x'.repeat(1024 * 1024 + 10) } });
    const answer = await post(gateway.url, big);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/over 1048576 bytes/);
    const chunked = await send(gateway.url, { method: 'POST', path: '/gateway/2.0/publish', headers: { 'Transfer-Encoding': 'chunked' }, body: big });
    expect(chunked.status).toBe(400);
    expect(replies(await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State'))).toHaveLength(1);
  });

  it('unknown paths: 404; other methods: 405', async () => {
    for (const path of ['/', '/gateway', '/gateway/2.0', '/gateway/publish', '/gateway//publish', '/gateway/2.0/publish/more', '/Gateway/2.0/publish']) {
      expect((await send(gateway.url, { path })).status).toBe(404);
    }
    for (const method of ['PUT', 'DELETE', 'PATCH', 'HEAD']) {
      const answer = await send(gateway.url, { method, path: '/gateway/2.0/publish' });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, POST, OPTIONS');
    }
  });
});

/**
 * Sends `head` and then `junk` bytes on a raw connection, and closes its side once the Gateway closed its own: what came
 * back, and the connection's events (`end` for the Gateway's FIN, `error <code>` for a reset).
 */
function raw(port: number, head: string, junk: number): Promise<{ text: string; events: string[] }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const events: string[] = [];
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => events.push(`error ${error.code ?? error.message}`));
    socket.on('end', () => {
      events.push('end');
      socket.end();
    });
    socket.on('close', () => resolve({ text, events }));
    socket.setTimeout(5000, () => {
      events.push('timeout');
      socket.destroy();
    });
    socket.write(head);
    if (junk > 0) socket.write(Buffer.alloc(junk, 'x'));
  });
}

describe('every answer', () => {
  it('says X-Content-Type-Options: nosniff and Cache-Control: no-store (200, 204, 400, 403, 404, 405)', async () => {
    const answers = [
      await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State'),
      await send(gateway.url, { method: 'OPTIONS', path: '/gateway/2.0/publish', headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'POST' } }),
      await send(gateway.url, { method: 'OPTIONS', path: '/gateway/2.0/publish' }),
      await post(gateway.url, '{"Topic": '),
      await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State', { headers: { Origin: 'http://evil.example' } }),
      await send(gateway.url, { path: '/' }),
      await send(gateway.url, { method: 'PUT', path: '/gateway/2.0/publish' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 204, 204, 400, 403, 404, 405]);
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options'], String(answer.status)).toBe('nosniff');
      expect(answer.headers['cache-control'], String(answer.status)).toBe('no-store');
    }
  });

  it('a request line node cannot parse: a readable HTTP/1.1 400 with those headers, then the connection closes', async () => {
    // With bytes after it (a client still sending): closed with unread bytes, the connection would be reset, and a
    // client whose TCP drops what it had not read yet on a reset (Windows) would never see the 400.
    for (const junk of [0, 64 * 1024, 4 * 1024 * 1024]) {
      const answer = await raw(gateway.port, 'NOT AN HTTP REQUEST LINE\r\n\r\n', junk);
      expect(answer.text.startsWith('HTTP/1.1 400 Bad Request\r\n'), `${junk}: ${answer.text.slice(0, 40)}`).toBe(true);
      expect(answer.text).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
      expect(answer.events, String(junk)).toEqual(['end']);
    }
    expect(replies(await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State'))).toHaveLength(1);
  });
});

describe('limits', () => {
  it('a request whose body never ends is cut at the request time limit, not up to 30 s later, and frees its place', async () => {
    const small = await startGateway({ hubUrl: cluster.hub.url, port: 0, maxInFlight: 1, requestTimeoutMs: 500, logger: silentLogger() });
    try {
      const socket = connect(small.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write('POST /gateway/2.0/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"Topic"');
      const closed = await Promise.race([
        new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
      ]);
      socket.destroy();
      expect(closed).toBe(true);
      await until('its place freed', () => small.inFlight === 0);
      expect(replies(await get(small.url, 'Type=Get&Target=AssetHubServer&Name=State'))).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('past the cap on requests in flight: 503, and served again once they end', async () => {
    const small = await startGateway({ hubUrl: cluster.hub.url, port: 0, maxInFlight: 2, replyTimeoutMs: 1000, logger: silentLogger() });
    try {
      const waiting = [get(small.url, 'Type=Get&Target=Nobody-Here&Name=State'), get(small.url, 'Type=Get&Target=Nobody-Here&Name=State')];
      await new Promise((r) => setTimeout(r, 200));
      const third = await get(small.url, 'Type=Get&Target=AssetHubServer&Name=State');
      expect(third.status).toBe(503);
      expect(third.headers['retry-after']).toBe('1');
      for (const answer of await Promise.all(waiting)) expect(replies(answer)).toEqual([]);
      expect(replies(await get(small.url, 'Type=Get&Target=AssetHubServer&Name=State'))).toHaveLength(1);
    } finally {
      await small.close();
    }
  });
});
