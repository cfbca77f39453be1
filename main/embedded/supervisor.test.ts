import { describe, expect, it } from 'vitest';
import type { EmbeddedServices, EmbeddedServicesOptions } from './services.ts';
import { ServicesSupervisor } from './supervisor.ts';

/** Fake services: each start gets the next pid; the test ends them with `crash`. */
function fakeStarter(failPorts: number[] = []) {
  const starts: Array<{ port: number; crash(how?: string): void; stopped: boolean }> = [];
  let nextPid = 100;
  let nextPort = 4000;
  const start = async (options: EmbeddedServicesOptions): Promise<EmbeddedServices> => {
    const port = options.port ?? 0;
    if (failPorts.includes(port)) {
      starts.push({ port, crash() {}, stopped: false });
      throw new Error(`port ${port} is taken`);
    }
    let end!: (how: string) => void;
    const exited = new Promise<string>((r) => (end = r));
    const record = { port, crash: (how = 'signal SIGKILL') => end(how), stopped: false };
    starts.push(record);
    const pid = nextPid++;
    return {
      hubUrl: `ws://127.0.0.1:${port || nextPort++}`,
      child: { pid } as EmbeddedServices['child'],
      exited,
      demoReceiver: null,
      gatewayUrl: null,
      lastOutput: () => 'last words',
      stop: async () => {
        record.stopped = true;
        end('exit code 0');
      },
    };
  };
  return { start, starts };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('ServicesSupervisor', () => {
  it('restarts crashed services on the same port, and tells onReady', async () => {
    const fake = fakeStarter();
    const ready: Array<{ url: string; restart: boolean }> = [];
    const crashes: string[] = [];
    const supervisor = new ServicesSupervisor({
      dataDir: '/d', demo: true, start: fake.start, delaysMs: [10, 20],
      onReady: (s, restart) => void ready.push({ url: s.hubUrl, restart }),
      onCrash: (how, wait, output) => crashes.push(`${how} ${wait} ${output}`),
    });
    const first = await supervisor.start();
    expect(first.hubUrl).toBe('ws://127.0.0.1:4000');
    fake.starts[0]?.crash();
    await until(() => ready.length === 2);
    expect(crashes).toEqual(['signal SIGKILL 10 last words']);
    expect(fake.starts[1]?.port).toBe(4000);
    expect(ready[1]).toEqual({ url: 'ws://127.0.0.1:4000', restart: true });
    expect(supervisor.current?.child.pid).toBe(101);
    fake.starts[1]?.crash('exit code 1');
    await until(() => ready.length === 3);
    expect(crashes[1]).toBe('exit code 1 20 last words');
    await supervisor.stop();
    expect(fake.starts[2]?.stopped).toBe(true);
    expect(supervisor.current).toBeNull();
  });

  it('takes a free port when the previous one is taken', async () => {
    const fake = fakeStarter([4000]);
    const ready: string[] = [];
    const supervisor = new ServicesSupervisor({ dataDir: '/d', demo: true, start: fake.start, delaysMs: [5], onReady: (s) => void ready.push(s.hubUrl) });
    await supervisor.start();
    fake.starts[0]?.crash();
    await until(() => ready.length === 2);
    expect(fake.starts.map((s) => s.port)).toEqual([0, 4000, 0]);
    expect(ready[1]).toBe('ws://127.0.0.1:4001');
    await supervisor.stop();
  });

  it('does not restart after stop', async () => {
    const fake = fakeStarter();
    const supervisor = new ServicesSupervisor({ dataDir: '/d', demo: true, start: fake.start, delaysMs: [5] });
    await supervisor.start();
    await supervisor.stop();
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.starts).toHaveLength(1);
  });
});
