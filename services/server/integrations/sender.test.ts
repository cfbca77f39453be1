// The delivery thread: batches go out from it with their signature and come back classified; a thread that dies
// fails only the batch it held (with the reason) and the next batches go out from the calling thread; cancels abort.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SIGNATURE_HEADER } from '../../../shared/assethub/integrations.ts';
import { signature, stateHash } from './contract.ts';
import { DeliverySender } from './sender.ts';

let server: http.Server;
let url = '';
/** What the receiver saw: body text and signature header per request. */
const received: Array<{ body: string; signature: string }> = [];
/** Requests whose answer is held back (to cancel or kill a thread while a batch is out). */
let hold = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ body, signature: String(req.headers[SIGNATURE_HEADER.toLowerCase()]) });
      if (hold) return; // never answered
      const ids = (JSON.parse(body) as { actions: Array<{ assetId: string }> }).actions.map((a) => a.assetId);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Items: ids.map((id) => ({ AssetId: id, IntegrationState: `s-${id}` })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request = (ids: string[], cancel = new AbortController().signal) => ({
  url, secret: 'shh', body: JSON.stringify({ actions: ids.map((assetId) => ({ type: 'sync', assetId })), configuration: {}, tenantId: 'é' }),
  deliveryId: 'd-1', timeoutMs: 5_000, cancel, nowSeconds: 1_700_000_000,
});

it('posts from the thread: the signed body arrives, the Items come back', async () => {
  const sender = new DeliverySender();
  try {
    received.length = 0;
    const r = request(['A', 'B']);
    const outcome = await sender.post(r);
    expect(sender.threaded).toBe(true);
    expect(outcome.ok && [...outcome.items].map(([id, item]) => [id, item.integrationState, item.assetStateHash])).toEqual([['A', 's-A', stateHash('s-A')], ['B', 's-B', stateHash('s-B')]]);
    expect(received).toEqual([{ body: r.body, signature: signature('shh', r.body, r.nowSeconds) }]);
  } finally {
    await sender.close();
  }
});

it('a thread that dies fails only the batch it held, with the reason; the next batch goes out from this thread', async () => {
  const failures: string[] = [];
  // A thread that exits as soon as it is handed a batch.
  const sender = new DeliverySender((why) => failures.push(why), () => new Worker("require('node:worker_threads').parentPort.on('message', () => process.exit(7))", { eval: true }));
  try {
    const first = await sender.post(request(['A']));
    expect(first).toMatchObject({ ok: false, httpStatus: null });
    expect(first.ok === false && first.reason).toMatch(/delivery thread stopped \(it exited \(code 7\)\)/);
    expect(failures).toEqual(['it exited (code 7)']);
    const next = await sender.post(request(['C']));
    expect(sender.threaded).toBe(false);
    expect(next.ok && [...next.items].map(([id, item]) => [id, item.integrationState])).toEqual([['C', 's-C']]);
  } finally {
    await sender.close();
  }
});

it('a cancelled batch resolves aborted, whether it was out on the thread or not yet sent', async () => {
  const sender = new DeliverySender();
  hold = true;
  try {
    const cancel = new AbortController();
    const out = sender.post(request(['A'], cancel.signal));
    await expect.poll(() => received.some((r) => r.body.includes('"A"')), { timeout: 5_000 }).toBe(true);
    cancel.abort();
    expect(await out).toMatchObject({ ok: false, aborted: true, reason: 'cancelled' });
    expect(await sender.post(request(['B'], cancel.signal))).toMatchObject({ ok: false, aborted: true });
  } finally {
    hold = false;
    await sender.close();
  }
});
