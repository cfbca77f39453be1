// The WebSocket hub beyond loopback: with a certificate and key it serves wss://, so the bearer token and every frame
// are encrypted on the wire (a recording TCP relay between peer and hub sees neither), and a peer joins only when it
// trusts the certificate.
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HubPeer, trustHubCertificates } from '../../peer/index.ts';
import { silentLogger } from '../lib/log.ts';
import { until } from '../testing/wait.ts';
import { startHub, type Hub } from './hub.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const cert = readFileSync(path.join(here, '../testing/tls/hub-test-cert.pem'), 'utf8');
const key = readFileSync(path.join(here, '../testing/tls/hub-test-key.pem'), 'utf8');
const TOKEN = 'a-token-that-must-never-travel-in-clear';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  trustHubCertificates([]);
});

/** A TCP relay to `port` that records every byte the peer sends; its port. */
async function recordingRelay(port: number): Promise<{ port: number; seen: () => Buffer }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const relay: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => chunks.push(d));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    relay.close(resolve);
  }));
  const address = relay.address();
  return { port: typeof address === 'object' && address ? address.port : 0, seen: () => Buffer.concat(chunks) };
}

async function join(url: string): Promise<HubPeer> {
  const peer = new HubPeer({ name: 'TLS-Tester' });
  closers.push(() => peer.close());
  peer.connect(url, TOKEN);
  await peer.whenUp(10_000);
  return peer;
}

async function hubWith(tls: boolean): Promise<Hub> {
  const hub = await startHub({ port: 0, token: TOKEN, logger: silentLogger(), ...(tls ? { tls: { cert, key } } : {}) });
  closers.push(() => hub.close());
  return hub;
}

describe('the WebSocket hub over TLS', () => {
  it('serves wss:// and a peer that trusts its certificate joins; the token never crosses the wire in clear', async () => {
    const hub = await hubWith(true);
    expect(hub.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    trustHubCertificates([cert]);
    const relay = await recordingRelay(hub.port);
    const peer = await join(`wss://127.0.0.1:${relay.port}`);
    await peer.sync();
    expect(relay.seen().length).toBeGreaterThan(0);
    expect(relay.seen().includes(Buffer.from(TOKEN))).toBe(false);
    expect(relay.seen().includes(Buffer.from('PeerHeartbeat'))).toBe(false);
  });

  it('over ws:// the same relay does see the token (what the test above guards against)', async () => {
    const hub = await hubWith(false);
    const relay = await recordingRelay(hub.port);
    await join(`ws://127.0.0.1:${relay.port}`);
    expect(relay.seen().includes(Buffer.from(TOKEN))).toBe(true);
  });

  it('a hub on 0.0.0.0: the services of its own process join it at an address its certificate does not name; another peer trusting the same certificate does not', async () => {
    const hub = await startHub({ host: '0.0.0.0', port: 0, token: TOKEN, logger: silentLogger(), tls: { cert, key } });
    closers.push(() => hub.close());
    expect(hub.url).toMatch(/^wss:\/\/0\.0\.0\.0:\d+$/);
    // As any peer given the certificate to trust (--hub-ca): the name is checked, and 0.0.0.0 is not in it.
    trustHubCertificates([cert]);
    const stranger = new HubPeer({ name: 'TLS-Stranger' });
    closers.push(() => stranger.close());
    stranger.connect(hub.url, TOKEN);
    await expect(stranger.whenUp(10_000)).rejects.toThrow(/altnames|ERR_TLS_CERT_ALTNAME_INVALID/i);
    // As the hub's own process trusts it (services/datahub/start.ts): the certificate itself is the hub's identity.
    trustHubCertificates([cert], { anyHost: true });
    await join(hub.url);
  });

  it('a peer that does not trust the certificate is not joined, and says why', async () => {
    const hub = await hubWith(true);
    const peer = new HubPeer({ name: 'TLS-Untrusting' });
    closers.push(() => peer.close());
    peer.connect(hub.url, TOKEN);
    await expect(peer.whenUp(10_000)).rejects.toThrow(/certificate/i);
    await until('reconnecting with the reason', () => peer.status.state === 'reconnecting' && /certificate/i.test(peer.status.reason ?? ''));
  });
});
