import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CHUNK_BYTES } from '../../lib/chunks/address.ts';
import { rawRequest, startChunkServer, waitFor, type ChunkServer } from './testing/chunk-server.ts';

const TOKEN = 'data-plane-secret';
const auth = { Authorization: `Bearer ${TOKEN}` };
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let server: ChunkServer;
beforeAll(async () => {
  server = await startChunkServer({ token: TOKEN });
});
afterAll(async () => {
  await server?.close();
});

const request = (method: string, requestPath: string, headers: Record<string, string | number> = {}, body?: Uint8Array) =>
  rawRequest(server.port, method, requestPath, { ...auth, ...headers }, body);

async function put(data: Buffer, hash = sha256(data)) {
  return request('PUT', `/chunks/${hash}`, { 'Content-Length': data.length }, data);
}

/** A PUT whose body is written by the test: for interrupting uploads and holding them open. */
function openPut(hash: string, headers: Record<string, string | number>) {
  const req = http.request({ host: '127.0.0.1', port: server.port, method: 'PUT', path: `/chunks/${hash}`, headers: { ...auth, ...headers }, agent: false });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  response.catch(() => undefined); // an interrupted request has no response, by design
  return { req, response };
}

describe('chunk HTTP handler', () => {
  it('stores an upload, answers HEAD 200 with its length, and serves identical bytes', async () => {
    const data = randomBytes(1_000_000);
    const hash = sha256(data);
    const stored = await put(data);
    expect(stored.status).toBe(201);
    const head = await request('HEAD', `/chunks/${hash}`);
    expect([head.status, head.headers['content-length']]).toEqual([200, String(data.length)]);
    const got = await request('GET', `/chunks/${hash}`);
    expect(got.status).toBe(200);
    expect(got.headers).toMatchObject({
      'content-type': 'application/octet-stream', 'content-length': String(data.length), 'accept-ranges': 'bytes', etag: `"${hash}"`,
    });
    expect(got.body.equals(data)).toBe(true);
    expect((await readFile(server.store.path(hash))).equals(data)).toBe(true);
  });

  it('answers 200 to a second upload of a chunk it has, and the next request on the connection still works', async () => {
    const data = randomBytes(100_000);
    expect((await put(data)).status).toBe(201);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const again = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: server.port, method: 'PUT', path: `/chunks/${sha256(data)}`, headers: { ...auth, 'Content-Length': data.length }, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(data);
      });
      expect(again).toBe(200);
      const next = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: server.port, path: `/chunks/${sha256(data)}`, headers: auth, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
      expect(next).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('serves single ranges with 206 and refuses unsatisfiable ones with 416', async () => {
    const data = randomBytes(10_000);
    const hash = sha256(data);
    await put(data);
    const middle = await request('GET', `/chunks/${hash}`, { Range: 'bytes=100-1099' });
    expect([middle.status, middle.headers['content-range'], middle.headers['content-length']]).toEqual([206, `bytes 100-1099/10000`, '1000']);
    expect(middle.body.equals(data.subarray(100, 1100))).toBe(true);
    const open = await request('GET', `/chunks/${hash}`, { Range: 'bytes=9000-' });
    expect([open.status, open.headers['content-range']]).toEqual([206, 'bytes 9000-9999/10000']);
    expect(open.body.equals(data.subarray(9000))).toBe(true);
    const suffix = await request('GET', `/chunks/${hash}`, { Range: 'bytes=-500' });
    expect([suffix.status, suffix.headers['content-range']]).toEqual([206, 'bytes 9500-9999/10000']);
    expect(suffix.body.equals(data.subarray(9500))).toBe(true);
    const past = await request('GET', `/chunks/${hash}`, { Range: 'bytes=10000-' });
    expect([past.status, past.headers['content-range']]).toEqual([416, 'bytes */10000']);
    const several = await request('GET', `/chunks/${hash}`, { Range: 'bytes=0-1,5-6' });
    expect([several.status, several.body.length]).toEqual([200, data.length]);
  });

  it('answers 404 for a chunk it does not have, with Upload-Offset 0', async () => {
    const hash = sha256(randomBytes(10));
    const head = await request('HEAD', `/chunks/${hash}`);
    expect([head.status, head.headers['upload-offset']]).toEqual([404, '0']);
    expect((await request('GET', `/chunks/${hash}`)).status).toBe(404);
  });

  it('answers 422 when the bytes do not match the address, and stores nothing', async () => {
    const data = randomBytes(50_000);
    const wrong = sha256(randomBytes(50_000));
    expect((await put(data, wrong)).status).toBe(422);
    expect((await request('HEAD', `/chunks/${wrong}`)).headers['upload-offset']).toBe('0');
    expect(await server.store.has(wrong)).toBe(false);
    expect(await readdir(path.join(server.store.dir, 'partial'))).not.toContain(wrong);
  });

  it('answers 413 to more than MAX_CHUNK_BYTES, before reading the body', async () => {
    const hash = sha256(randomBytes(10));
    const fresh = openPut(hash, { 'Content-Length': MAX_CHUNK_BYTES + 1 });
    fresh.req.flushHeaders();
    expect((await fresh.response).statusCode).toBe(413);
    fresh.req.destroy();
    const resumed = openPut(hash, { 'Content-Length': 10, 'Content-Range': `bytes 0-9/${MAX_CHUNK_BYTES + 1}` });
    resumed.req.flushHeaders();
    expect((await resumed.response).statusCode).toBe(413);
    resumed.req.destroy();
    expect(await server.store.partialSize(hash)).toBe(0);
  });

  it('answers 400 to a PUT without a usable Content-Length or with a malformed Content-Range', async () => {
    const data = randomBytes(100);
    const hash = sha256(data);
    const chunked = openPut(hash, { 'Transfer-Encoding': 'chunked' });
    chunked.req.end(data);
    expect((await chunked.response).statusCode).toBe(400);
    expect((await request('PUT', `/chunks/${hash}`, { 'Content-Length': 100, 'Content-Range': 'bytes 0-9/100' }, data)).status).toBe(400);
    expect((await request('PUT', `/chunks/${hash}`, { 'Content-Length': 100, 'Content-Range': 'bytes=0-99/100' }, data)).status).toBe(400);
    expect(await server.store.has(hash)).toBe(false);
  });

  it('requires the bearer token', async () => {
    const data = randomBytes(1000);
    const hash = sha256(data);
    const cases: Array<Record<string, string>> = [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: TOKEN }, { Authorization: `Basic ${TOKEN}` }];
    for (const headers of cases) {
      const noAuth = (method: string, body?: Buffer) =>
        rawRequest(server.port, method, `/chunks/${hash}`, { ...headers, ...(body ? { 'Content-Length': body.length } : {}) }, body);
      const refused = await noAuth('PUT', data);
      expect([refused.status, refused.headers['www-authenticate']]).toEqual([401, 'Bearer']);
      expect((await noAuth('HEAD')).status).toBe(401);
      expect((await noAuth('GET')).status).toBe(401);
    }
    expect(await server.store.has(hash)).toBe(false);
    expect((await put(data)).status).toBe(201);
    expect((await rawRequest(server.port, 'GET', `/chunks/${hash}`, { Authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  it('answers 400/404/405 to what is not a chunk request, and never writes outside the store', async () => {
    const data = randomBytes(64);
    const hash = sha256(data);
    const attempts = [
      '/chunks/../x', '/chunks/..%2f..%2fescaped', '/chunks/%2e%2e/escaped', '/chunks/%2e%2e%2fescaped', `/chunks/..%2F${hash}`,
      `/chunks/${hash.toUpperCase()}`, `/chunks/${hash}/x`, `/chunks/${hash.slice(1)}`, `/chunks/${hash}%00`, '/chunks/', '/chunks',
      '/chunks//etc/passwd', `/chunks/partial/${hash}`, `/chunks/${hash.slice(0, 2)}/${hash}`, '/../escaped', '/escaped',
    ];
    for (const target of attempts) {
      for (const method of ['PUT', 'GET', 'HEAD']) {
        const answer = await request(method, target, method === 'PUT' ? { 'Content-Length': data.length } : {}, method === 'PUT' ? data : undefined);
        expect([target, method, [400, 404].includes(answer.status)]).toEqual([target, method, true]);
      }
    }
    expect((await request('DELETE', `/chunks/${hash}`)).status).toBe(405);
    expect((await request('POST', `/chunks/${hash}`, { 'Content-Length': data.length }, data)).status).toBe(405);
    expect(await readdir(server.root)).toEqual(['store']);
    const inStore = await readdir(server.store.dir);
    expect(inStore.filter((name) => name !== 'partial').every((name) => /^[0-9a-f]{2}$/.test(name))).toBe(true);
    expect(await server.store.has(hash)).toBe(false);
  });

  it('resumes an upload interrupted halfway from the Upload-Offset HEAD reports', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12_345);
    const hash = sha256(data);
    const half = Math.floor(data.length / 2);
    const first = openPut(hash, { 'Content-Length': data.length });
    first.req.write(data.subarray(0, half));
    // Wait until the server has written what was sent, then drop the connection mid-body.
    await waitFor(async () => (await server.store.partialSize(hash)) === half, 'the first half to reach the partial');
    first.req.destroy();
    await server.store.settled(hash);

    const head = await request('HEAD', `/chunks/${hash}`);
    expect([head.status, head.headers['upload-offset']]).toEqual([404, String(half)]);
    expect(await server.store.has(hash)).toBe(false);

    // Resuming anywhere else is refused with the offset to use.
    const wrong = await request('PUT', `/chunks/${hash}`, { 'Content-Length': data.length - 10, 'Content-Range': `bytes 10-${data.length - 1}/${data.length}` }, data.subarray(10));
    expect([wrong.status, wrong.headers['upload-offset']]).toEqual([409, String(half)]);

    const rest = await request('PUT', `/chunks/${hash}`, { 'Content-Length': data.length - half, 'Content-Range': `bytes ${half}-${data.length - 1}/${data.length}` }, data.subarray(half));
    expect(rest.status).toBe(201);
    expect(sha256(await readFile(server.store.path(hash)))).toBe(hash);
    expect(await server.store.partialSize(hash)).toBe(0);
  });

  it('accepts an upload in segments, answering 204 with the new Upload-Offset until the last', async () => {
    const data = randomBytes(30_000);
    const hash = sha256(data);
    const first = await request('PUT', `/chunks/${hash}`, { 'Content-Length': 10_000, 'Content-Range': `bytes 0-9999/30000` }, data.subarray(0, 10_000));
    expect([first.status, first.headers['upload-offset']]).toEqual([204, '10000']);
    const second = await request('PUT', `/chunks/${hash}`, { 'Content-Length': 20_000, 'Content-Range': `bytes 10000-29999/30000` }, data.subarray(10_000));
    expect(second.status).toBe(201);
    expect(await server.store.verify(hash)).toBe(true);
  });

  it('completes a partial that already holds every byte (crash before the rename) with Content-Range bytes */total', async () => {
    const data = randomBytes(20_000);
    const hash = sha256(data);
    await writeFile(server.store.partialPath(hash), data);
    expect((await request('HEAD', `/chunks/${hash}`)).headers['upload-offset']).toBe('20000');
    const done = await request('PUT', `/chunks/${hash}`, { 'Content-Length': 0, 'Content-Range': 'bytes */20000' });
    expect(done.status).toBe(201);
    expect(await server.store.verify(hash)).toBe(true);
  });

  it('answers 409 to a second upload of a chunk while the first is in progress', async () => {
    const data = randomBytes(200_000);
    const hash = sha256(data);
    const first = openPut(hash, { 'Content-Length': data.length });
    first.req.write(data.subarray(0, 1000));
    await waitFor(async () => (await server.store.partialSize(hash)) === 1000, 'the first upload to start');
    const second = await put(data);
    expect([second.status, second.headers['upload-offset']]).toEqual([409, '1000']);
    first.req.end(data.subarray(1000));
    expect((await first.response).statusCode).toBe(201);
    expect((await put(data)).status).toBe(200);
  });

  it('answers every odd request with a 4xx or success, never a 5xx or a crash', async () => {
    const data = randomBytes(2000);
    const hash = sha256(data);
    expect((await put(data)).status).toBe(201);
    const segment = fc.stringMatching(/^[a-zA-Z0-9.%_~-]{0,70}$/);
    const headerValue = fc.oneof(fc.stringMatching(/^[ -~]{0,40}$/), fc.constantFrom('bytes=0-', 'bytes=-5', 'bytes 0-9/10', 'bytes */2000', 'bytes=1999-1999'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'),
        fc.oneof(fc.constant(`/chunks/${hash}`), segment.map((x) => `/chunks/${x}`), fc.array(segment, { maxLength: 4 }).map((xs) => `/${xs.join('/')}`)),
        headerValue,
        headerValue,
        fc.uint8Array({ maxLength: 3000 }),
        async (method, target, range, contentRange, body) => {
          const withBody = method === 'PUT' || method === 'POST' || method === 'PATCH';
          const headers = { Range: range, 'Content-Range': contentRange, ...(withBody ? { 'Content-Length': body.length } : {}) };
          const answer = await request(method, target, headers, withBody ? body : undefined);
          expect([target, answer.status < 500]).toEqual([target, true]);
        },
      ),
      { numRuns: 150 },
    );
    expect(await server.store.verify(hash)).toBe(true);
    expect(await readdir(server.root)).toEqual(['store']);
  });
});

describe('chunk HTTP handler idle timeout', () => {
  it('drops an upload whose body stalls, keeps its partial and lets the next upload resume', async () => {
    const idle = await startChunkServer({ idleTimeoutMs: 200 });
    try {
      const data = randomBytes(100_000);
      const hash = sha256(data);
      const stalled = http.request({ host: '127.0.0.1', port: idle.port, method: 'PUT', path: `/chunks/${hash}`, headers: { 'Content-Length': data.length }, agent: false });
      const dropped = new Promise<unknown>((resolve) => {
        stalled.on('error', resolve);
        stalled.on('close', () => resolve(undefined));
      });
      stalled.write(data.subarray(0, 40_000));
      await waitFor(async () => (await idle.store.partialSize(hash)) === 40_000, 'the first bytes on the server');
      await dropped; // the server closes the connection: nothing more was sent
      await idle.store.settled(hash);
      const head = await rawRequest(idle.port, 'HEAD', `/chunks/${hash}`);
      expect([head.status, head.headers['upload-offset']]).toEqual([404, '40000']);
      const rest = await rawRequest(idle.port, 'PUT', `/chunks/${hash}`, { 'Content-Length': 60_000, 'Content-Range': `bytes 40000-99999/100000` }, data.subarray(40_000));
      expect(rest.status).toBe(201);
      expect(await idle.store.verify(hash)).toBe(true);
    } finally {
      await idle.close();
    }
  });
});

describe('chunk HTTP handler: Host and Origin (DNS rebinding, web pages)', () => {
  const asHost = (host: string, method = 'HEAD', extra: Record<string, string> = {}) =>
    request(method, `/chunks/${sha256(Buffer.from('probe'))}`, { Host: host, ...extra });

  it('on loopback accepts only loopback Host names, refusing others with 403 before the token', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'LOCALHOST.', `[::1]:${server.port}`, '127.0.0.2']) {
      expect([host, (await asHost(host)).status]).toEqual([host, 404]);
    }
    for (const host of [`evil.example:${server.port}`, 'evil.example', '10.0.0.7', 'localhost.evil.example', `evil@127.0.0.1:${server.port}`]) {
      expect([host, (await asHost(host)).status]).toEqual([host, 403]);
      expect([host, (await rawRequest(server.port, 'GET', '/chunks/x', { Host: host })).status]).toEqual([host, 403]);
    }
    const data = randomBytes(100);
    const rebound = await request('PUT', `/chunks/${sha256(data)}`, { Host: 'evil.example', 'Content-Length': data.length }, data);
    expect(rebound.status).toBe(403);
    expect(await server.store.has(sha256(data))).toBe(false);
  });

  it('beyond loopback also accepts the bound and advertised hosts and IP literals, and still refuses other names', async () => {
    const wide = await startChunkServer({ token: TOKEN, bindHost: '0.0.0.0', advertisedHost: 'Assets.Example' });
    try {
      const status = async (host: string) => (await rawRequest(wide.port, 'HEAD', `/chunks/${sha256(Buffer.from('x'))}`, { ...auth, Host: host })).status;
      for (const host of [`assets.example:${wide.port}`, 'ASSETS.EXAMPLE.', '10.0.0.7', `[fd00::7]:${wide.port}`, 'localhost']) expect([host, await status(host)]).toEqual([host, 404]);
      for (const host of ['evil.example', 'assets.example.evil.example', '0.0.0.0.evil.example']) expect([host, await status(host)]).toEqual([host, 403]);
    } finally {
      await wide.close();
    }
  });

  it('refuses requests from web pages (Origin or Sec-Fetch-Site) with 403, even with the token', async () => {
    const data = randomBytes(100);
    const hash = sha256(data);
    const fromPage = await request('PUT', `/chunks/${hash}`, { Origin: 'https://evil.example', 'Content-Length': data.length }, data);
    expect(fromPage.status).toBe(403);
    expect(await server.store.has(hash)).toBe(false);
    expect((await put(data)).status).toBe(201);
    expect((await request('GET', `/chunks/${hash}`, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await request('GET', `/chunks/${hash}`, { Origin: 'null' })).status).toBe(403);
    expect((await request('GET', `/chunks/${hash}`, { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors' })).status).toBe(403);
    expect((await request('GET', `/chunks/${hash}`)).status).toBe(200);
  });

  it('lets a configured origin in, with CORS headers and an answered preflight', async () => {
    const origin = 'https://tools.example';
    const open = await startChunkServer({ token: TOKEN, allowedOrigins: [origin] });
    try {
      const data = randomBytes(100);
      const hash = sha256(data);
      const preflight = await rawRequest(open.port, 'OPTIONS', `/chunks/${hash}`, { Origin: origin, 'Access-Control-Request-Method': 'PUT' });
      expect(preflight.status).toBe(204);
      expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': origin, 'access-control-allow-methods': 'GET, HEAD, PUT' });
      expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
      const stored = await rawRequest(open.port, 'PUT', `/chunks/${hash}`, { ...auth, Origin: origin, 'Sec-Fetch-Site': 'cross-site', 'Content-Length': data.length }, data);
      expect([stored.status, stored.headers['access-control-allow-origin']]).toEqual([201, origin]);
      const head = await rawRequest(open.port, 'HEAD', `/chunks/${hash}`, { ...auth, Origin: origin });
      expect(head.headers['access-control-expose-headers']).toContain('Upload-Offset');
      expect((await rawRequest(open.port, 'GET', `/chunks/${hash}`, { Origin: origin })).status).toBe(401);
      expect((await rawRequest(open.port, 'GET', `/chunks/${hash}`, { ...auth, Origin: 'https://evil.example' })).status).toBe(403);
      expect((await rawRequest(open.port, 'OPTIONS', `/chunks/${hash}`, { Origin: 'https://evil.example' })).status).toBe(403);
    } finally {
      await open.close();
    }
  });
});
