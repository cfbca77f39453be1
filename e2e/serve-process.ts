/**
 * Starts a built entry point (e.g. the browser host) as a child process and waits for the URL it prints (the first
 * match of `pattern`'s group 1; by default an http://127.0.0.1 URL).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Served {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr, the last 200,000 characters). */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 200_000;

export function startServed(script: string, args: string[] = [], timeoutMs = 30_000, pattern = /(https?:\/\/127\.0\.0\.1:\d+\/\S*)/): Promise<Served> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  return new Promise((resolve, reject) => {
    let found = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed no URL within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      append(chunk);
      if (found) return;
      const match = pattern.exec(output);
      if (!match?.[1]) return;
      found = true;
      clearTimeout(timer);
      resolve({
        url: match[1],
        child,
        output: () => output,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    // Both pipes stay drained for the whole run, so the host never blocks on a full pipe.
    child.stdout?.on('data', onData);
    child.stderr?.on('data', append);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!found) reject(new Error(`${script} exited with ${code} before printing a URL; output:\n${output}`));
    });
  });
}
