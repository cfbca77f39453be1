/** Starts a built entry point (e.g. the browser host) as a child process and waits for the URL it prints. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startServed(script: string, args: string[] = [], timeoutMs = 30_000): Promise<Served> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed no URL within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(https?:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve({
        url: match[1],
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before printing a URL; output:\n${output}`));
    });
  });
}
