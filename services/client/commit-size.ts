/**
 * Whether a push fits in one hub message. A commit is one CreateCommit Call (~220 bytes a file); past what a hub
 * carries, the hub would drop the client's connection and the push would end in a timeout. Said before sending, with
 * the way out, instead.
 */
import { HUB_MESSAGE_BYTES } from '../../shared/protocol/limits.ts';
import { fail } from '../lib/failure.ts';

/** Room left in a message for its topic and envelope. */
const ENVELOPE_ALLOWANCE = 4096;

export function assertCommitFits(params: { Changes: readonly unknown[] }, limit = HUB_MESSAGE_BYTES): void {
  const bytes = Buffer.byteLength(JSON.stringify(params)) + ENVELOPE_ALLOWANCE;
  if (bytes <= limit) return;
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  fail('TOO_LARGE', `a commit of ${params.Changes.length} change(s) is ${mib(bytes)} MiB, over the ${mib(limit)} MiB one hub message carries: push a selection of fewer files at a time`);
}
