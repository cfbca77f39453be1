/** A scan thread (see threads.ts): walks a workspace, or reads a batch of files, with synchronous calls. */
import { parentPort } from 'node:worker_threads';
import { hashBatch, type HashReply, type HashRequest } from './hash.ts';
import { READ_BUFFER } from './readers.ts';
import { CONTROL_QUEUED, CONTROL_STOP } from './threads.ts';
import { walkTree, type WalkChunk, type WalkEnd, type WalkRequest } from './walk.ts';

// Chunks sent but not yet handled by the scanner, at most: the walk waits rather than fill the heap with a tree.
const MAX_QUEUED = 4;

const port = parentPort;
if (!port) throw new Error('scan.worker runs as a worker thread');
const buffer = Buffer.allocUnsafe(READ_BUFFER);

port.on('message', (request: WalkRequest | HashRequest) => {
  const control = new Int32Array(request.control);
  const stopped = (): boolean => Atomics.load(control, CONTROL_STOP) !== 0;
  if (request.type === 'hash') {
    const read = hashBatch(request.files.split('\0'), buffer, stopped);
    port.postMessage({ type: 'hashed', id: request.id, ...read } satisfies HashReply, [read.stats.buffer as ArrayBuffer]);
    return;
  }
  const end = walkTree(request, (uris, stats) => {
    port.postMessage({ type: 'chunk', id: request.id, uris, stats } satisfies WalkChunk, [stats.buffer as ArrayBuffer]);
    for (let queued = Atomics.add(control, CONTROL_QUEUED, 1) + 1; queued >= MAX_QUEUED && !stopped(); queued = Atomics.load(control, CONTROL_QUEUED)) {
      Atomics.wait(control, CONTROL_QUEUED, queued, 1_000);
    }
  }, stopped);
  port.postMessage({ type: 'end', id: request.id, ...end } satisfies WalkEnd);
});
