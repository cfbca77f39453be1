/** The AssetHubServer as its own process, for tests that SIGKILL it (crash and chaos tests). */
import { spawn, type ChildProcess } from 'node:child_process';
import { SERVER_NAME } from '../../shared/protocol/index.ts';
import type { Probe } from './probe.ts';

export interface ServerProcess { child: ChildProcess; storageUrl: string }

/** Starts `services/server/main.ts` on `hubUrl` and waits until its Startup reaches `panel`. */
export async function spawnServer(panel: Probe, hubUrl: string, dataDir: string, logLevel = 'warn'): Promise<ServerProcess> {
  const from = panel.messages.length;
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/server/main.ts', '--data', dataDir, '--hub', hubUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ASSETHUB_LOG_LEVEL: logLevel },
  });
  let out = '';
  const storageUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out.slice(-3000)}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /AssetHubServer storage (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out.slice(-3000)}`)));
  });
  await panel.next((m) => m.topic.Type === 'Startup' && m.topic.Source === SERVER_NAME, 10_000, from);
  return { child, storageUrl };
}

/** Resolves when the process has exited (at once if it already has). */
export const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
