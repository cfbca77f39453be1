/**
 * The browser host's bridge refuses whoever lacks the session token or comes from another origin, before any socket
 * is opened; a page opened without the token gets no data; a hostile page on another origin can neither join a hub
 * nor drive the demo receiver.
 */
import { createServer } from 'node:http';
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { startHub } from '../services/datahub/index.ts';
import { silentLogger } from '../services/lib/log.ts';
import { startReceiver } from '../services/receiver/receiver.ts';
import { panelBaseUrl, panelPort, panelUrl, sessionToken } from './panel-host.ts';

const PROTOCOL = 'assethub-panel.v1';

/** Opens the bridge from Node with chosen protocols and headers: resolves with the HTTP status, or 101 when it opened. */
function openBridge(protocols: string[], origin: string | undefined, path = '/bridge'): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${panelPort()}${path}`, protocols, origin === undefined ? {} : { origin });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

const origin = () => `http://127.0.0.1:${panelPort()}`;

test('the bridge opens with the session token from the page origin, and answers hello', async () => {
  const { status, ws } = await openBridge([PROTOCOL, `token.${sessionToken()}`], origin());
  expect(status).toBe(101);
  if (!ws) throw new Error('no socket');
  expect(ws.protocol).toBe(PROTOCOL);
  const answer = new Promise<unknown>((resolve) => ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { id?: number };
    if (message.id === 7) resolve(message);
  }));
  ws.send(JSON.stringify({ id: 7, command: 'hello', args: {} }));
  expect(await answer).toMatchObject({ id: 7, ok: true, result: { connection: { state: 'connected' } } });
  // Malformed messages are answered with an error, and the socket stays usable.
  const errors: unknown[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { ok?: boolean };
    if (message.ok === false) errors.push(message);
  });
  ws.send('not json');
  ws.send(JSON.stringify({ id: 8, command: 'no-such-command', args: {} }));
  ws.send(JSON.stringify({ id: 9, command: 'get', args: { service: '' } }));
  await expect.poll(() => errors.length).toBe(3);
  expect(errors).toEqual([
    { id: -1, ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } },
    { id: 8, ok: false, error: { code: 'UNKNOWN_COMMAND', message: expect.any(String) } },
    { id: 9, ok: false, error: { code: 'INVALID_ARGS', message: expect.any(String) } },
  ]);
  ws.close();
});

test('the bridge refuses a missing token, a wrong token and a foreign Origin before the upgrade', async () => {
  expect((await openBridge([PROTOCOL], origin())).status).toBe(401);
  expect((await openBridge([], origin())).status).toBe(401);
  expect((await openBridge([PROTOCOL, 'token.wrong-token-0123456789'], origin())).status).toBe(401);
  const almost = sessionToken().slice(0, -1) + (sessionToken().endsWith('A') ? 'B' : 'A');
  expect((await openBridge([PROTOCOL, `token.${almost}`], origin())).status).toBe(401);
  expect((await openBridge([PROTOCOL, `token.${sessionToken()}`], 'http://evil.example')).status).toBe(403);
  expect((await openBridge([PROTOCOL, `token.${sessionToken()}`], `http://localhost:${panelPort()}`)).status).toBe(403);
  expect((await openBridge([PROTOCOL, `token.${sessionToken()}`], undefined)).status).toBe(403);
  expect((await openBridge([PROTOCOL, `token.${sessionToken()}`], origin(), '/other')).status).toBe(404);
});

test('a page opened without the token gets no data and says where to go', async ({ page }) => {
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(panelBaseUrl());
  await expect(page.getByTestId('connection-state')).toHaveText(/No panel host/);
  await expect(page.getByText('npm run serve')).toBeVisible();
  await expect(page.getByTestId('service-row')).toHaveCount(0);
  // No host: no views to open, only how to get one.
  await expect(page.getByTestId('nav-connection')).toHaveCount(0);
  expect(sockets).toEqual([]);
});

test('a page with a wrong token is refused and shows no data', async ({ page }) => {
  await page.goto(`${panelBaseUrl()}#token=wrong-token-0123456789abcdef`);
  await expect(page.getByTestId('connection-state')).toContainText('Panel host unreachable', { timeout: 10_000 });
  // Where the service rows would be: the Connection view.
  await page.getByTestId('nav-connection').click();
  await expect(page.getByTestId('service-row')).toHaveCount(0);
  expect(panelUrl()).toContain('#token=');
});

test('a hostile page on another origin cannot join a hub without a token, nor read the host or drive the demo receiver', async ({ page, request }) => {
  // A hub on loopback without a token (how a developer runs `npm run services`), and the demo webhook receiver.
  const hub = await startHub({ port: 0, logger: silentLogger() });
  const receiver = await startReceiver({ port: 0, secret: 'e2e-secret', logger: silentLogger() });
  // The hostile site: another origin on this machine, as any page the operator visits could be.
  const site = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>evil</title>'));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const address = site.address();
  const siteUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  try {
    await page.goto(siteUrl);
    const outcome = await page.evaluate(async ({ hubUrl, receiverUrl }) => {
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(hubUrl);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      });
      const rule = await fetch(`${receiverUrl}/admin/rule`, { method: 'PUT', body: '{"mode":"dropItem","failUris":"x"}' }).then((r) => r.status, () => 'blocked');
      return { socket, rule };
    }, { hubUrl: hub.url, receiverUrl: receiver.baseUrl });
    expect(outcome.socket).toBe('refused');
    expect(hub.stats().Peers).toBe(0);
    expect(receiver.rule()).toBeNull();
    // The panel host's own files are served to its page only: a request naming another origin is refused.
    expect((await request.get(panelBaseUrl(), { headers: { Origin: siteUrl.slice(0, -1) } })).status()).toBe(403);
    expect((await request.get(panelBaseUrl(), { headers: { Origin: origin() } })).status()).toBe(200);
  } finally {
    site.close();
    await receiver.close();
    await hub.close();
  }
});
