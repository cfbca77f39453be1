/**
 * What a request through the hub can end with, besides the answering service's own Failure codes:
 * - NOT_CONNECTED: no hub connection when the request was made (nothing was sent);
 * - DISCONNECTED: the connection ended while waiting (no answer can come on a dead connection);
 * - TIMEOUT: no answer within the request timeout;
 * - CLOSED: the peer was closed.
 */
export type PeerErrorCode = 'NOT_CONNECTED' | 'DISCONNECTED' | 'TIMEOUT' | 'CLOSED';

export class HubError extends Error {
  constructor(
    readonly code: PeerErrorCode | (string & {}),
    message: string,
    /** A Call's Failure details (e.g. each invalid entry of an import), when the service sent them. */
    readonly details?: ReadonlyArray<{ Index: number; Field: string; Message: string }>,
    /** True when the answering service sent this as its Failure (not a timeout or a lost connection here). */
    readonly fromService = false,
  ) {
    super(message);
    this.name = 'HubError';
  }
}
