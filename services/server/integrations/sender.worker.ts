/**
 * The delivery thread (see sender.ts): posts each batch it is handed with postBatch and answers with its outcome.
 */
import { parentPort } from 'node:worker_threads';
import { postBatch } from './contract.ts';
import type { SenderReply, SenderRequest } from './sender.ts';

const port = parentPort;
if (!port) throw new Error('sender.worker runs as a worker thread');
const cancels = new Map<number, AbortController>();
port.on('message', (message: SenderRequest) => {
  if (message.type === 'cancel') {
    cancels.get(message.id)?.abort();
    return;
  }
  const cancel = new AbortController();
  cancels.set(message.id, cancel);
  void postBatch({ ...message.request, cancel: cancel.signal }).then((outcome) => {
    cancels.delete(message.id);
    port.postMessage({ id: message.id, outcome } satisfies SenderReply);
  });
});
