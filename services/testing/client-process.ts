/** The AssetHubClient as its own process, for tests that SIGKILL it (crash tests). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Probe } from './probe.ts';

export interface ClientProcess { child: ChildProcess; ready: Promise<void> }

/** Starts `services/client/main.ts` for `machine` with its data under `dir/<machine>`; `ready` once its Startup reaches `panel`. */
export function spawnClient(panel: Probe, hubUrl: string, dir: string, machine: string): ClientProcess {
  const from = panel.messages.length;
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/client/main.ts', '--machine', machine, '--data', path.join(dir, machine), '--hub', hubUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ASSETHUB_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const ready = Promise.race([
    panel.next((m) => m.topic.Type === 'Startup' && m.topic.Source === `${machine}-AssetHubClient`, 20_000, from).then(() => undefined),
    new Promise<void>((_, reject) => child.once('exit', (code) => reject(new Error(`client exited with ${code}: ${out.slice(-2000)}`)))),
  ]);
  return { child, ready };
}
