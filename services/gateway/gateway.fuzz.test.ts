/**
 * 1,000 random requests at the Gateway (bodies, query strings, headers, methods, sizes, some raw TCP garbage) with real
 * services behind it: every one gets an HTTP answer of a known status, nothing crashes, and the Gateway still answers a
 * Get afterwards. Seeded, so a failure can be replayed.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../lib/log.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';
import { until } from '../testing/wait.ts';
import { startGateway, type Gateway } from './index.ts';
import { get, replies, send, type RawRequest } from './testing/client.ts';

const SEED = Number(process.env.GATEWAY_FUZZ_SEED ?? 20240611);
const REQUESTS = 1000;
const RAW_SOCKETS = 50;
const ALLOWED = 'http://tools.example:8080';

let cluster: Cluster;
let gateway: Gateway;

beforeAll(async () => {
  cluster = await startCluster({ fabric: 'ws' });
  gateway = await startGateway({ hubUrl: cluster.hub.url, port: 0, allowOrigins: [ALLOWED], replyTimeoutMs: 200, maxInFlight: 16, logger: silentLogger() });
});

afterAll(async () => {
  await gateway?.close();
  await cluster?.close();
});

/** mulberry32: small, seeded. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const chance = (p: number): boolean => rand() < p;
const printable = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('');
const anyText = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0xffff))).join('');

/** Random bytes, percent-encoded (invalid UTF-8 included). */
const percentBytes = (n: number): string => Array.from({ length: n }, () => `%${Math.floor(rand() * 256).toString(16).padStart(2, '0')}`).join('');

const TYPES = ['Get', 'Set', 'Reset', 'Update', 'Call', 'CallResult', 'Identify', 'Self', 'Startup', 'Log', 'Nope', '', 5, null];
const TARGETS = ['AssetHubServer', 'Nobody-Here', '~LOCAL~-AssetHubClient', 'BROADCAST', 'A:::B', '', 7, 'DataHub'];
const NAMES = ['State', 'State.Repositories.X.AutoPull', 'Stats', 'NoSuch', '', 'a'.repeat(5000), 3];
const METHODS_CALL = ['Health', 'GetRepositories', 'NoSuchMethod', 'QueryAssets', '', 9];
const VALUES: unknown[] = [true, 5, 'x', null, {}, [], { Repositories: {} }, { a: { b: [1, 2] } }];

function topic(): Record<string, unknown> {
  const t: Record<string, unknown> = {};
  const keys: Array<[string, () => unknown]> = [
    ['Type', () => pick(TYPES)], ['Target', () => pick(TARGETS)], ['Name', () => pick(NAMES)], ['Method', () => pick(METHODS_CALL)],
    ['RespondTo', () => pick(['x', '', 1])], ['ID', () => pick(['id', 2])], ['Source', () => pick(['S', ''])], [printable(4), () => printable(4)],
  ];
  for (const [key, value] of keys.sort(() => rand() - 0.5)) if (chance(0.7)) t[key] = value();
  return t;
}

function body(): string | Buffer {
  switch (Math.floor(rand() * 9)) {
    case 0: return anyText(Math.floor(rand() * 200));
    case 1: return Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
    case 2: return `${'['.repeat(Math.floor(rand() * 400))}1`;
    case 3: return JSON.stringify({ Topic: topic(), Message: { Value: 'x'.repeat(chance(0.5) ? 1024 * 1024 + 1 : 500_000) } });
    case 4: return JSON.stringify(pick([[], 'str', 5, null, { Topic: [] }, { Topic: 'Get' }, { Message: {} }]));
    case 5: return JSON.stringify({ Topic: topic() }).slice(0, Math.floor(rand() * 60));
    default: return JSON.stringify({ Topic: topic(), Message: chance(0.8) ? { Value: pick(VALUES), Params: { Name: pick(VALUES) }, Level: 'Info', Message: 'm' } : pick(VALUES) });
  }
}

function query(): string {
  const pairs: string[] = [];
  for (let i = Math.floor(rand() * 8); i > 0; i--) {
    const key = pick(['Type', 'Target', 'Name', 'Method', 'Value', 'ParamName', 'ParamLimit', 'Param', '', printable(3)]);
    const value = pick([String(pick(TYPES)), String(pick(TARGETS)), String(pick(NAMES)), '%zz', '%ff%fe', percentBytes(5), '', '{"a":', JSON.stringify(pick(VALUES)), '['.repeat(300)]);
    pairs.push(chance(0.1) ? '' : `${encodeURIComponent(key)}=${value.replace(/[#\s]/g, '')}`);
  }
  return pairs.join('&');
}

function request(): RawRequest {
  const method = pick(['GET', 'GET', 'POST', 'POST', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'FOO']);
  const version = pick(['2.0', '26.1.0', printable(3).replace(/[/?#%\s]/g, 'v'), '']);
  const path = chance(0.9) ? `/gateway/${version}/publish${chance(0.5) ? `?${query()}` : ''}` : `/${encodeURIComponent(printable(10))}`;
  const headers: Record<string, string> = {};
  if (chance(0.3)) headers.Origin = pick([ALLOWED, 'http://evil.example', 'null', printable(10)]);
  if (chance(0.3)) headers['Content-Type'] = pick(['application/json', 'text/plain', printable(8)]);
  if (chance(0.1)) headers['Sec-Fetch-Site'] = pick(['none', 'cross-site', 'same-origin']);
  if (chance(0.1)) headers.Authorization = `Bearer ${printable(10)}`;
  if (chance(0.05)) headers.Host = pick(['evil.example', '127.0.0.1:1', printable(6)]);
  if (chance(0.1)) headers[`X-${printable(5).replace(/[^A-Za-z]/g, 'a')}`] = printable(Math.floor(rand() * 100));
  return { method, path, headers, ...(method === 'GET' || method === 'HEAD' || chance(0.1) ? {} : { body: body() }) };
}

function garbage(port: number): Promise<void> {
  const bytes = chance(0.5) ? Buffer.from(anyText(Math.floor(rand() * 500))) : Buffer.from(`POST /gateway/2.0/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Math.floor(rand() * 1e7)}\r\n\r\n{"Topic"`);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    socket.on('data', () => {});
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.setTimeout(3000, () => socket.destroy());
  });
}

it(`answers ${REQUESTS} random requests with a known status, and still answers afterwards`, { timeout: 240_000 }, async () => {
  const statuses = new Map<number, number>();
  const requests = Array.from({ length: REQUESTS }, request);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const req = requests[next++] as RawRequest;
      const answer = await send(gateway.url, req).catch((error: unknown) => {
        // node:http refuses some requests before sending (an invalid header); the server may close on a body it stops reading.
        const text = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` : String(error);
        expect(text).toMatch(/ERR_INVALID|ECONNRESET|EPIPE|socket hang up|ERR_HTTP/);
        return null;
      });
      if (answer) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
  };
  await Promise.all([...Array.from({ length: 12 }, worker), ...Array.from({ length: RAW_SOCKETS }, () => garbage(gateway.port))]);
  for (const status of statuses.keys()) expect([200, 204, 400, 401, 403, 404, 405, 503]).toContain(status);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(REQUESTS * 0.8);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  // On a loaded machine the server may still be working through what the fuzz sent it: a Get it answers later than
  // 3 s is answered [] (the Gateway's rule); asked again, it answers.
  const after = await until('the Gateway still relays a Get and its answer', async () => {
    const answer = replies(await get(gateway.url, 'Type=Get&Target=AssetHubServer&Name=State'));
    return answer[0] ? answer : null;
  }, 60_000);
  expect(after[0]?.Topic).toMatchObject({ Type: 'Update', Source: 'AssetHubServer' });
  expect(gateway.inFlight).toBe(0);
});
