/**
 * The embedded reference services inside Electron. The bundled services command (app/dist/services/cli.mjs) runs in
 * an Electron utility process — a Node process that needs no ELECTRON_RUN_AS_NODE, so the runAsNode fuse stays off —
 * with its own data folder under userData, random ports and the demo show. Readiness (the `Asset Hub services ready
 * on ws://…` line), stopping (SIGTERM, then SIGKILL) and restarts after a crash are main/embedded's, shared with the
 * browser host; only the way the process is started differs.
 */
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ForkOptions } from 'electron';
import {
  READY_TIMEOUT_MS,
  servicesArgs,
  servicesEnv,
  stopProcess,
  watchServicesOutput,
  type EmbeddedServices,
  type EmbeddedServicesOptions,
} from '../embedded/services.ts';

export { parseReadyLine } from '../embedded/services.ts';

/** Where the bundled services command sits inside the app (the asar in a packaged build, the project otherwise). */
export function servicesScript(appPath: string): string {
  return path.join(appPath, 'app', 'dist', 'services', 'cli.mjs');
}

/** The part of Electron's UtilityProcess the runner uses (a parameter, so tests pass a fake). */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  kill(): boolean;
  once(event: 'exit', listener: (code: number) => void): unknown;
}

export type Fork = (modulePath: string, args: string[], options: ForkOptions) => UtilityProcessLike;

/**
 * A `start` function for main/embedded's ServicesSupervisor that runs the services with `utilityProcess.fork`.
 * The token goes in the environment (ASSETHUB_TOKEN), never on the command line.
 */
export function utilityServicesStarter(fork: Fork, script: string): (options: EmbeddedServicesOptions) => Promise<EmbeddedServices> {
  return async (options) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(servicesEnv(options.token))) if (value !== undefined) env[key] = value;
    if (options.token === undefined) delete env.ASSETHUB_TOKEN;
    const child = fork(script, servicesArgs(options), { stdio: 'pipe', serviceName: 'Asset Hub services', env });
    const exited = new Promise<string>((resolve) => child.once('exit', (code) => resolve(`exit code ${code}`)));
    const { ready, tail, demoReceiver, gatewayUrl } = watchServicesOutput(
      { stdout: child.stdout as Readable | null, stderr: child.stderr as Readable | null, exited },
      { timeoutMs: options.timeoutMs ?? READY_TIMEOUT_MS, onLine: options.onLine },
    );
    // utilityProcess.kill() always asks politely (SIGTERM on POSIX); the escalation goes through the pid.
    const killable = {
      kill(signal?: NodeJS.Signals): boolean {
        if (signal !== 'SIGKILL' || child.pid === undefined) return child.kill();
        try {
          return process.kill(child.pid, 'SIGKILL');
        } catch {
          return false;
        }
      },
    };
    const stop = () => stopProcess(killable, exited);
    try {
      const hubUrl = await ready;
      // EmbeddedServices names node's ChildProcess; nothing downstream uses more than pid and kill().
      return { hubUrl, child: child as unknown as ChildProcess, exited, demoReceiver: demoReceiver(), gatewayUrl: gatewayUrl(), lastOutput: () => tail.toString(), stop };
    } catch (error) {
      await stop();
      throw error;
    }
  };
}
