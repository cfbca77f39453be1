import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGatewayLine, parseReadyLine, parseReceiverLine, servicesArgs, startEmbeddedServices, watchServicesOutput } from './services.ts';

const temp: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'embedded-test-'));
  temp.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

describe('ready line', () => {
  it('finds the hub URL only in the ready line', () => {
    expect(parseReadyLine('Asset Hub services ready on ws://127.0.0.1:41234')).toBe('ws://127.0.0.1:41234');
    expect(parseReadyLine('Asset Hub services ready on ws://127.0.0.1:41234\r')).toBe('ws://127.0.0.1:41234');
    expect(parseReadyLine('{"msg":"Asset Hub services ready on ws://x"}')).toBeNull();
    expect(parseReadyLine('services ready')).toBeNull();
  });

  it('finds the demo receiver in the line the services print about it: its webhook URL and its admin base, loopback only', () => {
    // services/cli.ts's line, as it prints it.
    const line = (base: string) => `Demo webhook receiver on ${base}/webhook (admin: GET/PUT ${base}/admin/rule, GET ${base}/admin/received)`;
    expect(parseReceiverLine(line('http://127.0.0.1:40123'))).toEqual({ url: 'http://127.0.0.1:40123/webhook', adminBase: 'http://127.0.0.1:40123' });
    expect(parseReceiverLine(line('http://[::1]:40123'))).toEqual({ url: 'http://[::1]:40123/webhook', adminBase: 'http://[::1]:40123' });
    expect(parseReceiverLine(line('http://10.0.0.5:40123'))).toBeNull();
    expect(parseReceiverLine('Demo webhook receiver on http://127.0.0.1:1/webhook (admin: GET/PUT http://127.0.0.1:2/admin/rule, …)')).toBeNull();
    expect(parseReceiverLine('Demo webhook receiver on http://127.0.0.1:1/webhook')).toBeNull();
    expect(parseReceiverLine(`{"msg":"${line('http://127.0.0.1:1')}"}`)).toBeNull();
  });

  it('keeps the demo receiver reported before the ready line', async () => {
    const stdout = new PassThrough();
    const watch = watchServicesOutput({ stdout, stderr: null, exited: new Promise(() => {}) }, { timeoutMs: 1000 });
    expect(watch.demoReceiver()).toBeNull();
    stdout.write('Demo webhook receiver on http://127.0.0.1:9/webhook (admin: GET/PUT http://127.0.0.1:9/admin/rule, GET http://127.0.0.1:9/admin/received)\n');
    stdout.write('Asset Hub services ready on ws://127.0.0.1:7\n');
    await expect(watch.ready).resolves.toBe('ws://127.0.0.1:7');
    expect(watch.demoReceiver()).toEqual({ url: 'http://127.0.0.1:9/webhook', adminBase: 'http://127.0.0.1:9' });
  });

  it('builds the arguments: free ports, demo, data folder', () => {
    expect(servicesArgs({ dataDir: '/d', demo: true })).toEqual(['--data', path.resolve('/d'), '--port', '0', '--storage-port', '0', '--demo', '--clients', 'STAGE-A,STAGE-B']);
    expect(servicesArgs({ dataDir: '/d', demo: false, port: 5 })).toEqual(['--data', path.resolve('/d'), '--port', '5', '--storage-port', '0']);
    // The documented-only mode: the demo's clients on what the folder holds, no demo (the services refuse both).
    expect(servicesArgs({ dataDir: '/d', demo: true, compat: 'pixotope-docs' })).toEqual(['--data', path.resolve('/d'), '--port', '0', '--storage-port', '0', '--clients', 'STAGE-A,STAGE-B', '--compat', 'pixotope-docs']);
  });

  it('passes the Gateway on, and keeps the URL the services report for it', async () => {
    const args = servicesArgs({ dataDir: '/d', demo: false, gateway: { port: 16208, allowOrigins: ['http://a:1', 'http://b:2'], machine: 'STAGE-B' } });
    expect(args.slice(6)).toEqual(['--gateway', '--gateway-port', '16208', '--gateway-allow-origin', 'http://a:1', '--gateway-allow-origin', 'http://b:2', '--gateway-machine', 'STAGE-B']);
    expect(servicesArgs({ dataDir: '/d', demo: false, gateway: { port: 0, allowOrigins: [] } }).slice(6)).toEqual(['--gateway', '--gateway-port', '0']);
    const stdout = new PassThrough();
    const watch = watchServicesOutput({ stdout, stderr: null, exited: new Promise(() => {}) }, { timeoutMs: 1000 });
    stdout.write('Pixotope Gateway on http://127.0.0.1:16208/gateway/26.1.0/publish (any version; ~LOCAL~ is STAGE-A)\n');
    stdout.write('Asset Hub services ready on ws://127.0.0.1:7\n');
    await watch.ready;
    expect(watch.gatewayUrl()).toBe('http://127.0.0.1:16208/gateway/26.1.0/publish');
    expect(parseGatewayLine('{"msg":"Pixotope Gateway on http://x/ y"}')).toBeNull();
  });

  it('resolves with the URL from output split across chunks, and keeps draining after', async () => {
    const stdout = new PassThrough();
    const lines: string[] = [];
    const { ready, tail } = watchServicesOutput({ stdout, stderr: null, exited: new Promise(() => {}) }, { timeoutMs: 1000, onLine: (l) => lines.push(l) });
    stdout.write('{"level":30}\nAsset Hub services re');
    stdout.write('ady on ws://127.0.0.1:7\n');
    await expect(ready).resolves.toBe('ws://127.0.0.1:7');
    stdout.write('later\n');
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual(['{"level":30}', 'Asset Hub services ready on ws://127.0.0.1:7', 'later']);
    expect(tail.toString()).toContain('later');
  });

  it('fails with the last output when the process ends first, or on timeout', async () => {
    const stderr = new PassThrough();
    let end!: (how: string) => void;
    const early = watchServicesOutput({ stdout: null, stderr, exited: new Promise((r) => (end = r)) }, { timeoutMs: 5000 });
    stderr.write('--data is required\n');
    await new Promise((r) => setImmediate(r));
    end('exit code 2');
    await expect(early.ready).rejects.toThrow(/ended \(exit code 2\) before they were ready; last output:\n--data is required/);
    const slow = watchServicesOutput({ stdout: new PassThrough(), stderr: null, exited: new Promise(() => {}) }, { timeoutMs: 20 });
    await expect(slow.ready).rejects.toThrow(/no ready line within 20 ms/);
  });
});

describe('startEmbeddedServices', () => {
  it('starts the real services, then stops them with SIGTERM', async () => {
    const services = await startEmbeddedServices({ dataDir: await tempDir(), demo: false, token: 'secret-token-123' });
    expect(services.hubUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(services.child.pid).toBeGreaterThan(0);
    await services.stop();
    expect(await services.exited).toMatch(/exit code 0|signal SIGTERM/);
  }, 60_000);

  it('reports a command that dies before it is ready, with its output', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'services'));
    await writeFile(path.join(root, 'services/cli.ts'), "console.error('cannot open the data folder'); process.exit(3);\n");
    await expect(startEmbeddedServices({ dataDir: root, demo: false, root })).rejects.toThrow(/exit code 3.*\n.*cannot open the data folder/s);
  }, 30_000);
});
