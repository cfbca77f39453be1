/**
 * Starts one of the services' worker threads: in app/dist the bundle `<name>.worker.mjs` beside the bundle that asks
 * (scripts/build.mjs builds each as an entry of its own); in the source tree (tests, benchmarks, which run through
 * tsx) `<name>.worker.ts` beside the module that asks, imported once tsx's loader is registered in the new thread.
 */
import { Worker } from 'node:worker_threads';

/** `from`: the asking module's `import.meta.url`; `name`: the worker's file name without `.worker.ts`. */
export function startWorkerThread(from: string, name: string): Worker {
  // No inherited --import preloads: the services' stop-with-parent hook would see the thread's empty stdin end and
  // stop the whole process.
  const execArgv: string[] = [];
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.worker.mjs`, from), { execArgv });
  const tsx = import.meta.resolve('tsx/esm/api');
  const file = new URL(`./${name}.worker.ts`, from).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file)}); });`, { eval: true, execArgv });
}
