/** The chunk-hashing thread (see hash-pool.ts): SHA-256 of a range of shared memory, answered as lowercase hex. */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hash-pool.ts';

const port = parentPort;
if (!port) throw new Error('chunk-hash.worker runs as a worker thread');
port.on('message', ({ id, memory, offset, length }: HashRequest) => {
  const hash = createHash('sha256').update(new Uint8Array(memory, offset, length)).digest('hex');
  port.postMessage({ id, hash } satisfies HashReply);
});
