/** The hub's frame checker thread (see frame-check.ts): checks each frame it is handed and answers what it found. */
import { parentPort } from 'node:worker_threads';
import { checkHere, type CheckReply, type CheckRequest } from './frame-check.ts';

const port = parentPort;
if (!port) throw new Error('frame-check.worker runs as a worker thread');
port.on('message', ({ id, bytes }: CheckRequest) => {
  // The bytes go back as they came (moved): the hub forwards them.
  port.postMessage({ id, ...checkHere(bytes), bytes } satisfies CheckReply, [bytes.buffer as ArrayBuffer]);
});
